/**
 * bench:proxy — trunkguard beside Kamailio, in one sitting, with the same SIPp calls (issue 6).
 *
 * SIPp drives calls UAC (customer side) → proxy → UAS (carrier side): INVITE with an SDES offer,
 * 100/180/200 with an answer inside Twilio's range, ACK, BYE, 200 (test/fixtures/sipp/uac.xml and
 * uas.xml), over UDP and over TCP. The proxies take turns, A B A B A B (trunkguard with full
 * inspection and its log to a file, then Kamailio as a stateless forward() proxy, bench/
 * kamailio-stateless.cfg, with its fast allocator -x tlsf), each sitting with a fresh proxy and
 * UAS: a warm-up, then 1,000 calls/s, then rising rates until one fails. Per sitting:
 * - CPU per call: utime+stime (from /proc/<pid>/stat) of every process of the proxy's process
 *   group (Kamailio forks its workers; Node is one process) over the 1,000 calls/s step, divided
 *   by the calls that succeeded;
 * - sustained calls/s: the highest rate, of the rising list, before the first one with ≥ 0.1 %
 *   failed or retransmitted calls ((calls − successful + retransmissions) / calls; retransmissions
 *   are counted per message, so this errs on the strict side) or with a p99 call setup over 500 ms
 *   (RFC 3261's T1: over TCP nothing is retransmitted, and a proxy that falls behind queues calls
 *   for seconds instead of losing them);
 * - p99 call setup at 1,000 calls/s: SIPp's -trace_rtt file holds the time from the INVITE sent
 *   to the 200 received (rtd="true" on that 200) for every successful call, to the ms; p99 is the
 *   nearest-rank 99th percentile of those (failed calls have no sample: the loss figure shows them);
 * - peak memory: the highest summed PSS of the proxy's processes, sampled every 500 ms (PSS, not
 *   RSS: Kamailio's workers share its memory, and summing their RSS would count it once per worker).
 * The tables print the medians per proxy and the ratio trunkguard/Kamailio; CPU per call is the
 * headline (absolute figures vary between machines, ratios within one sitting hold).
 *
 * Then the memory per tracked dialog (trunkguard only: stateless Kamailio tracks none): RSS and
 * V8 heap growth over N calls answered 200 and ACKed whose BYE never comes (bench/uac-no-bye.xml),
 * divided by N, read after a forced GC in the proxy (bench/memory-probe.ts).
 *
 * The figures move 10–25 % between sittings on a shared machine (max CPS ±20–40 %): compare the
 * medians of one run. Results also go to bench/results/latest.json (latest-dialogs.json for
 * --dialogs-only; --out FILE to choose).
 *
 * Usage: npm run bench:proxy [-- --udp | --tcp] [--sittings 3] [--seconds 5]
 *   [--rates 1000,2000,3000,4000,5000,6000,8000] [--dialogs 100000] [--no-dialogs | --dialogs-only]
 *   [--dialog-rate 1000] [--no-log] [--processes 1] [--json] [--out FILE] [--quick]
 * --processes N: trunkguard's sitting runs N independent proxies (own ports and log), each with its
 * own SIPp UAS and a UAC at 1/N of each rate (the total offered rate unchanged); CPU, calls, losses
 * and PSS are summed over them, p99 is over all their setup times. No state is shared and nothing
 * dispatches: the upper bound of what N processes can give. Kamailio's sitting is unchanged.
 * The steps also print SIPp's own CPU per call, the busiest proxy thread's share of one core (near
 * 100 %: that thread limits the rate) and how busy the whole machine was (others' work included).
 * --quick: a smoke run (one sitting each, 2 s per step, rates 1000,2000,4000, 10,000 dialogs).
 * BENCH_KEEP=1 keeps each sitting's folder (SIPp's stats, rtt and error files, the proxy's log);
 * BENCH_NODE_FLAGS adds node flags to trunkguard (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CUSTOMER_MEDIA, TWILIO_MEDIA, withSdes } from '../test/e2e/harness/media.js';
import { freePort, waitForSocket } from '../test/e2e/harness/ports.js';
import { type ManagedProcess, startProcess } from '../test/e2e/harness/processes.js';
import {
  runSipp,
  type SippResult,
  type SippTransport,
  type SippUas,
  startSippUas,
} from '../test/e2e/harness/sipp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH = join(ROOT, 'bench');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** The rate CPU per call and p99 are measured at. */
const FIXED_RATE = 1000;
type Transport = 'udp' | 'tcp';
type ProxyName = 'trunkguard' | 'kamailio';
const transports: Transport[] = args.includes('--tcp')
  ? ['tcp']
  : args.includes('--udp')
    ? ['udp']
    : ['udp', 'tcp'];
const sittings = Number(flagValue('--sittings') ?? (quick ? 1 : 3));
const seconds = Number(flagValue('--seconds') ?? (quick ? 2 : 5));
const rates = withFixedRate(
  (flagValue('--rates') ?? (quick ? '1000,2000,4000' : '1000,2000,3000,4000,5000,6000,8000'))
    .split(',')
    .map(Number),
);
const dialogCalls = Number(flagValue('--dialogs') ?? (quick ? 10_000 : 100_000));
const runDialogs = !args.includes('--no-dialogs');
const runProxies = !args.includes('--dialogs-only');
const withLog = !args.includes('--no-log');
/**
 * --processes N: trunkguard's sitting runs N independent proxies, each with its own ports, log,
 * SIPp UAS and SIPp UAC at 1/N of the rate (issue 6: does a second process help on two cores?).
 * No shared state and no dispatcher in front: each process owns whole calls, so this is the most
 * N processes can give. Kamailio's sitting keeps its one configuration.
 */
