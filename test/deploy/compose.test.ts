/**
 * The container deployment (Dockerfile, docker-compose.yml, deploy/) against what README.md and
 * package.json say: `docker-compose config` (Debian's docker-compose 1.29, what CI installs)
 * must accept the file, and the image must be built with the same commands as README's set-up
 * (`npm ci`, then the build of package.json's start script). No container is started here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface ComposeService {
  readonly command?: readonly string[];
  readonly healthcheck?: { readonly test?: readonly string[] | string };
  readonly ports?: ReadonlyArray<string | { target: number; published?: number | string; protocol?: string }>;
  readonly volumes?: ReadonlyArray<string | { type?: string; source?: string; target: string }>;
  readonly profiles?: readonly string[];
  readonly depends_on?: Record<string, { condition?: string }> | readonly string[];
  readonly image?: string;
  readonly build?: unknown;
}
interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, { name?: string } | null>;
}

/** `docker-compose -f docker-compose.yml config`: the file as Compose resolves it (YAML). */
function composeConfig(): { ok: true; config: ComposeFile } | { ok: false; message: string } {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CALLS: '', RATE: '' },
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return {
      ok: false,
      message:
        'docker-compose is not installed: this test validates docker-compose.yml with it. Install ' +
        "Debian's docker-compose (`sudo apt-get install docker-compose`), as .ci/run does.",
    };
  }
  if (result.error)
    return { ok: false, message: `docker-compose config failed to run: ${result.error.message}` };
  if (result.status !== 0) {
    return { ok: false, message: `docker-compose config exited ${result.status}:\n${result.stderr}` };
  }
  return { ok: true, config: parse(result.stdout) as ComposeFile };
}

const compose = composeConfig();
function config(t: { fail(message: string): void }): ComposeFile | null {
  if (!compose.ok) {
    t.fail(compose.message);
    return null;
  }
  return compose.config;
}

/** A port entry as [target, protocol, published]: Compose prints short strings and long objects. */
function portOf(entry: NonNullable<ComposeService['ports']>[number]): [number, string, string] {
  if (typeof entry === 'string') {
    const match = /^(?:(.*):)?(\d+)(?:\/(udp|tcp))?$/.exec(entry);
    if (!match) return [Number.NaN, '', entry];
    return [Number(match[2]), match[3] ?? 'tcp', match[1] ?? ''];
  }
  return [entry.target, entry.protocol ?? 'tcp', String(entry.published ?? '')];
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(): Array<{ instruction: string; args: string }> {
  const lines = read('Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [, instruction = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
      return { instruction: instruction.toUpperCase(), args };
    });
}

const startScript: string = JSON.parse(read('package.json')).scripts.start;
/** package.json's start script, `tsc -p . && node dist/src/cli.js proxy`: build steps and the run. */
const startSteps = startScript.split('&&').map((step) => step.trim());
const buildSteps = startSteps.slice(0, -1);
const runStep = startSteps.at(-1) ?? '';

test('docker-compose config accepts docker-compose.yml and it has every service', (t) => {
  const file = config(t);
  if (!file) return;
  t.deepEqual(Object.keys(file.services).sort(), [
    'kamailio',
    'sipp-uac',
    'sipp-uac-hep',
    'sipp-uas',
    'trunkguard',
    'trunkguard-hep',
  ]);
  for (const name of ['kamailio', 'trunkguard-hep', 'sipp-uac-hep']) {
    t.deepEqual(file.services[name]?.profiles, ['hep'], `${name} is in the hep profile`);
  }
  for (const name of ['trunkguard', 'sipp-uas', 'sipp-uac']) {
    t.is(file.services[name]?.profiles, undefined, `${name} runs without a profile`);
  }
  const uacDepends = file.services['sipp-uac']?.depends_on as Record<string, { condition?: string }>;
  t.is(uacDepends?.trunkguard?.condition, 'service_healthy', 'the PBX waits for a healthy trunkguard');
  t.deepEqual(file.services.trunkguard?.command?.slice(0, 3), [
    'proxy',
    '--config',
    '/etc/trunkguard/trunkguard.yaml',
  ]);
  t.is(file.services['trunkguard-hep']?.command?.[0], 'hep');
});

