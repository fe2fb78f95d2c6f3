/**
 * The API over a real HTTP listener (port 0, node's fetch): every route, its JSON shape, the
 * 400s that name the parameter, pagination with the cursor, 404s, and the headers.
 */
import test from 'ava';
import type { CallResponse, CallsResponse } from '../../src/api/routes/calls.js';
import type { FindingsResponse } from '../../src/api/routes/findings.js';
import type { HealthView } from '../../src/api/routes/health.js';
import type { ProfilesResponse } from '../../src/api/routes/profiles.js';
import type { StatusResponse } from '../../src/api/routes/status.js';
import { ALL_CODES } from '../../src/policy/codes.js';
import { invite } from './call-fixture.js';
import { json, serve } from './server-fixture.js';

test('GET /healthz: status, uptime and listeners', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const response = await api.get('/healthz');
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  t.is(response.headers.get('cache-control'), 'no-store');
  const body = await json<HealthView>(response);
  t.is(body.status, 'ok');
  t.true(Number.isInteger(body.uptimeSeconds) && body.uptimeSeconds >= 0);
  t.deepEqual(body.listeners, [
    { transport: 'udp', host: '0.0.0.0', port: 5060, side: 'auto', advertised: '192.0.2.10:5060' },
    { transport: 'tls', host: '::', port: 5061, side: 'carrier', advertised: '[2001:db8::10]:5061' },
  ]);
  t.is(api.server.address.host, '127.0.0.1');
  t.true(api.server.address.port > 0);
});

test('GET /metrics: Prometheus text with the content type of the registry', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  api.driver.call('m@pbx', { outOfRange: true });
  const response = await api.get('/metrics');
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  t.regex(text, /^trunkguard_calls_started_total 1$/m);
  t.regex(
    text,
    /^trunkguard_findings_total\{code="media-ip-out-of-range",severity="high",side="carrier"\} 1$/m,
  );
});

test('GET /api/calls: newest first, limit, state and verdict filters, total', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  api.driver.call('a@pbx');
  api.driver.call('b@pbx', { outOfRange: true });
  api.driver.call('c@pbx', { keepUp: true });
  const all = await json<CallsResponse>(await api.get('/api/calls'));
  t.is(all.total, 3);
  t.deepEqual(
    all.calls.map((call) => call.callId),
    ['c@pbx', 'b@pbx', 'a@pbx'],
  );
  const first = all.calls[0]!;
  t.deepEqual(Object.keys(first).sort(), [
    'callId',
    'codes',
    'ended',
    'finalStatus',
    'findings',
    'firstSeen',
    'lastSeen',
    'media',
    'messages',
    'state',
    'verdict',
    'worstSeverity',
  ]);
  t.like(first, { state: 'active', ended: null, messages: 4, verdict: 'ok' });
  const limited = await json<CallsResponse>(await api.get('/api/calls?limit=1'));
  t.is(limited.total, 3);
  t.is(limited.calls.length, 1);
  const ended = await json<CallsResponse>(await api.get('/api/calls?state=ended&verdict=fail'));
  t.deepEqual(
    ended.calls.map((call) => call.callId),
    ['b@pbx'],
  );
  t.is(ended.total, 1);
});

test('GET /api/calls/:callId: the call with its ladder; the Call-ID percent-encoded; 404 when unknown', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const callId = 'a84b4c76e66710/x%y@pbx.example.com';
  api.driver.call(callId);
  const response = await api.get(`/api/calls/${encodeURIComponent(callId)}`);
  t.is(response.status, 200);
  const { call } = await json<CallResponse>(response);
  t.is(call.callId, callId);
  t.like(call, { state: 'ended', ended: 'bye', finalStatus: 200, messages: 6, ladderOmitted: 0 });
  t.deepEqual(
    call.ladder.map((entry) => entry.label),
    ['INVITE', '100 INVITE', '200 INVITE', 'ACK', 'BYE', '200 BYE'],
  );
  t.deepEqual(Object.keys(call.ladder[0]!).sort(), [
    'findings',
    'findingsOmitted',
    'forwarded',
    'from',
    'index',
    'label',
    'sdp',
    'side',
    'time',
    'to',
    'transport',
  ]);
  t.is(call.ladder[0]?.sdp?.role, 'offer');
  t.deepEqual(call.ladder[0]?.sdp?.media[0]?.suites, ['AES_CM_128_HMAC_SHA1_80']);

  const missing = await api.get('/api/calls/nobody%40nowhere');
  t.is(missing.status, 404);
  const body = await json(missing);
  t.is(body.error, 'not-found');
  t.is(typeof body.message, 'string');
});