const processes = Number(flagValue('--processes') ?? 1);
if (!Number.isInteger(processes) || processes < 1)
  throw new Error('--processes: a whole number ≥ 1 expected');
/** The clock ticks /proc counts CPU time in (USER_HZ); 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;
const LOSS_LIMIT = 0.001;
/** A rate whose p99 call setup is over T1 (RFC 3261 §17.1.1.1, 500 ms) is not sustained: calls queue. */
const SETUP_P99_LIMIT_MS = 500;

/** Whether a step held: few enough calls lost or retransmitted, and no queueing. */
function stepHeld(step: { readonly lossPercent: number; readonly p99SetupMs: number | null }): boolean {
  return step.lossPercent / 100 < LOSS_LIMIT && (step.p99SetupMs ?? 0) <= SETUP_P99_LIMIT_MS;
}
/** How often the proxy updates its dialog-table gauge (src/proxy/sip-proxy.ts SWEEP_INTERVAL_MS). */
const SWEEP_INTERVAL_MS = 5000;
/** The UDP receive buffer all three ask for: SIPp (-buff_size in the harness), trunkguard, Kamailio. */
const UDP_BUFFER_BYTES = 4 * 1024 * 1024;
const COMMAND = `npm run bench:proxy${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;

function flagValue(flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

function withFixedRate(list: readonly number[]): number[] {
  if (list.some((rate) => !Number.isFinite(rate) || rate <= 0))
    throw new Error(`--rates: positive numbers expected`);
  return [...new Set([FIXED_RATE, ...list])].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// /proc readings

/** The live processes of process groups (the proxies and whatever they forked). */
function groupPids(pgids: readonly number[]): number[] {
  const wanted = new Set(pgids.map(String));
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields !== null && wanted.has(fields[2] ?? '') && fields[0] !== 'Z') pids.push(Number(entry));
  }
  return pids;
}

/**
 * /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) fields from the state on (the command name may
 * hold spaces), or null if gone.
 */
function statFields(pid: number, tid?: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}${tid === undefined ? '' : `/task/${tid}`}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime+stime of a process or thread (stat fields 14 and 15), or null if gone. */
function usedTicks(pid: number, tid?: string): number | null {
  const fields = statFields(pid, tid);
  return fields === null ? null : Number(fields[11]) + Number(fields[12]);
}

function cpuTicks(pgids: readonly number[]): number {
  let ticks = 0;
  for (const pid of groupPids(pgids)) ticks += usedTicks(pid) ?? 0;
  return ticks;
}

/** CPU ticks of every thread of the process groups, by "pid/tid". */
function threadTicks(pgids: readonly number[]): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of groupPids(pgids)) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of tids) {
      const used = usedTicks(pid, tid);
      if (used !== null) ticks.set(`${pid}/${tid}`, used); // null: gone
    }
  }
  return ticks;
}

/**
 * The most CPU any one thread took between two threadTicks readings, in % of one core: near 100,
 * that thread (Node's JavaScript thread, or a Kamailio worker) is what limits the rate.
 */
function busiestThreadPercent(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  seconds: number,
): number {
  let most = 0;
  for (const [thread, ticks] of after) most = Math.max(most, ticks - (before.get(thread) ?? 0));
  return Math.round((100 * most) / TICKS_PER_SECOND / Math.max(seconds, 0.001));
}

/**
 * CPU of this process's children that have exited and been reaped (cutime+cstime of
 * /proc/self/stat): across one step, the SIPp UACs of that step, which end before it does.
 */
function reapedChildTicks(): number {
  const fields = statFields(process.pid);
  return fields === null ? 0 : Number(fields[13]) + Number(fields[14]); // cutime, cstime (16, 17)
}

/** Busy and total clock ticks of all cores (/proc/stat's cpu line): the whole machine, others too. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // idle and iowait (fields 4 and 5) are the only idle ones.
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
}

function procField(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'latin1');
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function groupPssKb(pgids: readonly number[]): number {
  return groupPids(pgids).reduce((sum, pid) => sum + procField(pid, 'smaps_rollup', 'Pss'), 0);
}

/**
 * Samples the summed PSS of process groups every 500 ms and keeps the highest: the peak of the
 * sum over all the proxies at one moment, not the sum of each one's peak.
 */
function peakSampler(pgids: readonly number[]): { stop(): number } {
  let peak = groupPssKb(pgids);
  const timer = setInterval(() => {
    peak = Math.max(peak, groupPssKb(pgids));
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, groupPssKb(pgids));
    },
  };
}

/** The receive buffer the kernel gave the UDP sockets bound to host:port (ss -m: rb, doubled by Linux). */
function udpReceiveBuffer(port: number): number | null {
  try {
    const out = execFileSync('ss', ['-H', '-n', '-u', '-a', '-m', `sport = :${port}`], {
      encoding: 'latin1',
    });
    const sizes = [...out.matchAll(/\brb(\d+)/g)].map((match) => Number(match[1]));
    return sizes.length > 0 ? Math.min(...sizes) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The proxies

interface RunningProxy {
  readonly port: number;
  readonly proc: ManagedProcess;
}

/** Waits for a proxy to be ready; one that is not is stopped, and the error carries its last output. */
async function readyOrStopped(proc: ManagedProcess, ready: () => Promise<unknown>): Promise<void> {
  try {
    await ready();
  } catch (error) {
    await proc.stop();
    throw new Error(`${(error as Error).message}\n${proc.tail()}`);
  }
}

function findKamailio(): string {
  if (process.env.KAMAILIO !== undefined) return process.env.KAMAILIO;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.filter((dir) => dir !== '').find((dir) => existsSync(join(dir, 'kamailio')));
  if (found === undefined) throw new Error('kamailio is not installed (Debian package kamailio)');
  return join(found, 'kamailio');
}

async function startKamailio(transport: Transport, uasPort: number, work: string): Promise<RunningProxy> {
  const port = await freePort();
  const runDir = join(work, 'kamailio-run');
  mkdirSync(runDir, { recursive: true });
  const proc = startProcess(
    findKamailio(),
    [
      // -DD: the process we start stays in the foreground and forks its workers; -E: log to stderr.
      '-DD',
      '-E',
      '-f',
      join(BENCH, 'kamailio-stateless.cfg'),
      // Runtime files and PID file in our temporary folder: no /run, no root.
      '-Y',
      runDir,
      '-P',
      join(runDir, 'kamailio.pid'),
      // TLSF: Kamailio's fast allocator (Debian's default one with debugging is ~2.5× slower).
      '-x',
      'tlsf',
      // Stateless forwarding keeps nothing: 128 MiB shared and 16 MiB per process are ample.
      '-m',
      '128',
      '-M',
      '16',
      '-b',
      String(UDP_BUFFER_BYTES),
      '-l',
      `${transport}:127.0.0.1:${port}`,
      '-A',
      `UAS_ADDR="sip:127.0.0.1:${uasPort};transport=${transport}"`,
    ],
    { name: 'kamailio' },
  );
  await readyOrStopped(proc, () =>
    waitForSocket({
      protocol: transport,
      host: '127.0.0.1',
      port,
      pids: () => groupPids([proc.pid]),
      timeoutMs: 15_000,
      stillWorthWaiting: () => {
        if (proc.exitStatus !== null) throw new Error('kamailio exited before it was ready');
      },
    }),
  );
  return { port, proc };
}

interface TrunkguardOptions {
  readonly config: string;
  /** Load bench/memory-probe.js (GC and a memory reading on SIGUSR2) into the proxy. */
  readonly memoryProbe?: string;
  /** Serve /metrics on this loopback port (--http); none by default. */
  readonly httpPort?: number;
}

async function startTrunkguard(
  transport: Transport,
  uasPort: number,
  work: string,
  options: TrunkguardOptions,
): Promise<RunningProxy> {
  const port = await freePort();
  const logFile = join(work, 'proxy.log');
  const probe = options.memoryProbe;
  const proc = startProcess(
    process.execPath,
    [
      // BENCH_NODE_FLAGS: extra node flags for the proxy, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== ''),
      ...(probe === undefined
        ? []
        : ['--expose-gc', '--import', pathToFileURL(join(ROOT, 'dist/bench/memory-probe.js')).href]),
      join(ROOT, 'dist/src/cli.js'),
      'proxy',
      '--config',
      options.config,
      '--listen',
      `${transport}:127.0.0.1:${port}`,
      '--carrier',
      `127.0.0.1:${uasPort};transport=${transport}`,
      ...(withLog ? ['--log', logFile] : []),
      ...(options.httpPort === undefined ? ['--no-http'] : ['--http', `127.0.0.1:${options.httpPort}`]),
    ],
    { name: 'trunkguard proxy', env: probe === undefined ? {} : { TRUNKGUARD_MEMORY_PROBE: probe } },
  );
  // With --log the console is off: readiness is the file's `ready` line (ECS JSON, event.action).
  await readyOrStopped(proc, () =>
    withLog
      ? waitForFileLine(logFile, /"action":"ready"/, 10_000, () => proc.exitStatus !== null)
      : waitForSocket({
          protocol: transport,
          host: '127.0.0.1',
          port,
          pids: () => [proc.pid],
          timeoutMs: 10_000,
        }),
  );
  return { port, proc };
}

async function waitForFileLine(
  file: string,
  pattern: RegExp,
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not created yet
    }
    const match = pattern.exec(text);
    if (match !== null) return match[0];
    if (gaveUp()) throw new Error('the proxy exited before it was ready');
    if (Date.now() > deadline) throw new Error(`${file}: no line matching ${pattern} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// SIPp

