#!/usr/bin/env node
// Passes ava's TAP output through and closes with the line CI reads: "N passed, N failed".
// Its exit status is the verdict, because `ava --tap | node ...` in an npm script has no pipefail:
// non-zero when a test failed, was skipped or left as todo (a skipped test is a failure not yet
// admitted), when ava bailed out, or when no test ran at all.
import { createInterface } from 'node:readline';

const counts = { tests: null, pass: 0, fail: 0, skip: 0, todo: 0 };
let bailedOut = false;
let notOk = 0;

const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
for await (const line of lines) {
  process.stdout.write(`${line}\n`);
  const summary = /^# (tests|pass|fail|skip|todo) (\d+)$/.exec(line);
  if (summary) counts[summary[1]] = Number(summary[2]);
  if (/^not ok /.test(line)) notOk++;
  if (/^Bail out!/.test(line)) bailedOut = true;
}

const failed = Math.max(counts.fail, notOk - counts.skip - counts.todo, 0);
const extra = counts.skip + counts.todo > 0 ? `, ${counts.skip + counts.todo} skipped` : '';
process.stdout.write(`${counts.pass} passed, ${failed} failed${extra}\n`);
const ranNothing = counts.tests === null || counts.tests === 0;
if (ranNothing) process.stderr.write('tap-summary: no test ran (no "# tests N" line with N > 0)\n');
process.exitCode = failed > 0 || bailedOut || ranNothing || counts.skip + counts.todo > 0 ? 1 : 0;
