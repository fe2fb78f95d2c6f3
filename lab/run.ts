/**
 * `npm run lab`: trunkguard between a simulated PBX (SIPp UAC, 127.0.0.3) and a simulated Twilio
 * edge (SIPp UAS, 127.0.0.2, carrier side), one call per scenario of lab/scenarios.ts. For each
 * call it reads the proxy's JSON log (event.action 'finding', event.code, sip.call_id) and
 * compares the codes with the expected ones, then prints a table. Then the proxy and its
 * dashboard stay up with the calls in them until Ctrl-C; with --once, or when stdout is not a
 * terminal, it exits after the table: status 1 if a scenario failed, 0 otherwise.
 *
 *   node dist/lab/run.js [--once] [--http HOST:PORT] [--keep]
 *
 * Every process it starts is stopped by its PID (SIGTERM, grace, SIGKILL) on exit and on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/e2e/harness/ports.js';
import type { ManagedProcess } from '../test/e2e/harness/processes.js';
import { codeOf, type ProxyProcess, REPO_ROOT, startProxyProcess } from '../test/e2e/harness/proxy.js';
import { headerOf, runSipp, type SippUas, sdpLines, startSippUas } from '../test/e2e/harness/sipp.js';
import { PBX_IP, SCENARIOS, type Scenario, type ScenarioKind } from './scenarios.js';

const LAB_CONFIG = join(REPO_ROOT, 'lab', 'trunkguard-lab.yaml');
const SCENARIO_DIR = fileURLToPath(new URL('../../lab/scenarios/', import.meta.url));
const EDGE_IP = '127.0.0.2';

const XML: Record<ScenarioKind, { readonly uac: string; readonly uas: string }> = {
  basic: { uac: 'pbx-uac.xml', uas: 'edge-uas.xml' },
  'late-offer': { uac: 'pbx-uac-late-offer.xml', uas: 'edge-uas-late-offer.xml' },
  reinvite: { uac: 'pbx-uac-reinvite.xml', uas: 'edge-uas-reinvite.xml' },
};

interface Options {
  readonly once: boolean;
  readonly http: string;
  readonly keep: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let once = !process.stdout.isTTY;
  let http = '127.0.0.1:8080';
  let keep = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--once') once = true;
    else if (arg === '--keep') keep = true;
    else if (arg === '--http' && argv[i + 1] !== undefined) http = argv[++i] as string;
    else if (arg?.startsWith('--http=')) http = arg.slice('--http='.length);
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node dist/lab/run.js [--once] [--http HOST:PORT] [--keep]');
      process.exit(0);
    } else {
      console.error(`lab: unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return { once, http, keep };
}

/** The crypto keys of the scenarios as SIPp wants them: whole SDP lines, each ending in CRLF. */
function sippKeys(keys: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(keys).map(([name, value]) => [
      name,
      name !== 'crypto' && name.endsWith('_crypto') ? sdpLines(value) : value,
    ]),
  );
}

interface Outcome {
  readonly scenario: Scenario;
  readonly callId: string;
  readonly seen: readonly string[];
  readonly pass: boolean;
  readonly problem: string | null;
  readonly ms: number;
}

/** Processes to stop on the way out. */
const running = new Set<ManagedProcess>();

async function runScenario(
  scenario: Scenario,
  proxy: ProxyProcess,
  edgePort: number,
  dir: string,
): Promise<Outcome> {
  const started = Date.now();
  const xml = XML[scenario.kind];
  let uas: SippUas | null = null;
  let callId = '';
  let problem: string | null = null;
  try {
    uas = await startSippUas({
      scenario: join(SCENARIO_DIR, xml.uas),
      localIp: EDGE_IP,
      localPort: edgePort,
      transport: 'u1',
      calls: 1,
      keys: sippKeys(scenario.edge()),
      timeoutMs: 15_000,
      traceDir: dir,
      name: `${scenario.id}-edge`,
    });
    running.add(uas.proc);
    const proxyPort = scenario.transport === 'u1' ? proxy.udpPort : proxy.tcpPort;
    const uac = await runSipp({
      scenario: join(SCENARIO_DIR, xml.uac),
      remote: `127.0.0.1:${proxyPort}`,
      localIp: PBX_IP,
      localPort: await freePort(PBX_IP),
      transport: scenario.transport,
      calls: 1,
      keys: sippKeys(scenario.pbx()),
      timeoutMs: 10_000,
      recvTimeoutMs: 4000,
      traceDir: dir,
      name: `${scenario.id}-pbx`,
    });
    const invite = uac.messages.find(
      (message) => message.direction === 'sent' && message.method === 'INVITE',
    );
    callId = invite === undefined ? '' : (headerOf(invite, 'Call-ID') ?? '');
    if (uac.code !== 0)
      problem = `PBX (SIPp UAC) exit ${uac.code}: ${uac.errors.split('\n').slice(0, 3).join(' ')}`;
    const edge = await uas.result(8000);
    if (edge.code !== 0 && problem === null) problem = `edge (SIPp UAS) exit ${edge.code}`;
    // The call summary follows the 200 to the BYE: after it, every finding of the call is logged.
    await proxy.proc
      .waitForLine(() => proxy.events('call-summary').some((line) => line.sip?.call_id === callId), 3000)
      .catch(() => {
        problem ??= 'no call summary from trunkguard';
      });
  } catch (error) {
    problem = (error as Error).message.split('\n')[0] ?? 'error';
  } finally {
    if (uas !== null) {
      await uas.stop();
      running.delete(uas.proc);
    }
  }
  const seen = [
    ...new Set(
      proxy
        .events('finding')
        .filter((line) => callId !== '' && line.sip?.call_id === callId)
        .map((line) => codeOf(line) ?? '?'),
    ),
  ].sort();
  const pass = problem === null && JSON.stringify(seen) === JSON.stringify([...scenario.expected].sort());
  return { scenario, callId, seen, pass, problem, ms: Date.now() - started };
}

