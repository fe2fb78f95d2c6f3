/**
 * The progress line of `trunkguard check`, seen through a real pseudo-terminal: util-linux
 * `script` (Debian bsdutils, always installed) runs the CLI with stdin, stdout and stderr on a pty
 * and copies what the terminal shows, stdout and stderr together.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { root } from './cli.js';

const cli = join(root, 'dist', 'src', 'cli.js');
const capture = join(root, 'test', 'fixtures', 'pcap', 'sipp-udp-lo.pcap');
const PROGRESS = /\rtrunkguard check: read 0\.0 of 0\.0 MiB \(100%\)\x1b\[K/;

/** What a terminal shows while `shellCommand` runs with its streams on a pty. */
function onTerminal(shellCommand: string): Promise<{ code: number; shown: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'script',
      ['--quiet', '--return', '--command', shellCommand, '/dev/null'],
      { cwd: root, timeout: 30_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, shown: stdout });
      },
    );
  });
}

const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
const check = (...args: string[]) => [process.execPath, cli, 'check', ...args, capture].map(quoted).join(' ');

test('a text report on a terminal: the progress line, erased before the report', async (t) => {
  const { code, shown } = await onTerminal(check());
  t.is(code, 1, shown);
  t.regex(shown, PROGRESS);
  // Erased before the report starts: the report's first line follows the erase.
  t.regex(shown, /\(100%\)\x1b\[K\r\x1b\[Ktrunkguard check: profile twilio/);
});

test('no progress line when the report is redirected to a file, or with --format json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-progress-'));
  const report = join(dir, 'report.txt');
  const redirected = await onTerminal(`${check()} > ${quoted(report)}`);
  t.is(redirected.code, 1);
  t.is(redirected.shown, '', 'stderr is the terminal, stdout a file: nothing drawn');
  t.regex(readFileSync(report, 'utf8'), /^trunkguard check: profile twilio/);
  const json = await onTerminal(check('--format', 'json'));
  t.is(json.code, 1);
  t.notRegex(json.shown, /read \d/);
  t.regex(json.shown, /^\{"profile":"twilio"/);
});
