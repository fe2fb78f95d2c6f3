/**
 * `GET /api/media-endpoints` over a real HTTP listener: behind the token like the other API routes,
 * the MediaEndpoints snapshot as JSON, no query parameters, and an empty list without an aggregator.
 */
import test from 'ava';
import type { MediaEndpointsResponse } from '../../src/api/routes/media-endpoints.js';
import { buildApiApp } from '../../src/api/server.js';
import { Metrics } from '../../src/report/metrics.js';
import { RecentCalls } from '../../src/report/recent-calls.js';
import { CONFIG } from './call-fixture.js';
import { json, serve } from './server-fixture.js';

const TOKEN = 'media-endpoints-token.1';

test('with a token: 401 without it or with a wrong one, the snapshot with it', async (t) => {
  const api = await serve({ token: TOKEN });
  t.teardown(() => api.close());
  api.driver.call('in@pbx');
  for (const token of [undefined, 'wrong', '']) {
    const response = await api.get('/api/media-endpoints', token);
    t.is(response.status, 401, `with ${token}`);
    t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer realm="trunkguard"/);
  }
  const response = await api.get('/api/media-endpoints', TOKEN);
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  t.deepEqual(await json<MediaEndpointsResponse>(response), api.mediaEndpoints.snapshot());
});

test('GET /api/media-endpoints: prefixes inside and outside the published range, most messages first', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  api.driver.call('a@pbx');
  api.driver.call('b@pbx');
  api.driver.call('c@pbx', { outOfRange: true });
  const body = await json<MediaEndpointsResponse>(await api.get('/api/media-endpoints'));
  t.deepEqual(Object.keys(body).sort(), ['outside', 'overflow', 'prefixes', 'profile', 'published']);
  t.is(body.profile, 'twilio');
  t.deepEqual(body.published, ['168.86.128.0/18']);
  t.is(body.outside, 1);
  t.is(body.overflow, 0);
  t.deepEqual(
    body.prefixes.map((entry) => [
      entry.prefix,
      entry.inPublishedRange,
      entry.outside,
      entry.calls,
      entry.messages,
    ]),
    [
      ['168.86.128.0/24', '168.86.128.0/18', false, 2, 2],
      ['192.0.2.0/24', null, true, 1, 1],
    ],
  );
  const first = body.prefixes[0]!;
  t.deepEqual(Object.keys(first).sort(), [
    'calls',
    'callsCapped',
    'firstSeen',
    'inPublishedRange',
    'lastSeen',
    'messages',
    'outside',
    'ports',
    'prefix',
  ]);
  t.deepEqual(first.ports, { '12000-12999': 2 });
  t.true(Date.parse(first.firstSeen) < Date.parse(first.lastSeen));
});

test('GET /api/media-endpoints takes no parameters', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  const response = await api.get('/api/media-endpoints?limit=5');
  t.is(response.status, 400);
  t.like(await json(response), { error: 'bad-parameter', parameter: 'limit' });
});

test('without an aggregator: the profile with no prefixes', async (t) => {
  const app = buildApiApp({
    settings: { host: '127.0.0.1', port: 0, token: null },
    proxy: { listeners: [], counters: {} },
    store: new RecentCalls({ maxCalls: 10, maxBytes: 1_000_000 }),
    metrics: new Metrics({ defaultMetrics: false }),
    judgeConfig: CONFIG,
  });
  t.teardown(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/api/media-endpoints' });
  t.is(response.statusCode, 200);
  t.deepEqual(response.json(), {
    profile: 'twilio',
    published: ['168.86.128.0/18'],
    prefixes: [],
    outside: 0,
    overflow: 0,
  });
});