const KEYS_UAS = withSdes(TWILIO_MEDIA, 'PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR');
// The PBX's own address (loopback is trusted in bench/proxy-bench.yaml): no address finding. The
// 30 bytes of key||salt (RFC 4568 §6.1) are the same in every call: SIPp cannot vary them.
const KEYS_UAC = withSdes(CUSTOMER_MEDIA, 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz');

function sippTransport(transport: Transport): SippTransport {
  return transport === 'tcp' ? 't1' : 'u1';
}

/** The carrier-side SIPp UAS every proxy forwards to: answers for the whole bench, files in `work`. */
function startUas(transport: Transport, localPort: number, work: string): Promise<SippUas> {
  return startSippUas({
    localPort,
    transport: sippTransport(transport),
    calls: 10_000_000,
    keys: KEYS_UAS,
    traceDir: work,
    timeoutMs: 3_600_000,
    traceMessages: false,
  });
}

interface CallRun {
  readonly result: SippResult;
  /** Call-setup times (INVITE sent → 200 received) of the successful calls, in ms. */
  readonly setupMs: number[];
}

/** One SIPp UAC run of `calls` calls at `rate`, in a folder of its own (for its -trace_rtt file). */
async function placeCalls(
  proxy: RunningProxy,
  transport: Transport,
  work: string,
  name: string,
  rate: number,
  calls: number,
  scenario = join(ROOT, 'test/fixtures/sipp/uac.xml'),
): Promise<CallRun> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const result = await runSipp({
    scenario,
    remote: `127.0.0.1:${proxy.port}`,
    localPort: await freePort(),
    transport: sippTransport(transport),
    calls,
    rate,
    keys: KEYS_UAC,
    traceDir: dir,
    name,
    timeoutMs: (Math.ceil(calls / rate) + 30) * 1000,
    traceMessages: false,
    // -l: calls open at once, room for a backlog; -trace_rtt every 1000 calls (and at the end).
    extraArgs: ['-l', String(rate * 10), '-trace_rtt', '-rtt_freq', '1000'],
  });
  return { result, setupMs: readSetupTimes(dir) };
}