test("trunkguard's healthcheck calls /healthz, in compose and in the Dockerfile", (t) => {
  const file = config(t);
  if (!file) return;
  for (const name of ['trunkguard', 'trunkguard-hep']) {
    const check = file.services[name]?.healthcheck?.test;
    const text = Array.isArray(check) ? check.join(' ') : String(check);
    t.regex(text, /^CMD(-SHELL)? .*http:\/\/127\.0\.0\.1:8080\/healthz/, `${name}'s healthcheck`);
  }
  const healthcheck = dockerfile().find((step) => step.instruction === 'HEALTHCHECK');
  t.truthy(healthcheck, 'the Dockerfile has a HEALTHCHECK');
  t.regex(healthcheck?.args ?? '', /CMD \[.*"node".*\/healthz/);
});

test('trunkguard maps SIP 5060/udp and 5060/tcp and the HTTP port 8080', (t) => {
  const file = config(t);
  if (!file) return;
  const ports = (file.services.trunkguard?.ports ?? []).map(portOf);
  const has = (target: number, protocol: string) =>
    ports.some(
      ([portTarget, portProtocol, published]) =>
        portTarget === target && portProtocol === protocol && published !== '',
    );
  t.true(has(5060, 'udp'), `5060/udp is published: ${JSON.stringify(ports)}`);
  t.true(has(5060, 'tcp'), `5060/tcp is published: ${JSON.stringify(ports)}`);
  t.true(has(8080, 'tcp'), `8080 is published: ${JSON.stringify(ports)}`);
  const hepPorts = (file.services['trunkguard-hep']?.ports ?? []).map(portOf);
  t.true(
    hepPorts.some(([target, protocol]) => target === 9060 && protocol === 'udp'),
    'HEP 9060/udp is published',
  );
});

test('the logs go to a named volume, where deploy/trunkguard.yaml writes them', (t) => {
  const file = config(t);
  if (!file) return;
  const volumes = file.services.trunkguard?.volumes ?? [];
  const logMount = volumes
    .map((entry) => (typeof entry === 'string' ? entry.split(':') : [entry.source ?? '', entry.target]))
    .find(([, target]) => target === '/var/log/trunkguard');
  t.truthy(logMount, `/var/log/trunkguard is mounted: ${JSON.stringify(volumes)}`);
  const source = logMount?.[0] ?? '';
  t.false(source.startsWith('/') || source.startsWith('.'), `a named volume, not a host path: ${source}`);
  t.truthy(file.volumes && source in file.volumes, `${source} is declared under volumes:`);

  const deploy = parse(read('deploy/trunkguard.yaml'));
  t.regex(deploy.log.file.path, /^\/var\/log\/trunkguard\//);
  t.regex(deploy.log.negotiations.path, /^\/var\/log\/trunkguard\//);
  t.is(deploy.http.listen, '0.0.0.0:8080', 'inside a container the API listens on every interface');
  t.is(typeof deploy.http.tokenFile, 'string', 'and so needs a token');
});

test("the Dockerfile builds and runs the way README's set-up and package.json's start script do", (t) => {
  const steps = dockerfile();
  const runs = steps.filter((step) => step.instruction === 'RUN').map((step) => step.args);
  const from = steps.find((step) => step.instruction === 'FROM')?.args ?? '';
  t.regex(from, /^node:20-bookworm-slim\b/);

  // README's set-up line: `npm ci && npm start`.
  const readmeSetup = /```sh\n([^`]*)```/.exec(read('README.md'))?.[1] ?? '';
  t.regex(
    readmeSetup,
    /^npm ci && npm start\b/m,
    "README's first set-up command is still `npm ci && npm start`",
  );
  t.true(
    runs.some((run) => /(^|&&\s*)npm ci\b/.test(run)),
    `a RUN step runs \`npm ci\` as README does: ${JSON.stringify(runs)}`,
  );

  // package.json's start script: every build step before the run, in a RUN step (`npx` allowed).
  t.true(buildSteps.length > 0, `package.json's start script has a build step: ${startScript}`);
  for (const build of buildSteps) {
    const pattern = new RegExp(`(^|&&\\s*)(npx )?${build.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`);
    t.true(
      runs.some((run) => pattern.test(run)),
      `a RUN step runs \`${build}\` from package.json's start script (${startScript}): ${JSON.stringify(runs)}`,
    );
  }
  t.true(
    runs.findIndex((run) => /(^|&&\s*)npm ci\b/.test(run)) <
      runs.findIndex((run) => run.includes(buildSteps[0] ?? '')),
    '`npm ci` runs before the build',
  );

  // ...and the command it runs: ENTRYPOINT + the first CMD word.
  const json = (instruction: string): string[] =>
    JSON.parse(steps.find((step) => step.instruction === instruction)?.args ?? '[]') as string[];
  const entrypoint = json('ENTRYPOINT');
  const cmd = json('CMD');
  t.is([...entrypoint, cmd[0]].join(' '), runStep, `the image runs package.json's \`${runStep}\``);
  t.deepEqual(cmd.slice(1), ['--config', '/etc/trunkguard/trunkguard.yaml']);

  const user = steps.filter((step) => step.instruction === 'USER').at(-1)?.args;
  t.truthy(user && user !== 'root' && user !== '0', `runs as a non-root user: ${user}`);
  const exposed = steps
    .filter((step) => step.instruction === 'EXPOSE')
    .flatMap((step) => step.args.split(/\s+/))
    .sort();
  t.deepEqual(exposed, ['5060/tcp', '5060/udp', '5061/tcp', '8080/tcp', '9060/udp']);
});

test('.dockerignore keeps build output, dependencies and the token out of the context', (t) => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const entry of ['node_modules', 'dist', 'test-artifacts', '.git', 'deploy/http-token']) {
    t.true(ignored.includes(entry), `.dockerignore lists ${entry}`);
  }
});
