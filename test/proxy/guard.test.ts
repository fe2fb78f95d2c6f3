/**
 * The flood guard's pieces with an injected clock: the request-rate window (pike-like), the
 * exemptions (next hops, carrierPeers, flood.exempt CIDRs), the bound on tracked sources, and
 * blocks that end on time.
 */
import test from 'ava';
import { parseCidr } from '../../src/policy/cidr.js';
import { Exemptions } from '../../src/proxy/guard/exemptions.js';
import { Guard } from '../../src/proxy/guard/guard.js';
import { RequestRate } from '../../src/proxy/guard/request-rate.js';
import type { Block, Unblock } from '../../src/proxy/guard/source-blocklist.js';
import { DEFAULT_FLOOD_LIMITS, type FloodLimits } from '../../src/proxy/limits.js';

/** 10/s over 2 s: 20 requests allowed in a window. */
const LIMITS = { requestsPerSecond: 10, windowSeconds: 2, maxSources: 100 };

/** Sends `count` requests from `source` spread evenly over [start, start + spanMs); returns the trips. */
function burst(rate: RequestRate, source: string, count: number, start: number, spanMs: number) {
  const trips = [];
  for (let i = 0; i < count; i++) {
    const trip = rate.count(source, start + Math.floor((i * spanMs) / count));
    if (trip !== null) trips.push(trip);
  }
  return trips;
}

test('at the rate: no trip; one request over it: exactly one trip, with the count', (t) => {
  const rate = new RequestRate(LIMITS);
  t.deepEqual(burst(rate, '203.0.113.9', 20, 0, 1000), [], '20 requests in a 2 s window is the limit');
  const trip = rate.count('203.0.113.9', 1000);
  t.deepEqual(trip, { requests: 21, windowSeconds: 2, requestsPerSecond: 10 });
  t.deepEqual(burst(rate, '203.0.113.9', 500, 1001, 900), [], 'still flooding: not reported again');
});

test('a steady source just under the rate is never reported, across many windows', (t) => {
  const rate = new RequestRate(LIMITS);
  // 9 per second for a minute. (The two-bucket estimate assumes the previous window's requests
  // were spread evenly, so a perfectly periodic source at exactly the rate reads one over.)
  t.deepEqual(burst(rate, '198.51.100.1', 540, 0, 60_000), []);
  // The same source at 11 per second is reported once.
  t.is(burst(rate, '198.51.100.1', 660, 60_000, 60_000).length, 1);
});

test('calm for a full window, then a flood again: a second trip', (t) => {
  const rate = new RequestRate(LIMITS);
  t.is(burst(rate, '203.0.113.9', 100, 0, 1000).length, 1);
  // Still over at 2.5 s (the first window's weight): no new report, and not yet calm.
  t.is(burst(rate, '203.0.113.9', 30, 2000, 500).length, 0);
  // Below the rate (2/s) for more than a full window after the last over-rate request.
  t.is(burst(rate, '203.0.113.9', 12, 3000, 6000).length, 0);
  t.is(burst(rate, '203.0.113.9', 100, 10_000, 1000).length, 1, 'a new flood is a new finding');
});

test('over the rate but not calm for a full window: no second trip', (t) => {
  const rate = new RequestRate(LIMITS);
  t.is(burst(rate, '203.0.113.9', 50, 0, 1000).length, 1);
  // A short quiet spell (under a window since the last over-rate request), then more flooding.
  t.is(rate.count('203.0.113.9', 2500), null);
  t.is(burst(rate, '203.0.113.9', 60, 2600, 500).length, 0);
});

test('each source has its own window', (t) => {
  const rate = new RequestRate(LIMITS);
  t.is(burst(rate, '203.0.113.9', 100, 0, 1000).length, 1);
  t.deepEqual(burst(rate, '203.0.113.10', 20, 0, 1000), []);
});

test('requestsPerSecond 0 turns counting off', (t) => {
  const rate = new RequestRate({ ...LIMITS, requestsPerSecond: 0 });
  t.deepEqual(burst(rate, '203.0.113.9', 10_000, 0, 100), []);
  t.is(rate.size, 0);
});

test('the table keeps at most maxSources, forgetting the least recently seen', (t) => {
  const rate = new RequestRate({ ...LIMITS, maxSources: 3 });
  for (const [i, source] of ['10.0.0.1', '10.0.0.2', '10.0.0.3'].entries()) {
    burst(rate, source, 20, i, 1); // each at the limit
  }
  // 10.0.0.1 seen again (10.0.0.2 is now the least recent): it kept its count, 21 > 20.
  t.not(rate.count('10.0.0.1', 10), null);
  t.is(rate.size, 3);
  t.is(rate.count('10.0.0.4', 12), null);
  t.is(rate.size, 3);
  t.is(rate.evictions, 1);
  // 10.0.0.2 was forgotten: it starts again from zero, 20 more are allowed.
  t.deepEqual(burst(rate, '10.0.0.2', 20, 13, 1), []);
  t.is(rate.evictions, 2, '10.0.0.3 made room for it');
  // 10.0.0.3 was still at its limit; forgotten, it starts over too.
  t.is(rate.count('10.0.0.3', 14), null);
});

