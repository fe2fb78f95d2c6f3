/**
 * FindingLogThrottle: per-packet findings (garbage, scanners) are logged once per code, source
 * and method per interval and counted; call findings always pass.
 */
import test from 'ava';
import type { Finding } from '../../src/policy/finding.js';
import { FindingLogThrottle } from '../../src/report/finding-log-throttle.js';
import { actionOf, captureLog, fieldOf } from '../log-line.js';

function finding(code: string, src: string, method: string | null = 'OPTIONS'): Finding {
  return {
    code,
    severity: 'medium',
    side: 'customer',
    message: `${code} test`,
    callId: null,
    cseq: null,
    method,
    status: null,
    mediaIndex: null,
    evidence: null,
    messageIndex: 0,
    src,
    dst: '192.0.2.1:5060',
    transport: 'udp',
    time: '2026-12-06T00:00:00.000Z',
  } as Finding;
}

function setup() {
  const { logger, lines } = captureLog();
  let clock = 0;
  const throttle = new FindingLogThrottle(logger, 10_000, () => clock);
  return { lines, throttle, advance: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a scanner source: the first five findings per method are logged, the rest counted into one line per interval', async (t) => {
  const { lines, throttle, advance } = setup();
  const admitted: boolean[] = [];
  for (let i = 0; i < 500; i++)
    admitted.push(throttle.admit(finding('scanner-user-agent', '192.0.2.66:5070')));
  admitted.push(throttle.admit(finding('scanner-user-agent', '192.0.2.66:5071', 'INVITE')));
  admitted.push(throttle.admit(finding('scanner-user-agent', '[2001:db8::66]:5070')));
  t.deepEqual(
    admitted.map((ok, index) => (ok ? index : -1)).filter((index) => index >= 0),
    [0, 1, 2, 3, 4, 500, 501],
    'BURST (5) per source and method: OPTIONS and INVITE from 192.0.2.66, and the IPv6 source',
  );
  throttle.flush();
  await settle();
  t.is(lines.length, 0, 'the interval is not over');
  advance(10_000);
  throttle.flush();
  await settle();
  t.is(lines.length, 1);
  t.is(actionOf(lines[0]), 'findings-suppressed');
  t.is(fieldOf(lines[0], 'trunkguard.count'), 495);
  t.is(fieldOf(lines[0], 'trunkguard.source'), '192.0.2.66');
  t.is(fieldOf(lines[0], 'trunkguard.method'), 'OPTIONS');
  t.true(throttle.admit(finding('scanner-user-agent', '192.0.2.66:5070')), 'a new interval logs again');
});

test('findings about calls are never held back', (t) => {
  const { throttle } = setup();
  for (let i = 0; i < 100; i++)
    t.true(throttle.admit(finding('media-ip-out-of-range', '54.172.60.1:5060', 'INVITE')));
});

test('an interval that ended is flushed by the next finding even without a sweep', async (t) => {
  const { lines, throttle, advance } = setup();
  for (let i = 0; i < 6; i++) throttle.admit(finding('malformed-message', '198.51.100.9:5060', null));
  advance(12_000);
  t.true(throttle.admit(finding('malformed-message', '198.51.100.9:5060', null)));
  await settle();
  t.deepEqual(
    lines.map((line) => [
      actionOf(line),
      fieldOf(line, 'trunkguard.count'),
      fieldOf(line, 'trunkguard.method'),
    ]),
    [['findings-suppressed', 1, null]],
  );
});
