/**
 * RecentCalls: the store behind /api/calls and /api/findings, fed as SipProxy feeds its
 * observers (test/api/call-fixture.ts). Bounds by count and by bytes, the ladder cap,
 * newest first, active → ended, the findings list and its pages, and no key material anywhere.
 */
import test from 'ava';
import {
  MAX_ENTRY_FINDINGS,
  MAX_MEDIA,
  RecentCalls,
  type RecentCallsOptions,
} from '../../src/report/recent-calls.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import {
  answerOutOfRange,
  bye,
  invite,
  KEYS,
  keyFor,
  message,
  ProxyDriver,
  response,
  sdesSdp,
} from '../api/call-fixture.js';

function store(maxCalls = 100, maxBytes = 50_000_000, options: Partial<RecentCallsOptions> = {}) {
  const calls = new RecentCalls({ maxCalls, maxBytes }, options);
  return { calls, driver: new ProxyDriver(calls) };
}

function assertNoKeys(t: import('ava').ExecutionContext, value: unknown): void {
  const json = JSON.stringify(value);
  t.false(containsSdesKey(json), 'no inline: key');
  for (const key of KEYS) t.false(json.includes(key), 'no key text');
}

test('a whole call: active while up, ended with its BYE; media per side, ladder with labels and SDP', (t) => {
  const { calls, driver } = store();
  driver.call('call-1@pbx', { keepUp: true });
  const up = calls.call('call-1@pbx');
  t.is(up?.state, 'active');
  t.is(up?.ended, null);
  t.is(up?.messages, 4);
  t.deepEqual(
    up?.ladder.map((entry) => entry.label),
    ['INVITE', '100 INVITE', '200 INVITE', 'ACK'],
  );
  driver.send('customer', bye('call-1@pbx'));
  driver.send('carrier', response('200 OK', '2 BYE', 'call-1@pbx'));
  const call = calls.call('call-1@pbx')!;
  t.is(call.state, 'ended');
  t.is(call.ended, 'bye');
  t.is(call.finalStatus, 200);
  t.is(call.messages, 6);
  t.is(call.ladder.length, 6, 'the 200 to the BYE comes after callEnded and still joins the ladder');
  t.is(call.ladderOmitted, 0);
  t.is(call.firstSeen, '2026-11-28T10:00:01.000Z');
  t.is(call.lastSeen, '2026-11-28T10:00:06.000Z');
  t.is(call.verdict, 'ok');
  t.is(call.worstSeverity, null);
  t.deepEqual(call.codes, []);
  t.deepEqual(call.media.customer, [
    {
      side: 'customer',
      role: 'offer',
      mediaIndex: 0,
      type: 'audio',
      address: '198.51.100.20',
      port: 20000,
      rtcpPort: 20001,
      proto: 'RTP/SAVP',
      suites: ['AES_CM_128_HMAC_SHA1_80'],
      direction: 'sendrecv',
    },
  ]);
  t.is(call.media.carrier[0]?.address, '168.86.128.10');
  const [offer, , answer] = call.ladder;
  t.like(offer, {
    index: 0,
    time: '2026-11-28T10:00:01.000Z',
    side: 'customer',
    from: '198.51.100.20:5061',
    to: '54.172.60.1:5061',
    transport: 'tls',
    label: 'INVITE',
    forwarded: true,
    findings: [],
  });
  t.is(offer?.sdp?.role, 'offer');
  t.is(answer?.sdp?.role, 'answer');
  t.is(answer?.sdp?.media[0]?.port, 12000);
  t.is(call.ladder[1]?.sdp, null);
  assertNoKeys(t, call);
});

test('findings: counted per call with codes, worst severity and verdict; kept in the ladder', (t) => {
  const { calls, driver } = store();
  driver.call('bad@pbx', { outOfRange: true });
  const call = calls.call('bad@pbx')!;
  t.is(call.findings, 1);
  t.deepEqual(call.codes, ['media-ip-out-of-range']);
  t.is(call.worstSeverity, 'high');
  t.is(call.verdict, 'fail');
  const withFinding = call.ladder[2]!;
  t.is(withFinding.findings.length, 1);
  t.is(withFinding.findings[0]?.code, 'media-ip-out-of-range');
  t.is(withFinding.findings[0]?.callId, 'bad@pbx');
  t.is(withFinding.findingsOmitted, 0);

  const failOnCritical = store(100, 50_000_000, { failOn: 'critical' });
  failOnCritical.driver.call('bad@pbx', { outOfRange: true });
  t.is(failOnCritical.calls.call('bad@pbx')?.verdict, 'warn');
});