/** SIPp's -trace_rtt file(s): "Date_ms;response_time_ms;rtd_no" rows, one per call and RTD. */
function readSetupTimes(dir: string): number[] {
  const times: number[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith('_rtt.csv'))) {
    for (const row of readFileSync(join(dir, file), 'latin1').split('\n')) {
      const [, ms, rtd] = row.split(';');
      if (rtd?.trim() === '1' && ms !== undefined && ms.trim() !== '') times.push(Number(ms));
    }
  }
  return times.filter(Number.isFinite);
}

/** Nearest-rank percentile (the smallest sample with at least p % of the samples at or below it). */
function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

// ---------------------------------------------------------------------------------------------
// One sitting: a fresh UAS and proxy, warm-up, the fixed rate, then rising rates

interface Step {
  readonly rate: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  /**
   * Failed calls by SIPp's reason: a message out of the scenario's order (a stateless proxy with
   * several workers can reorder a 100 behind its 200) or a message that never came (dropped).
   */
  readonly failedUnexpected: number;
  readonly failedTimeout: number;
  readonly retransmissions: number;
  readonly lossPercent: number;
  readonly cpuUsPerCall: number;
  /** CPU of the SIPp UACs and UASs over the step ÷ successful calls: what the load itself costs. */
  readonly sippCpuUsPerCall: number;
  /** Busy share of all the machine's cores over the step (/proc/stat), whoever used them. */
  readonly machineBusyPercent: number;
  /** The most any one thread of the proxies used over the step, in % of one core. */
  readonly busiestThreadPercent: number;
  readonly p99SetupMs: number | null;
}

interface Sitting {
  readonly proxy: ProxyName;
  /** Independent proxy processes, each with its own UAS and UAC (--processes; Kamailio: 1). */
  readonly processes: number;
  readonly transport: Transport;
  readonly index: number;
  readonly steps: readonly Step[];
  readonly cpuUsPerCall: number | null;
  readonly sustainedCps: number;
  /** No rate of the list failed: the sustained rate is at least the highest one tried. */
  readonly sustainedIsLowerBound: boolean;
  readonly p99SetupMs: number | null;
  readonly peakPssMiB: number;
  /** The kernel's receive buffer on the proxy's UDP socket (bytes; null over TCP). */
  readonly udpReceiveBuffer: number | null;
  /** The same for the SIPp UAS's socket. */
  readonly uasUdpReceiveBuffer: number | null;
}

function lossOf(step: Pick<Step, 'calls' | 'successful' | 'retransmissions'>): number {
  return step.calls === 0 ? 1 : (step.calls - step.successful + step.retransmissions) / step.calls;
}

/** One proxy with its own SIPp UAS, ports and folder (its log, SIPp's files). */
interface Lane {
  readonly work: string;
  readonly uas: SippUas;
  readonly proxy: RunningProxy;
}

async function startLane(name: ProxyName, transport: Transport, work: string): Promise<Lane> {
  mkdirSync(work, { recursive: true });
  const uasPort = await freePort();
  const uas = await startUas(transport, uasPort, work);
  try {
    const proxy =
      name === 'kamailio'
        ? await startKamailio(transport, uasPort, work)
        : await startTrunkguard(transport, uasPort, work, { config: join(BENCH, 'proxy-bench.yaml') });
    return { work, uas, proxy };
  } catch (error) {
    await uas.stop();
    throw error;
  }
}