test('a long Call-ID (up to 1024 characters) is still found', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const callId = `${'x'.repeat(900)}@pbx`;
  api.driver.call(callId);
  const response = await api.get(`/api/calls/${callId}`);
  t.is(response.status, 200);
  t.is((await json<CallResponse>(response)).call.callId, callId);
});

test('GET /api/findings: filters, minimum severity, and pages that follow next to the end', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  for (let i = 0; i < 5; i++) api.driver.call(`bad-${i}@pbx`, { outOfRange: true });
  api.driver.send('customer', invite('udp@pbx'), { egress: 'udp' });

  const all = await json<FindingsResponse>(await api.get('/api/findings'));
  t.is(all.next, null);
  t.is(all.findings.length, 6);
  t.is(all.findings[0]?.callId, 'udp@pbx');
  t.is(all.findings[0]?.code, 'sdes-over-insecure-transport');
  t.deepEqual(Object.keys(all.findings[0]!).sort(), [
    'callId',
    'code',
    'cseq',
    'dst',
    'evidence',
    'mediaIndex',
    'message',
    'messageIndex',
    'method',
    'severity',
    'side',
    'src',
    'status',
    'time',
    'transport',
  ]);

  const critical = await json<FindingsResponse>(await api.get('/api/findings?severity=critical'));
  t.deepEqual(
    critical.findings.map((f) => f.code),
    ['sdes-over-insecure-transport'],
  );
  const high = await json<FindingsResponse>(await api.get('/api/findings?severity=high'));
  t.is(high.findings.length, 6, 'high and above');
  const carrier = await json<FindingsResponse>(
    await api.get('/api/findings?side=carrier&code=media-ip-out-of-range'),
  );
  t.is(carrier.findings.length, 5);
  const since = carrier.findings[1]!.time;
  const recent = await json<FindingsResponse>(
    await api.get(`/api/findings?code=media-ip-out-of-range&since=${since}`),
  );
  t.deepEqual(
    recent.findings.map((f) => f.callId),
    ['bad-4@pbx', 'bad-3@pbx'],
  );

  const pages: string[][] = [];
  let path = '/api/findings?code=media-ip-out-of-range&limit=2';
  for (;;) {
    const page = await json<FindingsResponse>(await api.get(path));
    pages.push(page.findings.map((f) => f.callId ?? ''));
    if (page.next === null) break;
    t.is(typeof page.next, 'string');
    path = `/api/findings?code=media-ip-out-of-range&limit=2&cursor=${encodeURIComponent(page.next)}`;
  }
  t.deepEqual(pages, [['bad-4@pbx', 'bad-3@pbx'], ['bad-2@pbx', 'bad-1@pbx'], ['bad-0@pbx']]);
});

test('every known finding code is accepted as code=', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  for (const code of ALL_CODES) t.is((await api.get(`/api/findings?code=${code}`)).status, 200, code);
});

test('bad parameters: 400 naming the parameter and quoting the value', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const cases: [string, string, string][] = [
    ['/api/calls?limit=abc', 'limit', 'limit must be an integer 1-500, got "abc"'],
    ['/api/calls?limit=0', 'limit', 'limit must be an integer 1-500, got "0"'],
    ['/api/calls?limit=501', 'limit', 'limit must be an integer 1-500, got "501"'],
    ['/api/calls?limit=1.5', 'limit', 'limit must be an integer 1-500, got "1.5"'],
    ['/api/calls?limit=', 'limit', 'limit must be an integer 1-500, got ""'],
    ['/api/calls?state=gone', 'state', 'state must be one of active, ended, got "gone"'],
    ['/api/calls?verdict=bad', 'verdict', 'verdict must be one of ok, warn, fail, got "bad"'],
    ['/api/calls?limit=1&limit=2', 'limit', 'limit given more than once'],
    [
      '/api/findings?code=no-such-code',
      'code',
      'code must be a finding code (see the README, e.g. media-ip-out-of-range), got "no-such-code"',
    ],
    [
      '/api/findings?severity=urgent',
      'severity',
      'severity must be one of info, low, medium, high, critical, got "urgent"',
    ],
    ['/api/findings?side=both', 'side', 'side must be one of carrier, customer, got "both"'],
    [
      '/api/findings?since=yesterday',
      'since',
      'since must be an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00Z, got "yesterday"',
    ],
    [
      '/api/findings?since=2026-11-28T10:00:00',
      'since',
      'since must be an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00Z, got "2026-11-28T10:00:00"',
    ],
    ['/api/findings?limit=1000', 'limit', 'limit must be an integer 1-500, got "1000"'],
    [
      '/api/findings?cursor=garbage!',
      'cursor',
      'cursor must be the "next" value of a previous page, got "garbage!"',
    ],
    ['/api/calls?foo=1', 'foo', 'unknown parameter "foo" (expected limit, state, verdict)'],
    ['/api/calls?foo=1&bar=2', 'foo', 'unknown parameters "foo", "bar" (expected limit, state, verdict)'],
    ['/api/profiles?x=1', 'x', 'unknown parameter "x" (this resource takes none)'],
    ['/api/calls/abc?limit=1', 'limit', 'unknown parameter "limit" (this resource takes none)'],
  ];
  for (const [path, parameter, message] of cases) {
    const response = await api.get(path);
    t.is(response.status, 400, path);
    t.is(response.headers.get('cache-control'), 'no-store');
    t.deepEqual(await json(response), { error: 'bad-parameter', parameter, message }, path);
  }
});