test('egress findings (SDES leaving over UDP) join the ladder, the counts and the findings list; keys redacted', (t) => {
  const { calls, driver } = store();
  driver.send('customer', invite('egress@pbx'), { egress: 'udp', forwarded: true });
  const call = calls.call('egress@pbx')!;
  const codes = call.ladder[0]!.findings.map((finding) => finding.code);
  t.true(codes.includes('sdes-over-insecure-transport'), codes.join());
  t.is(call.findings, codes.length);
  t.true(call.codes.includes('sdes-over-insecure-transport'));
  const listed = calls.findings({ limit: 100 }).findings;
  t.is(listed.length, codes.length);
  t.true(listed.some((finding) => finding.transport === 'udp'));
  assertNoKeys(t, call);
  assertNoKeys(t, listed);
});

test('calls are listed newest first, filtered by state and verdict, with total before the limit', (t) => {
  const { calls, driver } = store();
  driver.call('a@pbx');
  driver.call('b@pbx', { outOfRange: true });
  driver.call('c@pbx', { keepUp: true });
  t.deepEqual(
    calls.calls({ limit: 50 }).calls.map((call) => call.callId),
    ['c@pbx', 'b@pbx', 'a@pbx'],
  );
  const limited = calls.calls({ limit: 2 });
  t.is(limited.total, 3);
  t.deepEqual(
    limited.calls.map((call) => call.callId),
    ['c@pbx', 'b@pbx'],
  );
  t.deepEqual(
    calls.calls({ limit: 50, state: 'active' }).calls.map((call) => call.callId),
    ['c@pbx'],
  );
  const ended = calls.calls({ limit: 50, state: 'ended' });
  t.is(ended.total, 2);
  t.deepEqual(
    calls.calls({ limit: 50, verdict: 'fail' }).calls.map((call) => call.callId),
    ['b@pbx'],
  );
  t.false('ladder' in calls.calls({ limit: 1 }).calls[0]!, 'the list leaves ladders out');
});

test('bounded by count: past maxCalls the least recently active call goes first', (t) => {
  const { calls, driver } = store(3);
  driver.call('1@pbx', { keepUp: true });
  driver.call('2@pbx', { keepUp: true });
  driver.call('3@pbx', { keepUp: true });
  driver.send('customer', bye('1@pbx')); // 1 is now the most recently active
  driver.call('4@pbx', { keepUp: true });
  t.is(calls.size, 3);
  t.is(calls.call('2@pbx'), null, 'the least recently active call was evicted');
  t.deepEqual(
    calls.calls({ limit: 50 }).calls.map((call) => call.callId),
    ['4@pbx', '3@pbx', '1@pbx'],
    'still listed by first appearance',
  );
  t.is(calls.stats().evicted, 1);
  // Messages of an evicted call do not bring it back (only an INVITE starts one).
  driver.send('customer', bye('2@pbx'));
  t.is(calls.call('2@pbx'), null);
});

test('bounded by bytes: calls are evicted to stay about within maxBytes', (t) => {
  const { calls, driver } = store(10_000, 200_000);
  for (let i = 0; i < 200; i++) driver.call(`call-${i}@pbx`, { outOfRange: true });
  const stats = calls.stats();
  t.true(stats.bytes <= 200_000, `${stats.bytes} bytes`);
  t.true(stats.calls < 200, `${stats.calls} calls kept`);
  t.true(stats.calls > 10, `${stats.calls} calls kept`);
  t.is(stats.evicted, 200 - stats.calls);
  t.truthy(calls.call('call-199@pbx'), 'the newest is kept');
  t.is(calls.call('call-0@pbx'), null, 'the oldest went');
});

