/** LogBudget: lines outsiders can cause at will are written LOG_BURST times per kind and interval, then counted. */
import test from 'ava';
import { LOG_BURST, lineBudget } from '../../src/report/log-budget.js';
import { actionOf, captureLog, fieldOf } from '../log-line.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('per kind: the first LOG_BURST lines pass, the rest are counted into one line at the end of the interval', async (t) => {
  const { logger, lines } = captureLog();
  let clock = 0;
  const budget = lineBudget(logger, 10_000, () => clock);
  const admitted = Array.from({ length: 100 }, () => budget.admit('connection-problem tls-handshake'));
  t.is(admitted.filter(Boolean).length, LOG_BURST);
  t.true(budget.admit('source-blocked'), 'another kind has its own budget');
  budget.flush();
  await settle();
  t.is(lines.length, 0, 'the interval is not over');
  clock += 10_000;
  t.true(budget.admit('connection-problem tls-handshake'), 'a new interval: written again, after the count');
  await settle();
  t.deepEqual(
    lines.map((line) => [
      actionOf(line),
      fieldOf(line, 'trunkguard.kind'),
      fieldOf(line, 'trunkguard.count'),
    ]),
    [['log-lines-suppressed', 'connection-problem tls-handshake', 100 - LOG_BURST]],
  );
});
