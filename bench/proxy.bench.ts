/**
 * bench:proxy — SIPp drives calls through the proxy: a UAC (customer side) → trunkguard → a UAS
 * (carrier side), INVITE with an SDES offer, 100/180/200 with an answer inside Twilio's range,
 * ACK, BYE, 200, over UDP (and over TCP with --tcp). For each offered rate it prints the calls
 * that succeeded, failed and were retransmitted, the proxy's CPU time per call (utime+stime from
 * /proc over the run, divided by successful calls) and its peak memory (VmHWM). The highest
 * rate with < 0.1 % failed or retransmitted calls is the sustained rate.
 *
 * The figures move 10–25 % between sittings on a shared machine; compare within one run.
 * Usage: npm run bench:proxy [-- --tcp] [--seconds N] [--rates 500,1000,2000] [--no-log]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForSocket } from '../test/e2e/harness/ports.js';
import { startProcess } from '../test/e2e/harness/processes.js';
import { runSipp, startSippUas } from '../test/e2e/harness/sipp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const transport = args.includes('--tcp') ? 'tcp' : 'udp';
const seconds = Number(flagValue('--seconds') ?? 5);
const rates = (flagValue('--rates') ?? '250,500,1000,1500,2000,3000,4000,5000,6000').split(',').map(Number);
/** The clock ticks /proc counts CPU time in (USER_HZ); 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;
const LOSS_LIMIT = 0.001;

function flagValue(flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

function memoryKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
}

interface Step {
  readonly rate: number;
  readonly calls: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  readonly cpuUsPerCall: number;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'trunkguard-bench-'));
  const sippTransport = transport === 'tcp' ? 't1' : 'u1';
  const uasPort = await freePort();
  const proxyPort = await freePort();
  const uacPort = await freePort();
  const keysUas = { media_ip: '168.86.128.20', media_port: '20000', proto: 'RTP/SAVP' };
  const keysUac = {
    // The PBX's own address (loopback is trusted in bench/proxy-bench.yaml): no address finding.
    media_ip: '127.0.0.1',
    media_port: '30000',
    proto: 'RTP/SAVP',
    // 30 bytes of key||salt (RFC 4568 §6.1), the same in every call: SIPp cannot vary it.
    crypto: 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz',
  };
  const uas = await startSippUas({
    localPort: uasPort,
    transport: sippTransport,
    calls: 10_000_000,
    keys: {
      ...keysUas,
      crypto: 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
    },
    traceDir: work,
    timeoutMs: 3_600_000,
    traceMessages: false,
  });
  const proxy = startProcess(
    process.execPath,
    [
      join(ROOT, 'dist/src/cli.js'),
      'proxy',
      '--config',
      join(ROOT, 'bench/proxy-bench.yaml'),
      '--listen',
      `${transport}:127.0.0.1:${proxyPort}`,
      '--carrier',
      `127.0.0.1:${uasPort};transport=${transport}`,
      ...(args.includes('--no-log') ? [] : ['--log', join(work, 'proxy.log')]),
    ],
    { name: 'trunkguard proxy' },
  );
  const steps: Step[] = [];
  try {
    // The log goes to the file only (console off): readiness is its `ready` line there (ECS JSON:
    // event.action "ready"), or with --no-log (no log at all, to see what logging costs) the bound port.
    if (args.includes('--no-log')) {
      const pids = () => [proxy.pid];
      await waitForSocket({
        protocol: transport,
        host: '127.0.0.1',
        port: proxyPort,
        pids,
        timeoutMs: 10_000,
      });
    } else {
      const exited = () => proxy.exitStatus !== null;
      await waitForFileLine(join(work, 'proxy.log'), /"action":"ready"/, 10_000, exited);
    }
    // Warm-up (JIT, sockets), not counted.
    await runSipp({
      scenario: join(ROOT, 'test/fixtures/sipp/uac.xml'),
      remote: `127.0.0.1:${proxyPort}`,
      localPort: uacPort,
      transport: sippTransport,
      calls: 3000,
      rate: 500,
      keys: keysUac,
      traceDir: work,
      name: 'warmup',
      timeoutMs: 30_000,
      traceMessages: false,
    });
    for (const rate of rates) {
      const before = cpuTicks(proxy.pid);
      const result = await runSipp({
        scenario: join(ROOT, 'test/fixtures/sipp/uac.xml'),
        remote: `127.0.0.1:${proxyPort}`,
        localPort: uacPort,
        transport: sippTransport,
        calls: rate * seconds,
        rate,
        keys: keysUac,
        traceDir: work,
        name: `uac-${rate}`,
        timeoutMs: (seconds + 30) * 1000,
        traceMessages: false,
        extraArgs: ['-l', String(rate * 10)],
      });
      const used = cpuTicks(proxy.pid) - before;
      const { successful, failed, retransmissions } = result.stats;
      const step: Step = {
        rate,
        calls: rate * seconds,
        successful,
        failed,
        retransmissions,
        cpuUsPerCall: successful > 0 ? Math.round(((used / TICKS_PER_SECOND) * 1e6) / successful) : 0,
      };
      steps.push(step);
      print(step);
      if (lossOf(step) > LOSS_LIMIT * 5) break; // well past the limit: higher rates only fail more
    }
  } finally {
    const peakKb = memoryKb(proxy.pid, 'VmHWM');
    await proxy.stop();
    await uas.stop();
    summarize(steps, peakKb);
    rmSync(work, { recursive: true, force: true });
  }
}

function lossOf(step: Step): number {
  return step.calls === 0 ? 1 : (step.calls - step.successful + step.retransmissions) / step.calls;
}

function print(step: Step): void {
  const loss = (lossOf(step) * 100).toFixed(2);
  console.log(
    `${String(step.rate).padStart(6)} calls/s offered: ${step.successful}/${step.calls} ok, ${step.failed} failed, ` +
      `${step.retransmissions} retransmitted (${loss} %), proxy CPU ${step.cpuUsPerCall} µs/call`,
  );
}

function summarize(steps: readonly Step[], peakKb: number): void {
  const sustained = steps
    .filter((step) => lossOf(step) < LOSS_LIMIT)
    .reduce((best, step) => Math.max(best, step.rate), 0);
  const at1000 = steps.find((step) => step.rate === 1000);
  console.log(
    `\ntrunkguard proxy over ${transport.toUpperCase()}, ${cpus().length} cores, ${seconds} s per rate, Node ${process.version}:\n` +
      `  sustained: ${sustained} calls/s with < ${LOSS_LIMIT * 100} % failed or retransmitted\n` +
      `  CPU per call at 1000 calls/s: ${at1000 ? `${at1000.cpuUsPerCall} µs` : 'not measured'}\n` +
      `  peak memory (VmHWM): ${(peakKb / 1024).toFixed(1)} MiB`,
  );
}

async function waitForFileLine(
  file: string,
  pattern: RegExp,
  timeoutMs: number,
  gaveUp: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not created yet
    }
    if (pattern.test(text)) return;
    if (gaveUp()) throw new Error('the proxy exited before it was ready');
    if (Date.now() > deadline) throw new Error(`the proxy was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

await main();
