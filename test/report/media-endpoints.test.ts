/**
 * MediaEndpoints: the carrier's media prefixes (/24, /48) from its SDP offers and answers, fed as
 * SipProxy feeds its observers (test/api/call-fixture.ts) against the shipped Twilio profile
 * (168.86.128.0/18): exact counts, the port buckets, the outside flag, IPv6 /48, and the bounds.
 */
import test from 'ava';
import { parseCidr, parseIp } from '../../src/policy/cidr.js';
import { MediaEndpoints, type MediaEndpointsOptions, prefixOf } from '../../src/report/media-endpoints.js';
import { ack, CONFIG, invite, keyFor, ProxyDriver, response } from '../api/call-fixture.js';

/** An SDES SDP with one audio m= line per [address, port] (each with its own c= line). */
function sdpWith(callId: string, streams: readonly (readonly [string, number])[]): string {
  const lines = [
    'v=0',
    `o=- 7 1 IN IP4 ${streams[0]![0].includes(':') ? '168.86.128.1' : streams[0]![0]}`,
    's=-',
    't=0 0',
  ];
  streams.forEach(([address, port], index) => {
    lines.push(
      `m=audio ${port} RTP/SAVP 0`,
      `c=IN ${address.includes(':') ? 'IP6' : 'IP4'} ${address}`,
      'a=rtpmap:0 PCMU/8000',
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${keyFor(`media-endpoints:${callId}:${index}`)}|2^31`,
      'a=sendrecv',
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}

function setup(options: Partial<MediaEndpointsOptions> = {}) {
  const endpoints = new MediaEndpoints(CONFIG.profile, options);
  const driver = new ProxyDriver(endpoints);
  /** A call whose carrier answer puts media on these streams. */
  const call = (callId: string, streams: readonly (readonly [string, number])[], time?: string) => {
    driver.send('customer', invite(callId));
    driver.send(
      'carrier',
      response('200 OK', '1 INVITE', callId, sdpWith(callId, streams)),
      time ? { time } : {},
    );
    driver.send('customer', ack(callId));
  };
  return { endpoints, driver, call };
}

test('aggregates per /24: messages, distinct calls, first/last seen, port buckets, inside the published range', (t) => {
  const { endpoints, call } = setup();
  call('a@pbx', [['168.86.128.10', 12000]], '2026-11-28T10:00:00.000Z');
  call(
    'b@pbx',
    [
      ['168.86.128.200', 12500],
      ['168.86.128.201', 23456],
    ],
    '2026-11-28T11:00:00.000Z',
  );
  call('c@pbx', [['168.86.129.5', 59999]], '2026-11-28T12:00:00.000Z');
  const snapshot = endpoints.snapshot();
  t.is(snapshot.profile, 'twilio');
  t.deepEqual(snapshot.published, ['168.86.128.0/18']);
  t.deepEqual(snapshot.prefixes, [
    {
      prefix: '168.86.128.0/24',
      inPublishedRange: '168.86.128.0/18',
      outside: false,
      firstSeen: '2026-11-28T10:00:00.000Z',
      lastSeen: '2026-11-28T11:00:00.000Z',
      calls: 2,
      callsCapped: false,
      messages: 2,
      ports: { '12000-12999': 2, '23000-23999': 1 },
    },
    {
      prefix: '168.86.129.0/24',
      inPublishedRange: '168.86.128.0/18',
      outside: false,
      firstSeen: '2026-11-28T12:00:00.000Z',
      lastSeen: '2026-11-28T12:00:00.000Z',
      calls: 1,
      callsCapped: false,
      messages: 1,
      ports: { '59000-59999': 1 },
    },
  ]);
  t.is(snapshot.outside, 0);
  t.is(snapshot.overflow, 0);
});

test('customer-side SDP is not counted; an out-of-order time widens first/last seen', (t) => {
  const { endpoints, driver, call } = setup();
  call('a@pbx', [['168.86.128.10', 12000]], '2026-11-28T10:00:00.000Z');
  call('b@pbx', [['168.86.128.11', 12000]], '2026-11-28T09:00:00.000Z');
  const [only] = endpoints.snapshot().prefixes;
  t.is(endpoints.snapshot().prefixes.length, 1, 'the PBX offers (198.51.100.20) are customer side');
  t.is(only?.firstSeen, '2026-11-28T09:00:00.000Z');
  t.is(only?.lastSeen, '2026-11-28T10:00:00.000Z');
  // A message without SDP and one from the customer change nothing.
  driver.send('carrier', response('180 Ringing', '1 INVITE', 'a@pbx'));
  t.is(endpoints.snapshot().prefixes[0]?.messages, 2);
});

test('outside the published range: flagged and counted; sorted by messages', (t) => {
  const { endpoints, call } = setup();
  call('a@pbx', [['203.0.113.50', 20000]]);
  call('b@pbx', [['203.0.113.51', 20000]]);
  call('c@pbx', [['168.86.128.10', 12000]]);
  const snapshot = endpoints.snapshot();
  t.deepEqual(
    snapshot.prefixes.map((entry) => [entry.prefix, entry.inPublishedRange, entry.outside, entry.messages]),
    [
      ['203.0.113.0/24', null, true, 2],
      ['168.86.128.0/24', '168.86.128.0/18', false, 1],
    ],
  );
  t.is(snapshot.outside, 1);
});

test('IPv6 is grouped by /48; under an IPv4-only profile it is not judged (not flagged outside)', (t) => {
  const { endpoints, call } = setup();
  call('a@pbx', [['2001:db8:1:2::10', 14000]]);
  call('b@pbx', [['2001:db8:1:ffff::1', 14001]]);
  const snapshot = endpoints.snapshot();
  t.deepEqual(
    snapshot.prefixes.map((entry) => [entry.prefix, entry.inPublishedRange, entry.outside, entry.calls]),
    [['2001:db8:1::/48', null, false, 2]],
  );
  t.is(snapshot.outside, 0);
  t.is(prefixOf(parseIp('2001:db8::1')!), '2001:db8::/48');
  t.is(prefixOf(parseIp('2001:0:0:1::1')!), '2001::/48');
  t.is(prefixOf(parseIp('::ffff:168.86.128.9')!), '168.86.128.0/24', 'IPv4-mapped counts as IPv4');
});

test('bounds: prefixes past maxPrefixes are counted in overflow; calls stop at the per-prefix cap', (t) => {
  const { endpoints, call } = setup({ maxPrefixes: 2, maxCallsPerPrefix: 2 });
  call('a@pbx', [['168.86.128.10', 12000]]);
  call('b@pbx', [['168.86.128.10', 12000]]);
  call('b@pbx', [['168.86.128.10', 12000]]); // the same Call-ID again: not a new call
  call('c@pbx', [['168.86.128.10', 12000]]);
  call('d@pbx', [['168.86.129.10', 12000]]);
  call('e@pbx', [
    ['168.86.130.10', 12000],
    ['168.86.131.10', 12000],
  ]);
  const snapshot = endpoints.snapshot();
  t.deepEqual(
    snapshot.prefixes.map((entry) => [entry.prefix, entry.calls, entry.callsCapped, entry.messages]),
    [
      ['168.86.128.0/24', 2, true, 4],
      ['168.86.129.0/24', 1, false, 1],
    ],
  );
  t.is(snapshot.overflow, 2);
  t.is(endpoints.size, 2);
});

test('the global call-hash budget caps calls across prefixes', (t) => {
  const { endpoints, call } = setup({ maxCallIds: 1 });
  call('a@pbx', [['168.86.128.10', 12000]]);
  call('b@pbx', [['168.86.129.10', 12000]]);
  t.deepEqual(
    endpoints.snapshot().prefixes.map((entry) => [entry.prefix, entry.calls, entry.callsCapped]),
    [
      ['168.86.128.0/24', 1, false],
      ['168.86.129.0/24', 0, true],
    ],
  );
});

test('rejected (port 0) and held (c=0.0.0.0) streams are not endpoints', (t) => {
  const { endpoints, call } = setup();
  call('a@pbx', [
    ['168.86.128.10', 0],
    ['0.0.0.0', 12000],
    ['168.86.129.10', 12000],
  ]);
  t.deepEqual(
    endpoints.snapshot().prefixes.map((entry) => entry.prefix),
    ['168.86.129.0/24'],
  );
});

test('a profile publishing IPv6 ranges judges /48s: inside one, or flagged outside', (t) => {
  const range = CONFIG.profile.mediaRanges[0]!;
  const cidr = parseCidr('2001:db8:1::/48');
  if (typeof cidr === 'string') throw new Error(cidr);
  const profile = { ...CONFIG.profile, mediaRanges: [range, { ...range, cidr }] };
  const endpoints = new MediaEndpoints(profile);
  const driver = new ProxyDriver(endpoints);
  for (const [callId, address] of [
    ['a@pbx', '2001:db8:1:2::10'],
    ['b@pbx', '2001:db8:2::10'],
  ] as const) {
    driver.send('customer', invite(callId));
    driver.send('carrier', response('200 OK', '1 INVITE', callId, sdpWith(callId, [[address, 14000]])));
  }
  const snapshot = endpoints.snapshot();
  t.deepEqual(snapshot.published, ['168.86.128.0/18', '2001:db8:1::/48']);
  t.deepEqual(
    snapshot.prefixes.map((entry) => [entry.prefix, entry.inPublishedRange, entry.outside]),
    [
      ['2001:db8:1::/48', '2001:db8:1::/48', false],
      ['2001:db8:2::/48', null, true],
    ],
  );
  t.is(snapshot.outside, 1);
});