/** Lane `lane`'s part of `total` split over `count` lanes (the first ones take the remainder). */
function share(total: number, count: number, lane: number): number {
  return Math.floor(total / count) + (lane < total % count ? 1 : 0);
}

/**
 * Every lane's UAC at once, each at its share of the rate. Waits for all of them to end, even
 * when one fails, so no SIPp outlives the step.
 */
async function placeCallsOnAll(
  lanes: readonly Lane[],
  transport: Transport,
  name: string,
  rate: number,
  calls: number,
): Promise<CallRun[]> {
  const settled = await Promise.allSettled(
    lanes.map((lane, index) =>
      placeCalls(
        lane.proxy,
        transport,
        lane.work,
        name,
        share(rate, lanes.length, index),
        share(calls, lanes.length, index),
      ),
    ),
  );
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<CallRun>).value);
}

function rawCount(result: SippResult, column: string): number {
  return Number(result.stats.raw[column] ?? 0) || 0;
}

function lowest(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.min(...known);
}

async function sit(name: ProxyName, transport: Transport, index: number): Promise<Sitting> {
  const work = mkdtempSync(join(tmpdir(), `trunkguard-bench-${name}-`));
  const count = name === 'trunkguard' ? processes : 1;
  const lanes: Lane[] = [];
  const steps: Step[] = [];
  try {
    for (let lane = 0; lane < count; lane++) {
      lanes.push(await startLane(name, transport, count === 1 ? work : join(work, `process-${lane + 1}`)));
    }
    const pgids = lanes.map((lane) => lane.proxy.proc.pid);
    const sippPgids = lanes.map((lane) => lane.uas.proc.pid);
    const udpBuffer =
      transport === 'udp' ? lowest(lanes.map((lane) => udpReceiveBuffer(lane.proxy.port))) : null;
    // Warm-up (JIT, sockets, Kamailio's workers), not counted: the same for each process.
    await placeCallsOnAll(lanes, transport, 'warmup', 500 * count, (quick ? 1000 : 2000) * count);
    const memory = peakSampler(pgids);
    for (const rate of rates) {
      const calls = rate * seconds;
      const before = cpuTicks(pgids);
      const sippBefore = cpuTicks(sippPgids) + reapedChildTicks();
      const machineBefore = machineTicks();
      const threadsBefore = threadTicks(pgids);
      const startedAt = performance.now();
      const runs = await placeCallsOnAll(lanes, transport, `uac-${rate}`, rate, calls);
      const used = cpuTicks(pgids) - before;
      const sippUsed = cpuTicks(sippPgids) + reapedChildTicks() - sippBefore;
      const machineAfter = machineTicks();
      const threadsAfter = threadTicks(pgids);
      const elapsedSeconds = (performance.now() - startedAt) / 1000;
      const sum = (pick: (result: SippResult) => number) =>
        runs.reduce((total, run) => total + pick(run.result), 0);
      const successful = sum((result) => result.stats.successful);
      const retransmissions = sum((result) => result.stats.retransmissions);
      const usPerCall = (ticks: number) =>
        successful > 0 ? Math.round(((ticks / TICKS_PER_SECOND) * 1e6) / successful) : 0;
      const step: Step = {
        rate,
        calls,
        successful,
        failed: sum((result) => result.stats.failed),
        failedUnexpected: sum((result) => rawCount(result, 'FailedUnexpectedMessage(C)')),
        failedTimeout: sum(
          (result) => rawCount(result, 'FailedTimeoutOnRecv(C)') + rawCount(result, 'FailedMaxUDPRetrans(C)'),
        ),
        retransmissions,
        lossPercent: Number((lossOf({ calls, successful, retransmissions }) * 100).toFixed(3)),
        cpuUsPerCall: usPerCall(used),
        sippCpuUsPerCall: usPerCall(sippUsed),
        machineBusyPercent: Math.round(
          (100 * (machineAfter.busy - machineBefore.busy)) /
            Math.max(1, machineAfter.total - machineBefore.total),
        ),
        busiestThreadPercent: busiestThreadPercent(threadsBefore, threadsAfter, elapsedSeconds),
        // Over the union of every UAC's setup times: one p99 for the whole offered load.
        p99SetupMs: percentile(
          runs.flatMap((run) => run.setupMs),
          99,
        ),
      };
      steps.push(step);
      printStep(name, transport, index, step);
      // The first rate that loses or queues calls ends the ramp: higher rates would only do worse.
      if (!stepHeld(step)) break;
    }
    const peakPssKb = memory.stop();
    const firstFailing = steps.findIndex((step) => !stepHeld(step));
    const held = firstFailing === -1 ? steps : steps.slice(0, firstFailing);
    const atFixed = steps.find((step) => step.rate === FIXED_RATE);
    return {
      proxy: name,
      processes: count,
      transport,
      index,
      steps,
      cpuUsPerCall: atFixed?.cpuUsPerCall ?? null,
      sustainedCps: held.reduce((best, step) => Math.max(best, step.rate), 0),
      sustainedIsLowerBound: firstFailing === -1,
      p99SetupMs: atFixed?.p99SetupMs ?? null,
      peakPssMiB: Number((peakPssKb / 1024).toFixed(1)),
      udpReceiveBuffer: udpBuffer,
      uasUdpReceiveBuffer:
        transport === 'udp' ? lowest(lanes.map((lane) => udpReceiveBuffer(lane.uas.localPort))) : null,
    };
  } finally {
    // Every lane is stopped even when one fails to stop: no proxy or SIPp outlives the bench.
    const stopped = await Promise.allSettled(
      lanes.flatMap((lane) => [lane.proxy.proc.stop(), lane.uas.stop()]),
    );
    removeUnlessKept(work);
    for (const result of stopped)
      if (result.status === 'rejected') console.error(`  could not stop a process: ${String(result.reason)}`);
  }
}