function table(outcomes: readonly Outcome[]): string {
  const rows = [
    ['scenario', 'expected', 'seen', 'result'],
    ...outcomes.map((o) => [
      o.scenario.id,
      o.scenario.expected.join(', ') || '(none)',
      o.seen.join(', ') || '(none)',
      o.pass ? 'PASS' : 'FAIL',
    ]),
  ];
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-+-');
  const [head, ...body] = rows;
  return [line(head ?? []), rule, ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-lab-'));
  let proxy: ProxyProcess | null = null;
  let exiting = false;
  // Once, whoever asks first (the end of main, or a signal); both wait for the same promise.
  let cleaning: Promise<void> | null = null;
  const cleanup = () => {
    cleaning ??= Promise.all([...running].map((proc) => proc.stop())).then(() => {
      running.clear();
      if (!options.keep) rmSync(dir, { recursive: true, force: true });
    });
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    console.log(`\nlab: ${signal}, stopping trunkguard and SIPp`);
    void cleanup().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    // main() then ends too (its waits see the processes stop) and exits after the same cleanup.
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = Date.now();
    const edgePort = await freePort(EDGE_IP);
    proxy = await startProxyProcess({
      config: LAB_CONFIG,
      carrier: `${EDGE_IP}:${edgePort};transport=udp`,
      extraArgs: ['--http', options.http, '--log', join(dir, 'trunkguard.log')],
    });
    running.add(proxy.proc);
    // The dashboard's line comes right after `ready` (the API starts once the SIP listeners are up).
    const httpLine = await proxy
      .waitForEvents('http-listening', 1, 5000)
      .then((lines) => lines[0])
      .catch(() => undefined);
    const dashboard = httpLine === undefined ? '(none)' : String(httpLine.message).replace(/^.* on /, '');
    console.log(
      `trunkguard lab: proxy pid ${proxy.proc.pid}, SIP udp/tcp 127.0.0.1:${proxy.udpPort}/${proxy.tcpPort}, ` +
        `edge (SIPp UAS) ${EDGE_IP}:${edgePort}, PBX (SIPp UAC) ${PBX_IP}\n` +
        `dashboard: ${dashboard}\nfiles (SIPp logs, trunkguard.log): ${dir}\n`,
    );
    const outcomes: Outcome[] = [];
    for (const scenario of SCENARIOS) {
      if (exiting) return 130;
      const outcome = await runScenario(scenario, proxy, edgePort, dir);
      outcomes.push(outcome);
      const note = outcome.problem === null ? '' : `  (${outcome.problem})`;
      console.log(
        `${outcome.pass ? 'PASS' : 'FAIL'} ${scenario.id} (${outcome.ms} ms): ${scenario.title}  call ${outcome.callId}${note}`,
      );
    }
    const failed = outcomes.filter((outcome) => !outcome.pass).length;
    console.log(`\n${table(outcomes)}\n`);
    console.log(
      `${outcomes.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (options.once) return failed === 0 ? 0 : 1;
    console.log(`\ntrunkguard keeps running with these calls: ${dashboard}  (Ctrl-C to stop)`);
    const exit = await proxy.proc.waitForExit(2 ** 31 - 1).catch(() => null);
    if (exiting) return 130;
    console.error(`lab: trunkguard exited by itself (${JSON.stringify(exit)})\n${proxy.proc.tail(20)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

// A closed stdout (| head) must not crash the runner before it stops what it started.
process.stdout.on('error', () => {});

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`lab: ${error.message}`);
    process.exit(2);
  },
);
