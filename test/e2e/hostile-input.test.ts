/**
 * Hostile input against a real `trunkguard proxy` process (issue 5): every RFC 4475 and RFC 5118
 * torture message, a few thousand deterministic mutations of keyed INVITEs (test/e2e/
 * hostile-messages.ts) over UDP and over TCP (split across writes at random boundaries, several
 * per write), and the sipvicious scanners. Afterwards the same process (same PID, one `ready`)
 * still forwards a call end to end over UDP and over TCP, its output holds no SDES key of any
 * message sent, and it recognised the scanner (`scanner-user-agent`).
 *
 * While the hostile input flows, the carrier is a plain UDP socket of the test (a sink: nothing
 * the proxy forwards reaches a SIPp that would count it); the sends are paced by a barrier, a
 * valid OPTIONS whose arrival at the sink says the proxy has handled everything sent before it.
 * For the calls afterwards the sink closes and a SIPp UAS binds the same port.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { datFiles, fixture } from '../sip/fixtures.js';
import { CUSTOMER_MEDIA, TWILIO_MEDIA, withSdes } from './harness/media.js';
import { freePort } from './harness/ports.js';
import { bounded, startProcess } from './harness/processes.js';
import {
  actionOf,
  codeOf,
  type LogLine,
  PROXY_E2E_CONFIG,
  parseLog,
  startProxyProcess,
} from './harness/proxy.js';
import { runSipp, type SippTransport, startSippUas, UAC_SCENARIO } from './harness/sipp.js';
import { type HostileMessage, hostileMessages, inlineKeys, MAX_DATAGRAM, Prng } from './hostile-messages.js';

/** The PRNG seed of the mutations: fixed, so every run sends the same bytes. */
const SEED = 0x5150_4755;

/** Messages sent between two barriers: small enough for the socket buffers, the proxy's pace sets ours. */
const BATCH = 40;
/** Messages per TCP connection. */
const PER_CONNECTION = 25;

/** Keys of the final calls (RFC 4568 inline keys, base64 of 30 bytes). */
const UAC_KEY = 'aG9zdGlsZS1pbnB1dC11YWMta2V5LTMwYnl0ZXMhIQ';
const UAS_KEY = 'aG9zdGlsZS1pbnB1dC11YXMta2V5LTMwYnl0ZXMhISE';

/** A fresh temporary directory, removed when the test ends. */
function workDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-hostile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The torture corpora, as copied into test/fixtures (see their SOURCE.md). */
function corpus(): HostileMessage[] {
  const dirs = ['rfc4475', 'rfc5118', 'rfc5118/wire'];
  return dirs.flatMap((dir) =>
    datFiles(dir).map((file) => ({ kind: `${dir}/${file}`, bytes: fixture(`${dir}/${file}`) })),
  );
}

/** A UDP socket on 127.0.0.1 that keeps what it receives. */
async function udpSocket(port = 0): Promise<{ socket: Socket; received: Buffer[] }> {
  const socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (bytes) => received.push(bytes));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return { socket, received };
}