/** SIPp's RTT samples are whole milliseconds: 0 means under 1 ms. */
function showMs(ms: number | null): string {
  return ms === null ? '-' : ms === 0 ? '< 1 ms' : `${ms} ms`;
}

/**
 * A sitting whose proxy would not start (on a shared machine, dist/ may be rebuilt at that very
 * moment) is tried once more after a pause; a second failure ends the bench.
 */
async function sitWithRetry(name: ProxyName, transport: Transport, index: number): Promise<Sitting> {
  try {
    return await sit(name, transport, index);
  } catch (error) {
    console.error(
      `  ${name} ${transport} #${index + 1} failed, retrying in 10 s: ${(error as Error).message}`,
    );
    await sleep(10_000);
    return sit(name, transport, index);
  }
}

function printStep(name: ProxyName, transport: Transport, index: number, step: Step): void {
  console.log(
    `  ${name.padEnd(10)} ${transport} #${index + 1} ${String(step.rate).padStart(5)} calls/s: ` +
      `${step.successful}/${step.calls} ok, ${step.failed} failed ` +
      `(${step.failedUnexpected} unexpected message, ${step.failedTimeout} timeout), ${step.retransmissions} retransmitted ` +
      `(${step.lossPercent} %), CPU ${step.cpuUsPerCall} µs/call, p99 setup ${showMs(step.p99SetupMs)}; ` +
      `SIPp CPU ${step.sippCpuUsPerCall} µs/call, busiest proxy thread ${step.busiestThreadPercent} % of a core, ` +
      `machine ${step.machineBusyPercent} % busy`,
  );
}

// ---------------------------------------------------------------------------------------------
// Memory per tracked dialog (trunkguard)

interface MemoryReading {
  readonly rss: number;
  readonly heapUsed: number;
  readonly vmRssKb: number;
  readonly gc: boolean;
}

interface DialogMemory {
  /** Calls placed (none ends). */
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  /** Growth of trunkguard_dialog_table_calls over the run: the divisor. */
  readonly tracked: number;
  readonly tableBefore: number;
  readonly tableAfter: number;
  readonly rssBytesPerDialog: number;
  readonly heapBytesPerDialog: number;
  readonly before: MemoryReading;
  readonly after: MemoryReading;
}

async function readMemory(proxy: RunningProxy, file: string, readings: number): Promise<MemoryReading> {
  process.kill(proxy.proc.pid, 'SIGUSR2');
  const deadline = Date.now() + 30_000;
  for (;;) {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      // not written yet
    }
    const line = lines[readings];
    if (line !== undefined) return JSON.parse(line) as MemoryReading;
    if (Date.now() > deadline) throw new Error('the proxy wrote no memory reading within 30 s');
    await sleep(50);
  }
}

/**
 * trunkguard_dialog_table_calls from the proxy's /metrics. The proxy updates that gauge at its
 * sweep, every 5 s: read after one whole sweep interval has passed since the calls stopped.
 */
async function dialogTableCalls(httpPort: number): Promise<number> {
  await sleep(SWEEP_INTERVAL_MS + 1000);
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const value = /^trunkguard_dialog_table_calls (\d+)/m.exec(text)?.[1];
  if (value === undefined) throw new Error('no trunkguard_dialog_table_calls in /metrics');
  return Number(value);
}

async function measureDialogMemory(): Promise<DialogMemory> {
  const work = mkdtempSync(join(tmpdir(), 'trunkguard-bench-dialogs-'));
  const uasPort = await freePort();
  const rate = Number(flagValue('--dialog-rate') ?? 1000);
  const uas = await startUas('udp', uasPort, work);
  let proxy: RunningProxy | undefined;
  const probe = join(work, 'memory.jsonl');
  const scenario = join(BENCH, 'uac-no-bye.xml');
  const httpPort = await freePort();
  try {
    proxy = await startTrunkguard('udp', uasPort, work, {
      config: join(BENCH, 'proxy-bench-dialogs.yaml'),
      memoryProbe: probe,
      httpPort,
    });
    // Warm-up with open calls too: JIT, and the recent-calls store (1,000 calls) already full,
    // so what grows afterwards is the dialog table.
    await placeCalls(proxy, 'udp', work, 'dialogs-warmup', 1000, 5000, scenario);
    const tableBefore = await dialogTableCalls(httpPort);
    const before = await readMemory(proxy, probe, 0);
    const run = await placeCalls(proxy, 'udp', work, 'dialogs', rate, dialogCalls, scenario);
    const after = await readMemory(proxy, probe, 1);
    const tableAfter = await dialogTableCalls(httpPort);
    const tracked = tableAfter - tableBefore;
    if (tracked <= 0) throw new Error(`the dialog table did not grow (${tableBefore} → ${tableAfter} calls)`);
    const { successful, failed } = run.result.stats;
    const result: DialogMemory = {
      calls: dialogCalls,
      successful,
      failed,
      tracked,
      tableBefore,
      tableAfter,
      rssBytesPerDialog: Math.round((after.rss - before.rss) / tracked),
      heapBytesPerDialog: Math.round((after.heapUsed - before.heapUsed) / tracked),
      before,
      after,
    };
    console.log(
      `\nMemory per tracked dialog (trunkguard, UDP, ${dialogCalls.toLocaleString('en')} calls answered and ACKed, ` +
        `no BYE; ${successful} succeeded, ${failed} failed; dialog table ${tableBefore} → ${tableAfter} calls; ` +
        "readings after a forced GC, divided by the table's growth):\n" +
        `  RSS ${mib(before.rss)} → ${mib(after.rss)} MiB: ${result.rssBytesPerDialog} bytes per dialog\n` +
        `  V8 heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB: ${result.heapBytesPerDialog} bytes per dialog`,
    );
    return result;
  } finally {
    await proxy?.proc.stop();
    await uas.stop();
    removeUnlessKept(work);
  }
}

