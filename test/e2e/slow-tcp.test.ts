/**
 * Issue 5's slow-TCP test: 300 TCP connections to `trunkguard proxy` each send half an INVITE
 * and stall. While they stall, a fresh SIPp call over TCP and one over UDP go through the proxy
 * to a SIPp UAS, and SIPp's response time for each (INVITE sent to 200 received, the scenario's
 * rtd) is under a second. Then proxy.limits.connections.messageSeconds (2 s here) closes every
 * stalled connection, and the hits are counted.
 *
 * All connections come from 127.0.0.1, so perSource is raised for this test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CUSTOMER_MEDIA } from './harness/media.js';
import { freePort } from './harness/ports.js';
import { bounded } from './harness/processes.js';
import { fieldOf, PROXY_E2E_CONFIG, type ProxyProcess, startProxyProcess } from './harness/proxy.js';
import { runSipp, type SippResult, type SippTransport, startSippUas, UAC_SCENARIO } from './harness/sipp.js';

const STALLED = 300;
const MESSAGE_SECONDS = 2;

/** The e2e judge config plus the connection limits of this test. */
function writeConfig(dir: string): string {
  const path = join(dir, 'slow-tcp.yaml');
  const judge = readFileSync(PROXY_E2E_CONFIG, 'utf8');
  writeFileSync(
    path,
    `${judge}\nproxy:\n  limits:\n    connections:\n      perSource: 1000\n      messageSeconds: ${MESSAGE_SECONDS}\n`,
  );
  return path;
}

/** Half of an INVITE: the request line and some headers, no end of the header section. */
function halfInvite(index: number): string {
  return (
    'INVITE sip:+15550100@trunk.example.com SIP/2.0\r\n' +
    `Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-stall-${index}\r\n` +
    'Max-Forwards: 70\r\n' +
    `Call-ID: stall-${index}\r\n`
  );
}

/** Opens `count` connections that each send half a message; resolves once all are connected and written. */
async function stall(t: ExecutionContext, port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
  });
  const connected = Array.from({ length: count }, (_, index) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      socket.once('connect', () => socket.write(halfInvite(index), () => resolve()));
      socket.once('close', () =>
        reject(new Error(`stalled connection ${index} closed before it was written`)),
      );
    });
  });
  await bounded(Promise.all(connected), 10_000, `${count} stalled connections`);
  return sockets;
}

/** SIPp's "hh:mm:ss:uuuuuu" (ResponseTime columns) in milliseconds, or null when absent. */
function sippDurationMs(text: string | undefined): number | null {
  const match = /^(\d+):(\d+):(\d+):(\d+)$/.exec(text?.trim() ?? '');
  if (!match) return null;
  const [, h, m, s, us] = match.map(Number) as [number, number, number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000 + us / 1000;
}

async function oneCall(
  t: ExecutionContext,
  dir: string,
  port: number,
  transport: SippTransport,
): Promise<SippResult> {
  return runSipp({
    scenario: UAC_SCENARIO,
    remote: `127.0.0.1:${port}`,
    localPort: await freePort(),
    transport,
    calls: 1,
    keys: CUSTOMER_MEDIA,
    timeoutMs: 10_000,
    recvTimeoutMs: 5000,
    traceDir: dir,
    name: `uac-${transport}`,
    t,
  });
}

function assertFastCall(t: ExecutionContext, result: SippResult, what: string, proxy: ProxyProcess): void {
  t.is(result.code, 0, `${what}: SIPp exit ${result.code}\n${result.errors}\n${proxy.proc.tail(20)}`);
  t.is(result.stats.successful, 1, `${what}: the call did not complete`);
  const responseMs = sippDurationMs(result.stats.raw['ResponseTime1(C)']);
  if (responseMs === null) {
    t.fail(`${what}: no ResponseTime1(C) in SIPp's stats: ${JSON.stringify(result.stats.raw)}`);
    return;
  }
  t.log(`${what}: INVITE to 200 in ${responseMs.toFixed(1)} ms`);
  t.true(
    responseMs < 1000,
    `${what}: INVITE to 200 took ${responseMs.toFixed(0)} ms through the proxy while ${STALLED} ` +
      'connections stalled (the issue asks for a fresh call within a second)',
  );
}

test(`${STALLED} stalled TCP connections: fresh TCP and UDP calls still go through within a second; the stalled ones are cut off after messageSeconds`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-slow-tcp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const uas = await startSippUas({
    localPort: await freePort(),
    transport: 'u1',
    calls: 2,
    traceDir: dir,
    t,
  });
  const proxy = await startProxyProcess({
    carrier: `${uas.address};transport=udp`,
    config: writeConfig(dir),
    t,
  });
  t.teardown(() => {
    if (!t.passed) t.log(`proxy output:\n${proxy.proc.tail(40)}`);
  });
  if (proxy.tcpPort === null || proxy.udpPort === null)
    throw new Error('the proxy logged no TCP or UDP listener');

  const sockets = await stall(t, proxy.tcpPort, STALLED);
  const closedByProxy = sockets.map(
    (socket) =>
      new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))),
  );

  assertFastCall(t, await oneCall(t, dir, proxy.tcpPort, 't1'), 'the TCP call', proxy);
  assertFastCall(t, await oneCall(t, dir, proxy.udpPort, 'u1'), 'the UDP call', proxy);

  // Every stalled connection is closed by the proxy (we never close them): bounded by the
  // limit plus a generous margin for a loaded machine.
  await bounded(
    Promise.all(closedByProxy),
    MESSAGE_SECONDS * 1000 + 15_000,
    'the stalled connections to be closed',
  );
  const hits = await proxy.waitForEvents('limit-hit', 1, 5000);
  const messageTime = hits.filter((line) => fieldOf(line, 'trunkguard.limit') === 'message-time');
  t.is(messageTime.length, 1, 'one limit-hit line for the interval, the rest counted');
  t.deepEqual(proxy.otherLines(), [], 'the proxy wrote nothing but JSON lines');
  t.is(proxy.proc.exitStatus, null, 'the proxy is still running');
  const uasResult = await uas.result(10_000);
  t.is(uasResult.stats.successful, 2, `UAS:\n${uasResult.errors}`);

  // SIGTERM: the proxy logs the hits of the interval not logged yet, with the running total.
  const exit = await proxy.proc.stop();
  t.is(exit.code, 0);
  const suppressed = proxy
    .events('limit-hits-suppressed')
    .filter((line) => fieldOf(line, 'trunkguard.limit') === 'message-time');
  t.is(suppressed.length, 1);
  t.is(fieldOf(suppressed[0], 'trunkguard.total'), STALLED, 'every stalled connection counted');
});