test("one call's ladder stops at maxLadder messages and counts the rest", (t) => {
  const { calls, driver } = store(100, 50_000_000, { maxLadder: 10 });
  driver.call('long@pbx', { keepUp: true });
  for (let i = 0; i < 20; i++) {
    driver.send(
      'customer',
      message('INFO sip:+14155550199@54.172.60.1:5061;transport=tls SIP/2.0', `${i + 2} INFO`, 'long@pbx'),
    );
  }
  const call = calls.call('long@pbx')!;
  t.is(call.messages, 24);
  t.is(call.ladder.length, 10);
  t.is(call.ladderOmitted, 14);
  t.is(call.ladder[0]?.label, 'INVITE', 'the start of the call is kept');
});

test('the default ladder cap is 200', (t) => {
  const { calls, driver } = store();
  driver.call('chatty@pbx', { keepUp: true });
  for (let i = 0; i < 250; i++) {
    driver.send(
      'customer',
      message('INFO sip:+14155550199@54.172.60.1:5061;transport=tls SIP/2.0', `${i + 2} INFO`, 'chatty@pbx'),
    );
  }
  const call = calls.call('chatty@pbx')!;
  t.is(call.ladder.length, 200);
  t.is(call.ladderOmitted, 54);
});

test('a failed INVITE ends the call; the retried INVITE with the same Call-ID makes it active again', (t) => {
  const { calls, driver } = store();
  driver.send('customer', invite('auth@pbx'));
  driver.send('carrier', response('407 Proxy Authentication Required', '1 INVITE', 'auth@pbx'));
  t.like(calls.call('auth@pbx'), { state: 'ended', ended: 'failed', finalStatus: 407 });
  driver.send(
    'customer',
    message(
      'INVITE sip:+14155550199@trunk.pstn.twilio.com SIP/2.0',
      '2 INVITE',
      'auth@pbx',
      sdesSdp(1, '198.51.100.20', 20000, keyFor('pbx:auth@pbx')),
    ),
  );
  const call = calls.call('auth@pbx')!;
  t.like(call, { state: 'active', ended: null, finalStatus: null, messages: 3 });
  t.is(calls.size, 1);
});

test('messages outside calls (OPTIONS, unreadable bytes) start no call; their findings are listed', (t) => {
  const { calls, driver } = store();
  driver.send('carrier', message('OPTIONS sip:pbx.example.com SIP/2.0', '1 OPTIONS', 'ping@twilio'));
  driver.send('customer', Buffer.from('HELLO WORLD\r\n\r\n'));
  t.is(calls.size, 0);
  const listed = calls.findings({ limit: 10 }).findings;
  t.deepEqual(
    listed.map((finding) => [finding.code, finding.side]),
    [['malformed-message', 'customer']],
  );
});

test('findings: newest first, filters (code, minimum severity, side, since), pages with next', (t) => {
  const { calls, driver } = store();
  for (let i = 0; i < 5; i++) driver.call(`bad-${i}@pbx`, { outOfRange: true });
  driver.send('customer', invite('clear@pbx'), { egress: 'udp' });
  const all = calls.findings({ limit: 500 });
  t.is(all.next, null);
  t.is(all.findings[0]?.callId, 'clear@pbx', 'newest first');
  t.is(all.findings.at(-1)?.callId, 'bad-0@pbx');
  const outOfRange = calls.findings({ limit: 500, code: 'media-ip-out-of-range' }).findings;
  t.deepEqual(
    outOfRange.map((finding) => finding.callId),
    ['bad-4@pbx', 'bad-3@pbx', 'bad-2@pbx', 'bad-1@pbx', 'bad-0@pbx'],
  );
  t.true(
    calls
      .findings({ limit: 500, minSeverity: 'high' })
      .findings.every((f) => ['high', 'critical'].includes(f.severity)),
  );
  t.deepEqual(
    calls.findings({ limit: 500, side: 'carrier' }).findings.map((finding) => finding.code),
    outOfRange.map((finding) => finding.code),
  );
  const since = Date.parse(outOfRange[1]!.time);
  t.deepEqual(
    calls.findings({ limit: 500, code: 'media-ip-out-of-range', since }).findings.map((f) => f.callId),
    ['bad-4@pbx', 'bad-3@pbx'],
  );

  const pages: string[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = calls.findings({
      limit: 2,
      code: 'media-ip-out-of-range',
      ...(before !== undefined && { before }),
    });
    pages.push(page.findings.map((finding) => finding.callId!));
    if (page.next === null) break;
    before = page.next;
  }
  t.deepEqual(pages, [['bad-4@pbx', 'bad-3@pbx'], ['bad-2@pbx', 'bad-1@pbx'], ['bad-0@pbx']]);
});