/**
 * The results files are committed: written in biome's format (arrays of numbers on one line...),
 * so `biome ci` stays green after a run. Best effort: a missing biome leaves plain JSON.
 */
function formatLikeTheRepo(file: string): void {
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/biome'), ['format', '--write', file], { stdio: 'ignore' });
  } catch {
    // not installed, or the file is outside the repo: plain JSON it is
  }
}

/** BENCH_KEEP=1 keeps SIPp's files (stats, rtt, errors) and the proxy's log for a look. */
function removeUnlessKept(work: string): void {
  if (process.env.BENCH_KEEP === '1') console.log(`  (kept ${work})`);
  else rmSync(work, { recursive: true, force: true });
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// Medians and tables

interface Summary {
  readonly cpuUsPerCall: number | null;
  readonly sustainedCps: number | null;
  readonly p99SetupMs: number | null;
  readonly peakPssMiB: number | null;
}

function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 === 1
    ? (known[middle] ?? null)
    : ((known[middle - 1] ?? 0) + (known[middle] ?? 0)) / 2;
}

function summarize(list: readonly Sitting[]): Summary {
  return {
    cpuUsPerCall: median(list.map((s) => s.cpuUsPerCall)),
    sustainedCps: median(list.map((s) => s.sustainedCps)),
    p99SetupMs: median(list.map((s) => s.p99SetupMs)),
    peakPssMiB: median(list.map((s) => s.peakPssMiB)),
  };
}

function ratio(a: number | null, b: number | null): number | null {
  // 0 is "below the lowest rate tried" for a sustained rate: no ratio to give.
  return a === null || b === null || a === 0 || b === 0 ? null : Number((a / b).toFixed(2));
}

const sustained = (s: Sitting): number => s.sustainedCps;

function trunkguardLabel(): string {
  return processes === 1 ? 'trunkguard' : `trunkguard (${processes} processes)`;
}

function printTable(
  transport: Transport,
  tg: Summary,
  kam: Summary,
  tgList: readonly Sitting[],
  kamList: readonly Sitting[],
): void {
  const show = (value: number | null, unit: string) =>
    unit === '' && value === 0
      ? `< ${(rates[0] ?? FIXED_RATE).toLocaleString('en')}`
      : unit === ' ms'
        ? showMs(value)
        : value === null
          ? '-'
          : `${value.toLocaleString('en')}${unit}`;
  // A sustained rate no step of the list failed at is a lower bound: "≥".
  const spread = (list: readonly Sitting[], pick: (s: Sitting) => number | null) =>
    list
      .map((s) => {
        if (pick !== sustained) return String(pick(s) ?? '-');
        if (s.sustainedCps === 0) return `<${rates[0] ?? FIXED_RATE}`;
        return `${s.sustainedIsLowerBound ? '≥' : ''}${s.sustainedCps}`;
      })
      .join(', ');
  const rows: [string, number | null, number | null, string, (s: Sitting) => number | null][] = [
    ['CPU per call at 1,000 calls/s', tg.cpuUsPerCall, kam.cpuUsPerCall, ' µs', (s) => s.cpuUsPerCall],
    ['sustained calls/s (< 0.1 % lost, p99 ≤ 500 ms)', tg.sustainedCps, kam.sustainedCps, '', sustained],
    ['p99 call setup at 1,000 calls/s', tg.p99SetupMs, kam.p99SetupMs, ' ms', (s) => s.p99SetupMs],
    ['peak memory (summed PSS)', tg.peakPssMiB, kam.peakPssMiB, ' MiB', (s) => s.peakPssMiB],
  ];
  console.log(
    `\n${transport.toUpperCase()}: medians of ${tgList.length} sittings each (A B A B ...), ${seconds} s per step\n` +
      `| figure | ${trunkguardLabel()} | Kamailio (stateless) | trunkguard/Kamailio | sittings (trunkguard; Kamailio) |\n` +
      '| --- | --- | --- | --- | --- |',
  );
  for (const [label, a, b, unit, pick] of rows) {
    const r = ratio(a, b);
    console.log(
      `| ${label} | ${show(a, unit)} | ${show(b, unit)} | ${r === null ? '-' : `${r}×`} | ` +
        `${spread(tgList, pick)}; ${spread(kamList, pick)} |`,
    );
  }
  console.log(
    "CPU: utime+stime of all the proxy's processes over the 1,000 calls/s step ÷ successful calls. " +
      (processes === 1
        ? ''
        : `trunkguard: ${processes} independent proxies, each with its own SIPp UAS and a UAC at 1/${processes} ` +
          'of the rate; CPU, calls, losses and memory summed, p99 over all their setup times. ') +
      'Lost: (calls − successful + retransmitted messages) ÷ calls; the ramp stops at the first rate ' +
      'losing ≥ 0.1 % or with a p99 setup over 500 ms (T1: calls queue). ' +
      "p99: nearest rank over the INVITE→200 times SIPp's -trace_rtt gives for the " +
      'successful calls (1 ms resolution). Memory: highest summed PSS, sampled every 500 ms.',
  );
}

