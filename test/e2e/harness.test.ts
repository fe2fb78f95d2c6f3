/**
 * The e2e harness on its own, without the proxy: the SIPp peers call each other over UDP and TCP,
 * Kamailio relays a call from a Node TLS client to a SIPp UAS, and the process helpers stop what
 * they start. The proxy's e2e tests put trunkguard between these same peers, so they can trust
 * that a failure there is the proxy's, not the peers'.
 */

import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { startKamailioTlsRelay, TEST_TLS } from './harness/kamailio.js';
import { freePort } from './harness/ports.js';
import { bounded, startProcess } from './harness/processes.js';
import {
  headerOf,
  runSipp,
  type SippMessage,
  type SippTransport,
  sdpLines,
  startSippUas,
  UAC_SCENARIO,
} from './harness/sipp.js';

const CRYPTO_UAC = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const CRYPTO_UAS = 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkzdTRDMT5PIUgzdkVbNDEx';

/** A temporary directory for one test's logs, removed when the test passes (kept to debug a failure). */
function traceDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-e2e-'));
  t.teardown(() => {
    if (t.passed) rmSync(dir, { recursive: true, force: true });
    else t.log(`logs kept in ${dir}`);
  });
  return dir;
}

const received = (messages: readonly SippMessage[], method: string) =>
  messages.filter((message) => message.direction === 'received' && message.method === method);

/** The checks every SDP a scenario sends must pass: exact Content-Length, no blank line inside. */
function assertWellFormedSdp(t: ExecutionContext, message: SippMessage): void {
  t.is(Number(headerOf(message, 'Content-Length')), Buffer.byteLength(message.body, 'latin1'), message.text);
  t.false(message.body.includes('\r\n\r\n'), `blank line inside the SDP:\n${message.text}`);
  t.true(message.body.startsWith('v=0\r\n') && message.body.endsWith('\r\n'), message.text);
}

/** SIPp UAC -> SIPp UAS directly, `calls` calls; returns both sides' results. */
async function directCalls(
  t: ExecutionContext,
  transport: SippTransport,
  calls: number,
  uacKeys: Record<string, string>,
  uasKeys: Record<string, string>,
) {
  const dir = traceDir(t);
  const uasPort = await freePort();
  const uas = await startSippUas({ localPort: uasPort, transport, calls, keys: uasKeys, traceDir: dir, t });
  const uac = await runSipp({
    scenario: UAC_SCENARIO,
    remote: uas.address,
    localPort: await freePort(),
    transport,
    calls,
    rate: 20,
    keys: uacKeys,
    timeoutMs: 15_000,
    traceDir: dir,
    t,
  });
  t.is(uac.code, 0, `UAC failed:\n${uac.errors}\n${uac.output.slice(-40).join('\n')}`);
  t.is(uac.stats.successful, calls);
  t.is(uac.stats.failed, 0);
  // The UAS exits by itself after its `calls` calls.
  const uasResult = await uas.result(10_000);
  t.is(uasResult.code, 0, `UAS failed:\n${uasResult.errors}`);
  return { uac, uas: uasResult };
}

test('SIPp UAC calls SIPp UAS over UDP: 3 calls, offer and answer as the keys say', async (t) => {
  const { uac, uas } = await directCalls(
    t,
    'u1',
    3,
    { media_ip: '198.51.100.7', media_port: '49170', proto: 'RTP/AVP', crypto: '' },
    { media_ip: '192.0.2.20', media_port: '30000', proto: 'RTP/AVP', crypto: '' },
  );
  const invites = received(uas.messages, 'INVITE');
  t.is(invites.length, 3);
  for (const invite of invites) {
    t.is(invite.transport, 'UDP');
    t.true(invite.body.includes('c=IN IP4 198.51.100.7\r\n'), invite.text);
    t.true(invite.body.includes('m=audio 49170 RTP/AVP 0 8 101\r\n'), invite.text);
    t.false(invite.body.includes('a=crypto'), invite.text);
    assertWellFormedSdp(t, invite);
  }
  t.is(received(uas.messages, 'ACK').length, 3);
  t.is(received(uas.messages, 'BYE').length, 3);
  const answers = uac.messages.filter(
    (message) => message.direction === 'received' && message.status === 200,
  );
  // 200 to each INVITE and to each BYE.
  t.is(answers.length, 6);
  for (const answer of answers.filter((message) => headerOf(message, 'CSeq')?.endsWith('INVITE'))) {
    t.true(
      answer.body.includes('c=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0 101\r\n'),
      answer.text,
    );
    assertWellFormedSdp(t, answer);
  }
});