test('the findings list keeps at most maxFindings, the newest', (t) => {
  const { calls, driver } = store(100, 50_000_000, { maxFindings: 3 });
  for (let i = 0; i < 5; i++) driver.call(`bad-${i}@pbx`, { outOfRange: true });
  t.deepEqual(
    calls.findings({ limit: 500 }).findings.map((finding) => finding.callId),
    ['bad-4@pbx', 'bad-3@pbx', 'bad-2@pbx'],
  );
  t.is(calls.stats().findings, 3);
});

test('a kept finding is a copy, equal to what the judge reported', (t) => {
  const { calls, driver } = store();
  driver.send('customer', invite('x@pbx'));
  const judged = driver.send('carrier', response('200 OK', '1 INVITE', 'x@pbx', answerOutOfRange('x@pbx')));
  const kept = calls.findings({ limit: 1 }).findings[0]!;
  t.deepEqual(kept, judged.findings[0]);
  t.not(kept, judged.findings[0]);
});

test('no key material anywhere, even from a broken a=crypto line that puts the key where the suite goes', (t) => {
  const { calls, driver } = store();
  const broken = sdesSdp(1, '198.51.100.20', 20000, keyFor('pbx:auth@pbx')).replace(
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:',
    'a=crypto:1 inline:',
  );
  driver.send('customer', invite('broken@pbx', broken));
  driver.send('carrier', response('200 OK', '1 INVITE', 'broken@pbx', answerOutOfRange('broken@pbx')), {
    egress: 'udp',
  });
  const call = calls.call('broken@pbx')!;
  t.true(call.findings > 0);
  assertNoKeys(t, call);
  assertNoKeys(t, calls.calls({ limit: 50 }));
  assertNoKeys(t, calls.findings({ limit: 500 }));
});

/** Carrier SDP with `count` plain-RTP m= lines outside Twilio's range: one finding per m= line and more. */
function manyMediaSdp(count: number): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 192.0.2.99', 's=-', 'c=IN IP4 192.0.2.99', 't=0 0'];
  for (let i = 0; i < count; i++) lines.push(`m=audio ${12000 + 2 * i} RTP/AVP 0`);
  return `${lines.join('\r\n')}\r\n`;
}

test('a message with many m= lines and findings: listed up to the caps, the rest counted', (t) => {
  const { calls, driver } = store();
  driver.send('customer', invite('many@pbx'));
  const judged = driver.send('carrier', response('200 OK', '1 INVITE', 'many@pbx', manyMediaSdp(150)));
  t.true(judged.findings.length > MAX_ENTRY_FINDINGS);
  const call = calls.call('many@pbx')!;
  const entry = call.ladder[1]!;
  t.is(entry.sdp?.media.length, MAX_MEDIA);
  t.is(entry.sdp?.mediaOmitted, 150 - MAX_MEDIA);
  t.is(entry.findings.length, MAX_ENTRY_FINDINGS);
  t.is(entry.findingsOmitted, judged.findings.length - MAX_ENTRY_FINDINGS);
  t.is(call.media.carrier.length, MAX_MEDIA);
  t.is(call.findings, judged.findings.length, 'every finding still counts');
  t.is(calls.findings({ limit: 500 }).findings.length, judged.findings.length, 'and is listed');
});

test('one hostile call cannot take more than a quarter of the calls’ share: its ladder stops, others stay', (t) => {
  const { calls, driver } = store(100, 400_000);
  driver.call('quiet@pbx');
  driver.send('customer', invite('noisy@pbx'));
  for (let i = 0; i < 50; i++) {
    driver.send('carrier', response('183 Session Progress', '1 INVITE', 'noisy@pbx', manyMediaSdp(100)));
  }
  const noisy = calls.call('noisy@pbx')!;
  t.is(noisy.messages, 51);
  t.true(noisy.ladderOmitted > 0, `${noisy.ladder.length} kept`);
  t.truthy(calls.call('quiet@pbx'), 'the other call was not pushed out');
  t.true(calls.stats().bytes <= 400_000);
});