function version(cmd: string, flag: string): string {
  try {
    return (
      execFileSync(cmd, [flag], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        ?.trim() ?? ''
    );
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? '';
    return (
      out
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim() ?? 'unknown'
    );
  }
}

async function main(): Promise<void> {
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'latin1').trim());
  const cores = cpus().length;
  const machine = {
    cores,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kamailio: runProxies ? version(findKamailio(), '-v') : null,
    sipp: version(process.env.SIPP ?? 'sipp', '-v').replace(/\s+/g, ' '),
    rmemMax,
  };
  console.log(
    `bench:proxy — ${COMMAND}\n${new Date().toISOString()}, ${cores} cores (${machine.cpu}), Node ${process.version}, ` +
      `${machine.kamailio ?? ''}\nUDP receive buffer asked for: ${UDP_BUFFER_BYTES} bytes by SIPp (-buff_size), ` +
      `trunkguard (its UDP listener) and Kamailio (maxbuffer, -b); net.core.rmem_max = ${rmemMax} ` +
      `(effective: min(asked, rmem_max) × 2 as Linux counts it, ${Math.min(UDP_BUFFER_BYTES, rmemMax) * 2} bytes)\n` +
      `trunkguard processes: ${processes}` +
      (processes === 1
        ? ''
        : ` (independent: own ports, log, SIPp UAS, and a UAC at 1/${processes} of each rate; Kamailio: one)`),
  );
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    command: COMMAND,
    machine,
    settings: {
      sittings,
      seconds,
      rates,
      fixedRate: FIXED_RATE,
      lossLimitPercent: LOSS_LIMIT * 100,
      setupP99LimitMs: SETUP_P99_LIMIT_MS,
      log: withLog,
      processes,
    },
  };
  if (runProxies) {
    const byTransport: Record<string, unknown> = {};
    for (const transport of transports) {
      const all: Sitting[] = [];
      for (let index = 0; index < sittings; index++) {
        for (const name of ['trunkguard', 'kamailio'] as const) {
          const sitting = await sitWithRetry(name, transport, index);
          all.push(sitting);
          if (sitting.udpReceiveBuffer !== null && index === 0) {
            console.log(
              `  ${name} UDP socket: kernel receive buffer ${sitting.udpReceiveBuffer} bytes, ` +
                `SIPp UAS's ${sitting.uasUdpReceiveBuffer} bytes (ss -m: rb)`,
            );
          }
        }
      }
      const tgList = all.filter((s) => s.proxy === 'trunkguard');
      const kamList = all.filter((s) => s.proxy === 'kamailio');
      const tg = summarize(tgList);
      const kam = summarize(kamList);
      printTable(transport, tg, kam, tgList, kamList);
      byTransport[transport] = {
        trunkguard: tg,
        kamailio: kam,
        ratio: {
          cpuPerCall: ratio(tg.cpuUsPerCall, kam.cpuUsPerCall),
          sustainedCps: ratio(tg.sustainedCps, kam.sustainedCps),
          p99Setup: ratio(tg.p99SetupMs, kam.p99SetupMs),
          peakMemory: ratio(tg.peakPssMiB, kam.peakPssMiB),
        },
        sittings: all,
      };
    }
    results.transports = byTransport;
  }
  if (runDialogs) {
    try {
      results.dialogMemory = await measureDialogMemory().catch(async (error: Error) => {
        console.error(`\nMemory per tracked dialog failed, retrying in 10 s: ${error.message}`);
        await sleep(10_000);
        return measureDialogMemory();
      });
    } catch (error) {
      // The proxies' figures are already in: keep them, and say what went wrong.
      console.error(`\nMemory per tracked dialog: not measured: ${(error as Error).message}`);
      results.dialogMemory = { error: (error as Error).message.split('\n')[0] };
      process.exitCode = 1;
    }
  }
  console.log(`\n${cores} cores; command: ${COMMAND}`);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  // A dialogs-only run must not overwrite the last full run's figures.
  const out =
    flagValue('--out') ?? join(BENCH, 'results', runProxies ? 'latest.json' : 'latest-dialogs.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, json);
  formatLikeTheRepo(out);
  console.log(`Results written to ${out}`);
  if (args.includes('--json')) process.stdout.write(json);
}

await main();