test('SIPp UAC calls SIPp UAS over TCP (-t t1): 3 calls with SDES crypto lines', async (t) => {
  const { uac, uas } = await directCalls(
    t,
    't1',
    3,
    { media_ip: '198.51.100.8', media_port: '49180', proto: 'RTP/SAVP', crypto: CRYPTO_UAC },
    { media_ip: '192.0.2.21', media_port: '30010', proto: 'RTP/SAVP', crypto: `${CRYPTO_UAS}\r\n` },
  );
  const invites = received(uas.messages, 'INVITE');
  t.is(invites.length, 3);
  for (const invite of invites) {
    t.is(invite.transport, 'TCP');
    t.true(headerOf(invite, 'Via')?.startsWith('SIP/2.0/TCP '), invite.text);
    t.true(invite.body.includes('c=IN IP4 198.51.100.8\r\n'), invite.text);
    t.true(
      invite.body.includes(`m=audio 49180 RTP/SAVP 0 8 101\r\n${CRYPTO_UAC}\r\na=rtpmap:0 PCMU/8000\r\n`),
    );
    assertWellFormedSdp(t, invite);
  }
  t.is(received(uas.messages, 'ACK').length, 3);
  t.is(received(uas.messages, 'BYE').length, 3);
  const answer = uac.messages.find((message) => message.direction === 'received' && message.status === 200);
  t.truthy(answer);
  if (answer !== undefined) {
    t.true(answer.body.includes(`m=audio 30010 RTP/SAVP 0 101\r\n${CRYPTO_UAS}\r\n`), answer.text);
    assertWellFormedSdp(t, answer);
  }
});

test('the UAS answers with whatever media IP its key says, even one outside any carrier range', async (t) => {
  const { uac } = await directCalls(
    t,
    'u1',
    1,
    { media_ip: '198.51.100.9' },
    { media_ip: '203.0.113.250', media_port: '65000' },
  );
  const answer = uac.messages.find(
    (message) => message.direction === 'received' && message.status === 200 && message.body !== '',
  );
  t.truthy(answer);
  t.true(answer?.body.includes('o=carrier 2890844527 2890844527 IN IP4 203.0.113.250\r\n'), answer?.text);
  t.true(answer?.body.includes('c=IN IP4 203.0.113.250\r\n'), answer?.text);
  t.true(answer?.body.includes('m=audio 65000 RTP/AVP 0 101\r\n'), answer?.text);
});

/** Reads SIP messages off a stream (TLS here), framed by Content-Length. */
class SipStream {
  readonly messages: string[] = [];
  private buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        // Keepalive CRLFs (RFC 5626) between messages.
        while (this.buffer.subarray(0, 2).toString('latin1') === '\r\n')
          this.buffer = this.buffer.subarray(2);
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = this.buffer.subarray(0, end).toString('latin1');
        const length = Number(/^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head)?.[1] ?? 0);
        if (this.buffer.length < end + 4 + length) break;
        this.messages.push(this.buffer.subarray(0, end + 4 + length).toString('latin1'));
        this.buffer = this.buffer.subarray(end + 4 + length);
      }
      for (const wake of this.waiters) wake();
    });
  }

  send(message: string): void {
    this.socket.write(message);
  }

  /** The first message (already received or still to come) that matches; bounded. */
  waitFor(predicate: (message: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const found = () => this.messages.find(predicate);
    return bounded(
      new Promise<string>((resolve) => {
        const check = () => {
          const message = found();
          if (message === undefined) return;
          this.waiters.delete(check);
          resolve(message);
        };
        this.waiters.add(check);
        check();
      }),
      timeoutMs,
      `${what} (received so far: ${this.messages.map((message) => message.split('\r\n')[0]).join(' | ')})`,
    );
  }
}

/** Every value of a header (all its lines, comma-separated entries split, <...> kept whole). */
function headerValues(message: string, name: string): string[] {
  const head = message.slice(0, message.indexOf('\r\n\r\n'));
  const values: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).trim().toLowerCase() !== name.toLowerCase()) continue;
    values.push(...(line.slice(colon + 1).match(/<[^>]*>[^,]*|[^,<]+/g) ?? []).map((value) => value.trim()));
  }
  return values.filter((value) => value !== '');
}