test('since accepts a date, a zone offset and fractions of a second', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  for (const since of [
    '2026-11-28',
    '2026-11-28T10:00:00Z',
    '2026-11-28T11:00:00.123+01:00',
    '2026-11-28T10:00Z',
  ]) {
    t.is((await api.get(`/api/findings?since=${encodeURIComponent(since)}`)).status, 200, since);
  }
});

test('quoted values are cut: a huge parameter is not echoed back whole', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const response = await api.get(`/api/calls?state=${'x'.repeat(5000)}`);
  t.is(response.status, 400);
  const body = await json(response);
  t.true(body.message.length < 200, body.message);
});

test('GET /api/profiles: the profile with sources and facts, the policy with CIDRs as text', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const { profile, policy } = await json<ProfilesResponse>(await api.get('/api/profiles'));
  t.is(profile.name, 'twilio');
  t.is(profile.carrier, 'Twilio');
  t.true(profile.sources.length > 0);
  for (const source of profile.sources) {
    t.regex(source.url, /^https:\/\//);
    t.regex(source.checked, /^\d{4}-\d{2}-\d{2}$/);
  }
  const ids = new Set(profile.sources.map((source) => source.id));
  t.true(profile.mediaRanges.some((range) => range.cidr === '168.86.128.0/18'));
  for (const range of profile.mediaRanges) {
    t.true(ids.has(range.source), `${range.cidr} cites a listed source`);
    t.is(typeof range.verified, 'boolean');
    t.true('note' in range);
  }
  t.like(profile.mediaPorts, { min: 10000, max: 60000 });
  t.true(ids.has(profile.mediaPorts?.source ?? ''));
  t.true(profile.retiredMedia.every((range) => /\/\d+$/.test(range.cidr)));
  t.true(profile.signaling.length > 0);
  t.true(Array.isArray(profile.signaling[0]?.ports));
  t.true(profile.srtp?.suites.includes('AES_CM_128_HMAC_SHA1_80'));
  t.false('file' in profile, 'no server paths');
  t.like(policy, { srtp: 'required', sdesRequiresTls: true });
  t.true(Array.isArray(policy.trustedNetworks));
  t.true(policy.trustedNetworks.every((cidr) => typeof cidr === 'string'));
  t.is(typeof policy.udpMaxBytes, 'number');
});

test('GET /api/status: counters and the store', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  api.driver.call('s@pbx');
  const body = await json<StatusResponse>(await api.get('/api/status'));
  t.is(body.profile, 'twilio');
  t.deepEqual(body.counters, {
    received: 7,
    forwarded: 6,
    answered: 1,
    dropped: 0,
    findings: 2,
    callsEnded: 1,
  });
  t.like(body.store, { calls: 1, maxCalls: 1000, evicted: 0 });
  t.is(body.listeners.length, 2);
});

test('unknown routes: 404 JSON', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const response = await api.get('/api/nothing');
  t.is(response.status, 404);
  t.is((await json(response)).error, 'not-found');
  t.is((await api.get('/api/calls', undefined)).status, 200);
});

test('a malformed percent-encoding: 400 JSON from the router', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const response = await api.raw('/api/calls/%E0%A4%A');
  t.is(response.status, 400);
  t.is(JSON.parse(response.body).error, 'bad-request');
});
