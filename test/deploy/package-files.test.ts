/**
 * What `npm pack` would publish: the command, its rules and shipped config, and the dashboard's
 * static files, which the HTTP server serves from src/api/dashboard/ (found next to dist/ in an
 * installed package). A package without them would answer `/` with 404.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('npm pack ships the CLI, the rules, the shipped config and the dashboard', async (t) => {
  const output = await new Promise<string>((resolve, reject) =>
    execFile('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, timeout: 60_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const [pack] = JSON.parse(output) as { files: { path: string }[] }[];
  const files = new Set(pack?.files.map((file) => file.path));
  for (const path of [
    'dist/src/cli.js',
    'rules/twilio.yaml',
    'config/trunkguard.yaml',
    'src/api/dashboard/index.html',
    'src/api/dashboard/app.js',
  ])
    t.true(files.has(path), `${path} is in the package`);
  t.false(
    [...files].some((path) => path.startsWith('test/')),
    'no tests in the package',
  );
});
