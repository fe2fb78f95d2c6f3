/**
 * `npm run lab -- --once`: the whole lab (trunkguard, the simulated Twilio edge and PBX in SIPp,
 * every scenario of lab/scenarios.ts) runs and exits 0, its table listing every scenario PASS,
 * and it leaves no process behind. Needs SIPp (Debian sip-tester), like the proxy e2e tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { SCENARIOS } from '../../lab/scenarios.js';
import { startProcess } from '../e2e/harness/processes.js';
import { REPO_ROOT } from '../e2e/harness/proxy.js';

const RUNNER = join(REPO_ROOT, 'dist', 'lab', 'run.js');

/** PIDs of live processes whose parent is pid (from /proc). */
function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

test('npm run lab -- --once: every scenario PASS, exit 0, nothing left running', async (t) => {
  const lab = startProcess(process.execPath, [RUNNER, '--once', '--http', '127.0.0.1:0'], {
    cwd: REPO_ROOT,
    name: 'lab',
    t,
  });
  const started = Date.now();
  // Bounded: the lab takes a few seconds; 60 s leaves room for a loaded 2-core CI machine.
  const exit = await lab.waitForExit(60_000);
  const output = lab.lines.join('\n');
  t.log(`lab run: ${Date.now() - started} ms`);
  t.deepEqual(exit, { code: 0, signal: null }, output);
  const rows = new Map(
    lab.lines
      .map((line) => line.split(' | ').map((cell) => cell.trim()))
      .filter((cells) => cells.length === 4)
      .map((cells) => [cells[0], cells[3]] as const),
  );
  for (const scenario of SCENARIOS) t.is(rows.get(scenario.id), 'PASS', `${scenario.id}\n${output}`);
  t.regex(output, new RegExp(`^${SCENARIOS.length} passed, 0 failed`, 'm'));
  t.regex(output, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
  // The runner stops its proxy and SIPp peers (their own process groups) before exiting.
  t.deepEqual(childrenOf(lab.pid), []);
});