function sdpBody(mediaIp: string, mediaPort: number): string {
  return [
    'v=0',
    `o=tls-client 1 1 IN IP4 ${mediaIp}`,
    's=-',
    `c=IN IP4 ${mediaIp}`,
    't=0 0',
    `m=audio ${mediaPort} RTP/SAVP 0`,
    sdpLines(CRYPTO_UAC).trimEnd(),
    'a=rtpmap:0 PCMU/8000',
    '',
  ].join('\r\n');
}

test('Kamailio relays a TLS client to a SIPp UAS (UDP) and back, dialog included', async (t) => {
  const dir = traceDir(t);
  const uas = await startSippUas({
    localPort: await freePort(),
    transport: 'u1',
    calls: 1,
    keys: { media_ip: '192.0.2.30', media_port: '30020', proto: 'RTP/SAVP', crypto: CRYPTO_UAS },
    traceDir: dir,
    t,
  });
  const relay = await startKamailioTlsRelay({
    tlsPort: await freePort(),
    uasHost: uas.localIp,
    uasPort: uas.localPort,
    workDir: dir,
    t,
  });
  t.teardown(() => {
    if (!t.passed) t.log(`kamailio output (last 30 lines):\n${relay.proc.tail(30)}`);
  });

  // A TLS client that trusts only the test CA: the handshake checks Kamailio's certificate too.
  const socket = await bounded(
    new Promise<TLSSocket>((resolve, reject) => {
      const tls = connect({ host: '127.0.0.1', port: relay.tlsPort, ca: readFileSync(TEST_TLS.ca) }, () =>
        resolve(tls),
      );
      tls.once('error', reject);
    }),
    5000,
    'TLS connection to Kamailio',
  );
  t.teardown(() => socket.destroy());
  t.true(socket.authorized);
  const stream = new SipStream(socket);
  const local = `127.0.0.1:${socket.localPort}`;
  const callId = `harness-tls-${Date.now()}@127.0.0.1`;
  const fromTag = 'tlsclient1';
  const request = (method: string, uri: string, cseq: number, extra: string[], body = '') =>
    [
      `${method} ${uri} SIP/2.0`,
      // alias (RFC 5923): Kamailio may reuse this connection for requests towards us.
      `Via: SIP/2.0/TLS ${local};branch=z9hG4bK-${method.toLowerCase()}-${cseq};rport;alias`,
      'Max-Forwards: 70',
      `From: <sip:customer@127.0.0.1>;tag=${fromTag}`,
      ...extra,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:customer@${local};transport=tls>`,
      ...(body === '' ? [] : ['Content-Type: application/sdp']),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');

  stream.send(
    request(
      'INVITE',
      `sip:service@${relay.address};transport=tls`,
      1,
      ['To: <sip:service@127.0.0.1>'],
      sdpBody('198.51.100.30', 49200),
    ),
  );
  const isResponse = (status: number, method: string) => (message: string) =>
    message.startsWith(`SIP/2.0 ${status} `) &&
    new RegExp(`^CSeq:\\s*\\d+ ${method}\\r$`, 'im').test(message);
  await stream.waitFor(isResponse(100, 'INVITE'), 15_000, '100 Trying');
  await stream.waitFor(isResponse(180, 'INVITE'), 15_000, '180 Ringing');
  const ok = await stream.waitFor(isResponse(200, 'INVITE'), 15_000, '200 OK to the INVITE');
  const answer = ok.slice(ok.indexOf('\r\n\r\n') + 4);
  t.true(answer.includes('c=IN IP4 192.0.2.30\r\n'), ok);
  t.true(answer.includes(`m=audio 30020 RTP/SAVP 0 101\r\n${CRYPTO_UAS}\r\n`), ok);
  t.is(Number(headerValues(ok, 'Content-Length')[0]), Buffer.byteLength(answer));

  // Kamailio record-routes on both of its sides (double RR: TLS towards us, UDP towards the UAS).
  const recordRoute = headerValues(ok, 'Record-Route');
  t.is(recordRoute.length, 2, ok);
  t.true(
    recordRoute.some((uri) => uri.includes(`:${relay.tlsPort};transport=tls`)),
    ok,
  );
  t.true(
    recordRoute.some((uri) => uri.includes(`:${relay.udpPort}`)),
    ok,
  );
  const to = headerValues(ok, 'To')[0] ?? '';
  t.regex(to, /;tag=/);
  const target = /<([^>]+)>/.exec(headerValues(ok, 'Contact')[0] ?? '')?.[1] ?? '';
  t.is(target, `sip:${uas.address};transport=UDP`);
  // The UAC's route set is the Record-Route in reverse order (RFC 3261 12.1.2).
  const route = `Route: ${[...recordRoute].reverse().join(', ')}`;

  stream.send(request('ACK', target, 1, [`To: ${to}`, route]));
  stream.send(request('BYE', target, 2, [`To: ${to}`, route]));
  await stream.waitFor(isResponse(200, 'BYE'), 15_000, '200 OK to the BYE');

  // The UAS saw the whole dialog, through Kamailio, and exits after its one call.
  const result = await uas.result(10_000);
  t.is(result.code, 0, result.errors);
  const invite = received(result.messages, 'INVITE')[0];
  t.truthy(invite);
  if (invite !== undefined) {
    t.is(invite.transport, 'UDP');
    t.true(invite.body.includes('c=IN IP4 198.51.100.30\r\n'), invite.text);
    t.true(invite.body.includes(CRYPTO_UAC), invite.text);
    // Two Vias: Kamailio's and the TLS client's.
    t.regex(headerOf(invite, 'Via') ?? '', new RegExp(`^SIP/2.0/UDP 127.0.0.1:${relay.udpPort};`));
    t.true(invite.text.includes(`Via: SIP/2.0/TLS ${local};`), invite.text);
  }
  t.is(received(result.messages, 'ACK').length, 1);
  t.is(received(result.messages, 'BYE').length, 1);
  // The relay's own log saw the requests come in over TLS.
  await relay.proc.waitForLine(/request BYE .* from tls:127\.0\.0\.1:/, 5000);
});

test('freePort gives distinct ports, free on both UDP and TCP', async (t) => {
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  t.is(new Set(ports).size, 3);
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
    await new Promise<void>((resolve, reject) => {
      const socket = createSocket('udp4').once('error', reject);
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve()));
    });
  }
  t.pass();
});

test('startProcess: output lines, waits, and stop by PID (idempotent, SIGKILL after grace)', async (t) => {
  const node = process.execPath;
  // Prints, then exits 3: lines come back, the exit status too.
  const quick = startProcess(node, ['-e', 'console.log("one"); console.error("two"); process.exit(3)'], {
    t,
  });
  t.is(await quick.waitForLine(/^two$/, 5000), 'two');
  t.deepEqual(await quick.waitForExit(5000), { code: 3, signal: null });
  t.deepEqual(quick.lines, ['one', 'two']);
  // A line that never comes: rejected when the process exits, with its last lines.
  const silent = startProcess(node, ['-e', 'console.log("only this")'], { t });
  const early = await t.throwsAsync(silent.waitForLine(/never/, 5000));
  t.regex(early?.message ?? '', /exited \(code 0\)[\s\S]*only this/);
  // Ignores SIGTERM: stop() must SIGKILL it after the grace, and a second stop() is the same.
  const stubborn = startProcess(
    node,
    [
      '-e',
      'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000)',
    ],
    { t },
  );
  await stubborn.waitForLine(/^up$/, 5000);
  const started = Date.now();
  const [first, second] = await Promise.all([stubborn.stop(300), stubborn.stop(300)]);
  t.deepEqual(first, { code: null, signal: 'SIGKILL' });
  t.is(first, second);
  t.true(Date.now() - started < 5000);
  t.true(stubborn.lines.includes('ignored'));
  // A wait that times out says so, with the output.
  const sleeper = startProcess(node, ['-e', 'console.log("sleeping"); setTimeout(() => {}, 60000)'], { t });
  await sleeper.waitForLine(/sleeping/, 5000);
  const late = await t.throwsAsync(sleeper.waitForExit(100));
  t.regex(late?.message ?? '', /still running after 100 ms[\s\S]*sleeping/);
  t.deepEqual(await sleeper.stop(), { code: null, signal: 'SIGTERM' });
  // A binary that does not exist fails clearly, it is not skipped.
  const missing = startProcess('/nonexistent/sipp', [], { t });
  const exit = await missing.waitForExit(5000);
  t.is(exit.code, -1);
  t.regex(missing.tail(), /could not start: .*ENOENT/);
});