function guardWith(flood: Partial<FloodLimits>, exemptions = new Exemptions([])) {
  const blocked: Block[] = [];
  const unblocked: Unblock[] = [];
  const guard = new Guard(
    { ...DEFAULT_FLOOD_LIMITS, requestsPerSecond: 10, windowSeconds: 2, ...flood },
    exemptions,
    {
      blocked: (block) => blocked.push(block),
      unblocked: (unblock) => unblocked.push(unblock),
    },
  );
  return { guard, blocked, unblocked };
}

function flood(guard: Guard, host: string, count: number, now: number): number {
  let trips = 0;
  for (let i = 0; i < count; i++) if (guard.request(host, now) !== null) trips++;
  return trips;
}

test('exempt sources are never counted: next hops, carrierPeers, flood.exempt CIDRs', (t) => {
  const peer = parseCidr('192.0.2.0/28');
  if (typeof peer === 'string') throw new Error(peer);
  const exemptions = new Exemptions(['198.51.100.0/24', '2001:db8::/32'], [peer]);
  exemptions.addAddress('203.0.113.1'); // the carrier next hop
  const { guard, blocked } = guardWith({ block: true }, exemptions);
  for (const host of ['203.0.113.1', '192.0.2.5', '198.51.100.77', '2001:db8::5', '::ffff:203.0.113.1']) {
    t.is(flood(guard, host, 1000, 0), 0, host);
    guard.scanner(host, 0);
  }
  t.is(guard.trackedSources, 0);
  t.deepEqual(blocked, []);
  // Just outside each: counted.
  for (const host of ['203.0.113.2', '192.0.2.16', '198.51.101.1', '2001:db9::5']) {
    t.is(flood(guard, host, 1000, 0), 1, host);
  }
});

test('an invalid flood.exempt entry is refused with its text', (t) => {
  t.throws(() => new Exemptions(['1.2.3']), {
    message: /flood\.exempt: "1\.2\.3" is not an IPv4 or IPv6 address/,
  });
  t.throws(() => new Exemptions(['10.0.0.0/33']), { message: /prefix length/ });
});

test('block off (the default): a flood is reported and nothing is dropped', (t) => {
  const { guard, blocked } = guardWith({ block: false });
  t.is(flood(guard, '203.0.113.9', 100, 0), 1);
  guard.scanner('203.0.113.9', 0);
  t.false(guard.drops('203.0.113.9', 1));
  t.deepEqual(blocked, []);
});

test('block on: a flooding source is dropped for blockSeconds, then unblocked once', (t) => {
  const { guard, blocked, unblocked } = guardWith({ block: true, blockSeconds: 60 });
  t.is(flood(guard, '203.0.113.9', 21, 1000), 1);
  t.like(blocked, [{ source: '203.0.113.9', reason: 'request-flood', since: 1000, until: 61_000 }]);
  t.true(guard.drops('203.0.113.9', 2000));
  t.true(guard.drops('203.0.113.9', 60_999));
  t.false(guard.drops('203.0.113.10', 2000), 'another source is not');
  t.deepEqual(unblocked, []);
  t.false(guard.drops('203.0.113.9', 61_000), 'the block is over');
  t.like(unblocked, [{ block: { source: '203.0.113.9' }, dropped: 2, why: 'expired' }]);
  t.false(guard.drops('203.0.113.9', 61_001));
  t.is(unblocked.length, 1, 'unblocked once');
  t.is(guard.blockedSources, 0);
});

test('block on: a scanner is blocked; the sweep lifts blocks that are over', (t) => {
  const { guard, blocked, unblocked } = guardWith({ block: true, blockSeconds: 10 });
  guard.scanner('192.0.2.66', 0);
  guard.scanner('192.0.2.66', 5); // already blocked: one block, one log line
  guard.scanner('192.0.2.67', 5000);
  t.is(blocked.length, 2);
  t.like(blocked[0], { source: '192.0.2.66', reason: 'scanner-user-agent', until: 10_000 });
  guard.sweep(9999);
  t.deepEqual(unblocked, []);
  guard.sweep(10_000);
  t.is(unblocked.length, 1);
  t.like(unblocked[0], { block: { source: '192.0.2.66' }, why: 'expired' });
  t.true(guard.drops('192.0.2.67', 14_999));
  guard.sweep(20_000);
  t.is(unblocked.length, 2);
  t.is(guard.blockedSources, 0);
});

test('the blocklist is bounded by maxSources: the block ending first is lifted', (t) => {
  const { guard, unblocked } = guardWith({ block: true, blockSeconds: 100, maxSources: 100 });
  for (let i = 0; i < 101; i++) guard.scanner(`192.0.2.${i}`, i);
  t.is(guard.blockedSources, 100);
  t.like(unblocked, [{ block: { source: '192.0.2.0' }, why: 'evicted' }]);
  t.false(guard.drops('192.0.2.0', 200));
  t.true(guard.drops('192.0.2.100', 200));
});