/** A valid OPTIONS from the customer side: the proxy forwards it to the carrier (the sink). */
function probe(id: string, clientPort: number): Buffer {
  return Buffer.from(
    [
      'OPTIONS sip:probe@trunk.example.net SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};branch=z9hG4bKprobe${id}`,
      'Max-Forwards: 70',
      `From: <sip:pbx@127.0.0.1>;tag=probe${id}`,
      'To: <sip:probe@trunk.example.net>',
      `Call-ID: ${id}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

test('hostile input over UDP and TCP and the sipvicious scanners: the proxy stays up, still forwards calls, leaks no key', async (t) => {
  const dir = workDir(t);
  const logFile = join(dir, 'proxy.log');
  // The e2e judge config, and flood blocking off whatever its default: the scanners and the
  // mutations come from the same loopback source as the calls afterwards, which must pass.
  const config = join(dir, 'trunkguard.yaml');
  writeFileSync(
    config,
    `${readFileSync(PROXY_E2E_CONFIG, 'utf8')}proxy:\n  limits:\n    flood: { block: false }\n`,
  );
  const carrierPort = await freePort();
  const sink = await udpSocket(carrierPort);
  let sinkOpen = true;
  t.teardown(() => {
    if (sinkOpen) sink.socket.close();
  });
  const client = await udpSocket();
  t.teardown(() => client.socket.close());
  const clientPort = client.socket.address().port;

  const proxy = await startProxyProcess({
    carrier: `127.0.0.1:${carrierPort};transport=udp`,
    config,
    extraArgs: ['--no-http', '--log', logFile],
    t,
  });
  t.teardown(() => {
    if (!t.passed)
      t.log(
        `proxy output (last lines):\n${proxy.proc
          .tail(12)
          .split('\n')
          .map((line) => line.slice(0, 400))
          .join('\n')}`,
      );
  });
  const udpPort = proxy.udpPort;
  const tcpPort = proxy.tcpPort;
  if (udpPort === null || tcpPort === null) throw new Error('the proxy logged no UDP or TCP listener');
  const pid = proxy.proc.pid;

  /** Every byte sent, for the key search afterwards. */
  const sentMessages: Buffer[] = [];
  let probes = 0;
  /**
   * Sends a valid OPTIONS and waits (bounded) until the sink has it: the proxy handled all that
   * came before. A probe lost in a full socket buffer is sent again; three lost mean a hung proxy.
   */
  const barrier = async (): Promise<void> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = `probe-${probes++}@hostile`;
      client.socket.send(probe(id, clientPort), udpPort, '127.0.0.1');
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        if (sink.received.some((bytes) => bytes.includes(`Call-ID: ${id}`))) return;
        if (proxy.proc.exitStatus !== null) throw new Error(`the proxy exited:\n${proxy.proc.tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    throw new Error(`the proxy forwarded none of 3 probes within 3 s each:\n${proxy.proc.tail()}`);
  };

  const sendUdp = async (messages: readonly HostileMessage[]) => {
    for (let i = 0; i < messages.length; i += BATCH) {
      for (const message of messages.slice(i, i + BATCH)) {
        sentMessages.push(message.bytes);
        await new Promise<void>((resolve) =>
          // EMSGSIZE and the like are the test's own mistake: surface them.
          client.socket.send(message.bytes, udpPort, '127.0.0.1', (error) => {
            if (error)
              t.fail(
                `UDP send of a ${message.kind} message (${message.bytes.length} bytes): ${error.message}`,
              );
            resolve();
          }),
        );
      }
      await barrier();
    }
  };

  const rng = new Prng(SEED ^ 0x7c9);
  /**
   * One TCP connection: the messages written as one stream, cut at random boundaries into
   * writes (some writes hold several messages, some a few bytes), then a half-close; waits
   * (bounded) for the proxy to close or 2 s, then destroys the socket.
   */
  const sendTcpConnection = async (messages: readonly HostileMessage[]) => {
    const stream = Buffer.concat(messages.map((message) => message.bytes));
    for (const message of messages) sentMessages.push(message.bytes);
    const socket = connect({ host: '127.0.0.1', port: tcpPort });
    socket.on('data', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {}); // the proxy may close on a framing error: expected
    await bounded(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      3000,
      'TCP connect to the proxy',
    );
    let at = 0;
    while (at < stream.length && !socket.destroyed) {
      // Mostly small cuts (inside a line), sometimes a whole run of messages at once.
      const size = rng.next() < 0.3 ? 1 + rng.below(16) : 1 + rng.below(4000);
      const chunk = stream.subarray(at, at + size);
      at += chunk.length;
      if (!socket.write(chunk)) {
        await bounded(
          new Promise<void>((resolve) => {
            socket.once('drain', resolve);
            socket.once('close', resolve);
          }),
          5000,
          'TCP drain',
        );
      }
      if (rng.next() < 0.1) await new Promise((resolve) => setImmediate(resolve));
    }
    socket.end();
    await bounded(closed, 2000, 'TCP close').catch(() => {});
    socket.destroy();
  };

  const sendTcp = async (messages: readonly HostileMessage[]) => {
    for (let i = 0; i < messages.length; i += PER_CONNECTION) {
      await sendTcpConnection(messages.slice(i, i + PER_CONNECTION));
      if ((i / PER_CONNECTION) % 2 === 1) await barrier();
    }
    await barrier();
  };

  const torture = corpus();
  t.true(torture.length >= 60, `the corpora: ${torture.length} messages`);
  const udpMutations = hostileMessages(SEED, clientPort, MAX_DATAGRAM);
  const tcpMutations = hostileMessages(SEED + 1, clientPort, 4 * 65_536);
  t.true(udpMutations.length >= 2000, `${udpMutations.length} UDP mutations`);
  for (const kind of [
    '1000-vias',
    '64k-header',
    'multipart-deep',
    'multipart-many',
    'nul',
    'content-length-huge',
  ]) {
    t.true(
      udpMutations.some((message) => message.kind === kind),
      `a ${kind} message over UDP`,
    );
    t.true(
      tcpMutations.some((message) => message.kind === kind),
      `a ${kind} message over TCP`,
    );
  }

  await sendUdp(torture);
  await sendTcp(torture);
  await sendUdp(udpMutations);
  await sendTcp(tcpMutations);

  // The sipvicious scanners at the UDP port, each bounded and stopped by its PID.
  for (const [command, args] of [
    ['svmap', ['127.0.0.1', '-p', String(udpPort)]],
    ['svwar', ['-e100-110', '-m', 'INVITE', '127.0.0.1', '-p', String(udpPort)]],
    ['svwar', ['-e200-205', '-m', 'REGISTER', '127.0.0.1', '-p', String(udpPort)]],
  ] as const) {
    const scanner = startProcess(command, args, { name: command, t });
    await scanner.waitForExit(30_000).catch(() => {});
    await scanner.stop();
    t.not(scanner.exitStatus?.code, -1, `${command} could not start (Debian package sipvicious)`);
  }
  await barrier();

  // Alive: the same process, never restarted.
  t.is(proxy.proc.pid, pid);
  t.is(proxy.proc.exitStatus, null, 'the proxy exited');
  t.is(proxy.events('ready').length, 1, 'the proxy started again');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  t.log(
    `sent ${torture.length} corpus messages (twice), ${udpMutations.length} UDP and ${tcpMutations.length} TCP mutations; ` +
      `the sink got ${sink.received.length} forwarded messages; the proxy holds ${Math.round(rss / 1024)} MiB RSS`,
  );

  // Scanners recognised: sipvicious says User-Agent friendly-scanner.
  const scannerFindings = proxy.events('finding').filter((line) => codeOf(line) === 'scanner-user-agent');
  t.true(scannerFindings.length >= 3, `scanner-user-agent findings: ${scannerFindings.length}`);
  t.true(scannerFindings.every((line) => JSON.stringify(line).includes('friendly-scanner')));
  t.deepEqual(
    new Set(scannerFindings.map((line) => String(line.sip?.method))),
    new Set(['OPTIONS', 'INVITE', 'REGISTER']),
  );

  // Still forwards a call end to end over UDP and over TCP (customer legs), carrier over UDP.
  sinkOpen = false;
  await new Promise<void>((resolve) => sink.socket.close(() => resolve()));
  const uas = await startSippUas({
    localPort: carrierPort,
    transport: 'u1',
    calls: 2,
    keys: withSdes(TWILIO_MEDIA, UAS_KEY),
    traceDir: dir,
    t,
  });
  const summariesBefore = proxy.events('call-summary').length;
  for (const transport of ['u1', 't1'] as SippTransport[]) {
    const uac = await runSipp({
      scenario: UAC_SCENARIO,
      remote: `127.0.0.1:${transport === 'u1' ? udpPort : tcpPort}`,
      localPort: await freePort(),
      transport,
      calls: 1,
      keys: withSdes(CUSTOMER_MEDIA, UAC_KEY),
      timeoutMs: 15_000,
      recvTimeoutMs: 5000,
      traceDir: dir,
      name: `uac-${transport}`,
      t,
    });
    t.is(uac.code, 0, `UAC over ${transport}: ${uac.errors.slice(0, 2000)}`);
    t.is(uac.stats.successful, 1, `UAC over ${transport}`);
    t.true(
      uac.messages.some((message) => message.text.includes(UAC_KEY)),
      'the key went on the wire',
    );
  }
  const uasResult = await uas.result(15_000);
  t.is(uasResult.code, 0, `UAS: ${uasResult.errors.slice(0, 2000)}`);
  await proxy.waitForEvents('call-summary', summariesBefore + 2, 5000);

  // SIGTERM: the log file flushed. Then no output holds any key sent.
  t.is(proxy.proc.pid, pid);
  t.is(proxy.proc.exitStatus, null, 'the proxy exited before being stopped');
  await proxy.proc.stop();
  const files = readdirSync(dir).filter((name) => name.startsWith('proxy.log'));
  const outputs: Record<string, string> = {
    'stdout and stderr': proxy.proc.lines.join('\n'),
    'log file': files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n'),
  };
  const keys = new Set([UAC_KEY, UAS_KEY, ...sentMessages.flatMap(inlineKeys)]);
  t.true(keys.size > 2000, `${keys.size} distinct keys sent`);
  // The search finds a key where there is one (the messages sent hold theirs).
  const keyed = sentMessages.find((bytes) => inlineKeys(bytes).length > 0) ?? Buffer.alloc(0);
  t.true(
    leakedKeys(keyed.toString('latin1'), keys).length > 0,
    'the key search finds no key in a keyed message',
  );
  for (const [name, text] of Object.entries(outputs)) {
    t.true(text.includes('scanner-user-agent'), `${name} saw the scanners: it was really read`);
    t.deepEqual(leakedKeys(text, keys), [], `${name} holds SDES key material`);
    // What follows inline: is the log's REDACTED marker or the negotiation log's keyed hash, nothing else.
    const unredacted = [...text.matchAll(/inline:(?!redacted-[0-9a-f]{24}|\[redacted\]).{0,40}/g)].map(
      (match) => match[0],
    );
    t.deepEqual(unredacted.slice(0, 10), [], `${name} has an inline: that is not followed by a redaction`);
  }

  // No trouble of its own: the proxy judged bad input, it did not fail on it.
  const lines = parseLog(outputs['log file'] ?? '');
  t.deepEqual(
    lines.filter((line) => ['internal-error', 'socket-error'].includes(actionOf(line) ?? '')).slice(0, 5),
    [],
    'the proxy logged its own errors',
  );
  t.deepEqual(
    proxy.otherLines().slice(0, 10),
    [],
    'the proxy wrote lines that are not JSON (a crash, a warning)',
  );
  reportLogVolume(t, lines);
});

/**
 * The keys (any 12-character run of one: a clipped evidence line is a leak too) that `text`
 * holds. The text's base64 runs are cut into 12-character windows and looked up in a set of
 * the keys' windows, so thousands of keys are checked in one pass over the text.
 */
function leakedKeys(text: string, keys: ReadonlySet<string>): string[] {
  const windows = new Map<string, string>();
  for (const key of keys) for (let i = 0; i + 12 <= key.length; i++) windows.set(key.slice(i, i + 12), key);
  const found = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z0-9+/]{12,}/g)) {
    const run = match[0];
    for (let i = 0; i + 12 <= run.length; i++) {
      const key = windows.get(run.slice(i, i + 12));
      if (key !== undefined) found.add(`${key.slice(0, 8)}…`);
    }
  }
  return [...found];
}

/** How many lines each action/code wrote: shown in the test's log (see the report on per-packet logging). */
function reportLogVolume(t: ExecutionContext, lines: readonly LogLine[]): void {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const name = `${actionOf(line) ?? '?'}${codeOf(line) ? ` ${codeOf(line)}` : ''}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
  t.log(
    `${lines.length} log lines; most frequent: ${top.map(([name, count]) => `${name}=${count}`).join(', ')}`,
  );
}
