import test from 'ava';
import type { LimitName } from '../../src/proxy/limits.js';
import { LimitHits } from '../../src/report/limit-hits.js';
import { actionOf, captureLog, fieldOf } from '../log-line.js';

function setup() {
  const { logger, lines } = captureLog();
  let clock = 1_000_000;
  const seen: LimitName[] = [];
  const hits = new LimitHits(logger, 10_000, [{ limitHit: (limit) => seen.push(limit) }], () => clock);
  return { lines, hits, seen, advance: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the first hit of a limit is logged at once, the rest of the interval only counted', async (t) => {
  const { lines, hits, seen, advance } = setup();
  for (let i = 0; i < 1000; i++)
    hits.hit('vias', '71 Via header fields, over the limit of 70', `192.0.2.${i % 250}:5060`);
  await settle();
  t.is(lines.length, 1);
  t.is(actionOf(lines[0]), 'limit-hit');
  t.is(fieldOf(lines[0], 'trunkguard.limit'), 'vias');
  t.is(fieldOf(lines[0], 'source.address'), '192.0.2.0:5060');
  t.is(seen.length, 1000, 'every hit reaches the metric');
  t.is(hits.totals.get('vias'), 1000);

  hits.flush();
  await settle();
  t.is(lines.length, 1, 'an interval still running is not flushed');
  advance(10_000);
  hits.flush();
  await settle();
  t.is(lines.length, 2);
  t.is(actionOf(lines[1]), 'limit-hits-suppressed');
  t.is(fieldOf(lines[1], 'trunkguard.count'), 999);
  t.is(fieldOf(lines[1], 'trunkguard.last_source'), '192.0.2.249:5060');
});

test('each limit has its own interval; a hit after the interval logs again', async (t) => {
  const { lines, hits, advance } = setup();
  hits.hit('headers', 'a', null);
  hits.hit('sdp-lines', 'b', null);
  hits.hit('headers', 'c', null);
  advance(10_001);
  hits.hit('headers', 'd', null);
  await settle();
  t.deepEqual(
    lines.map((line) => [actionOf(line), fieldOf(line, 'trunkguard.limit')]),
    [
      ['limit-hit', 'headers'],
      ['limit-hit', 'sdp-lines'],
      ['limit-hits-suppressed', 'headers'],
      ['limit-hit', 'headers'],
    ],
  );
  hits.flush(true);
  await settle();
  t.is(lines.length, 4, 'nothing suppressed, nothing more to say');
});
