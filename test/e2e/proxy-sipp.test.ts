/**
 * The proxy between real SIP peers: a SIPp UAC (the customer's PBX) calls through
 * `trunkguard proxy` to a SIPp UAS (the carrier's trunk), over UDP, TCP, and UDP in / TLS out
 * with Kamailio as the carrier's TLS edge. The proxy's JSON log says what it judged (findings,
 * one summary per call), and both peers' message logs say what crossed it.
 *
 * Media in these tests: the Twilio profile's media range is 168.86.128.0/18, UDP 10000-60000;
 * 168.86.128.20:20000 is inside it, 203.0.113.50 (TEST-NET-3) is not.
 */

import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startKamailioTlsRelay, TEST_TLS } from './harness/kamailio.js';
import { CUSTOMER_MEDIA, OUT_OF_RANGE_MEDIA, TWILIO_MEDIA, withSdes } from './harness/media.js';
import { freePort } from './harness/ports.js';
import { bounded, startProcess } from './harness/processes.js';
import {
  actionOf,
  CLI,
  codeOf,
  type LogLine,
  NOT_JSON,
  PROXY_E2E_CONFIG,
  type ProxyProcess,
  parseLog,
  parseLogLine,
  startProxyProcess,
} from './harness/proxy.js';
import {
  headerOf,
  runSipp,
  type SippMessage,
  type SippResult,
  type SippTransport,
  type SippUas,
  startSippUas,
  UAC_SCENARIO,
} from './harness/sipp.js';

/** SDES keys that must never reach a log. */
const UAC_KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcyAoc2VuZGVy';
const UAS_KEY = 'PS1uQCVeeCFCanVmcjkzdTRDMT5PIUgzdkVbNDEx';
const CRYPTO_UAC = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${UAC_KEY}`;
const CRYPTO_UAS = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${UAS_KEY}`;

/** Calls per second for the UAC: modest, CI has 2 cores shared with SIPp. */
const RATE = 10;

/**
 * What the judge reports on the customer's side of a clean call: nothing. (A UAC whose Via
 * carried `;rport` would add via-rport, and an offer on another address than the signaling's
 * media-address-mismatch; uac.xml and CUSTOMER_MEDIA are a PBX that does neither.)
 */
const UAC_CODES: readonly string[] = [];

/** A fresh temporary directory for one test's files, removed when the test ends. */
function workDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-proxy-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** On failure, the proxy's last lines go to the test's log (its files are gone by then). */
function showOnFailure(t: ExecutionContext, proxy: ProxyProcess): void {
  t.teardown(() => {
    if (!t.passed) t.log(`proxy output:\n${proxy.proc.tail(60)}`);
  });
}

const received = (messages: readonly SippMessage[], method: string) =>
  messages.filter((message) => message.direction === 'received' && message.method === method);
const sent = (messages: readonly SippMessage[], method: string) =>
  messages.filter((message) => message.direction === 'sent' && message.method === method);

/** Every value of a header, one per line as SIPp sends them (case-insensitive name). */
function headerLines(message: SippMessage, name: string): string[] {
  const end = message.text.indexOf('\r\n\r\n');
  const head = end === -1 ? message.text : message.text.slice(0, end);
  const wanted = `${name.toLowerCase()}:`;
  return head
    .split('\r\n')
    .slice(1)
    .filter((line) => line.toLowerCase().startsWith(wanted))
    .map((line) => line.slice(wanted.length).trim());
}

/** The Call-IDs of the INVITEs the UAC sent (each call's, once). */
function callIdsOf(messages: readonly SippMessage[]): string[] {
  return [...new Set(sent(messages, 'INVITE').map((invite) => headerOf(invite, 'Call-ID') ?? ''))];
}

/**
 * The findings of a run where every call is a UAC_CODES call: none on the carrier side, and on
 * the customer side exactly UAC_CODES once per call, on the INVITE.
 */
function assertOnlyUacFindings(t: ExecutionContext, proxy: ProxyProcess, callIds: readonly string[]): void {
  const findings = proxy.events('finding');
  t.deepEqual(
    findings.filter((finding) => finding.trunkguard?.side !== 'customer'),
    [],
    'carrier-side findings',
  );
  const seen = findings
    .map((finding) => `${String(finding.sip?.call_id)} ${String(finding.sip?.method)} ${codeOf(finding)}`)
    .sort();
  const expected = callIds.flatMap((callId) => UAC_CODES.map((code) => `${callId} INVITE ${code}`)).sort();
  t.deepEqual(seen, expected, JSON.stringify(findings, null, 1));
}

/** The call summary of a clean call: ended by BYE, verdict ok, no finding (so no severity at all). */
function assertUacSummary(t: ExecutionContext, summary: LogLine): void {
  t.like(
    summary,
    {
      sip: { status_code: 200 },
      trunkguard: {
        ended: 'bye',
        verdict: 'ok',
        codes: [...UAC_CODES],
        finding_count: 0,
      },
    },
    JSON.stringify(summary),
  );
  // A field with no value is absent: no worst severity, neither the word nor the number.
  t.false(summary.trunkguard !== undefined && 'severity' in summary.trunkguard, JSON.stringify(summary));
  t.false(summary.event !== undefined && 'severity' in summary.event, JSON.stringify(summary));
}

function describeUac(uac: SippResult): string {
  return `UAC exit ${uac.code}\n${uac.errors.slice(0, 3000)}\n${uac.output.slice(-30).join('\n')}`;
}

/** Lines the proxy must never log in these tests: its own trouble. */
function assertNoTrouble(t: ExecutionContext, proxy: ProxyProcess): void {
  const trouble = proxy
    .logLines()
    .filter((line) =>
      ['internal-error', 'socket-error', 'send-failed', 'connection-problem', 'dropped'].includes(
        actionOf(line) ?? '',
      ),
    );
  t.deepEqual(trouble, [], 'the proxy logged trouble');
  t.deepEqual(proxy.otherLines(), [], 'the proxy wrote lines that are not JSON');
}

interface UacRun {
  readonly remote: string;
  readonly transport: SippTransport;
  readonly calls: number;
  readonly keys: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly name?: string;
}

/** The SIPp UAC, run to its end (bounded: SIPp's own timeout, then a hard stop). */
async function runUac(t: ExecutionContext, run: UacRun): Promise<SippResult> {
  const result = await runSipp({
    scenario: UAC_SCENARIO,
    remote: run.remote,
    localPort: await freePort(),
    transport: run.transport,
    calls: run.calls,
    rate: RATE,
    keys: run.keys,
    timeoutMs: 15_000,
    recvTimeoutMs: 5000,
    traceDir: run.dir,
    name: run.name,
    t,
  });
  return result;
}

/** The UAS: answers `calls` calls then exits by itself. */
async function startUas(
  t: ExecutionContext,
  dir: string,
  transport: SippTransport,
  calls: number,
  keys: Readonly<Record<string, string>>,
): Promise<SippUas> {
  return startSippUas({ localPort: await freePort(), transport, calls, keys, traceDir: dir, t });
}

/**
 * UAC -> proxy -> UAS, `calls` calls; waits for the UAC's end, the UAS's end and one call
 * summary per call (logged right after the proxy forwards the 200 to the BYE, so possibly a
 * moment after the UAC has it).
 */
async function callThroughProxy(
  t: ExecutionContext,
  options: {
    readonly transport: SippTransport;
    readonly calls: number;
    readonly uacKeys: Readonly<Record<string, string>>;
    readonly uasKeys: Readonly<Record<string, string>>;
  },
) {
  const dir = workDir(t);
  const uas = await startUas(t, dir, options.transport, options.calls, options.uasKeys);
  const tcp = options.transport !== 'u1';
  const proxy = await startProxyProcess({
    carrier: `${uas.address};transport=${tcp ? 'tcp' : 'udp'}`,
    t,
  });
  showOnFailure(t, proxy);
  const proxyPort = tcp ? proxy.tcpPort : proxy.udpPort;
  if (proxyPort === null) throw new Error('the proxy logged no listener for the transport');
  const uac = await runUac(t, {
    remote: `127.0.0.1:${proxyPort}`,
    transport: options.transport,
    calls: options.calls,
    keys: options.uacKeys,
    dir,
  });
  t.is(uac.code, 0, describeUac(uac));
  t.is(uac.stats.successful, options.calls);
  t.is(uac.stats.failed, 0);
  const uasResult = await uas.result(10_000);
  t.is(uasResult.code, 0, `UAS failed:\n${uasResult.errors}`);
  const summaries = await proxy.waitForEvents('call-summary', options.calls, 5000);
  return { uac, uas: uasResult, proxy, proxyPort, summaries };
}

/** A call summary's negotiated media of one side (trunkguard.media.carrier|customer). */
function media(summary: LogLine, side: 'carrier' | 'customer'): Record<string, unknown>[] {
  const all = summary.trunkguard?.media as Record<string, Record<string, unknown>[]> | undefined;
  return all?.[side] ?? [];
}

test('UDP: 3 calls through the proxy, media inside Twilio range: no carrier-side finding, Via/Record-Route/Route right', async (t) => {
  const { uac, uas, proxy, proxyPort, summaries } = await callThroughProxy(t, {
    transport: 'u1',
    calls: 3,
    uacKeys: CUSTOMER_MEDIA,
    uasKeys: TWILIO_MEDIA,
  });
  const proxyUri = `<sip:127.0.0.1:${proxyPort};transport=udp;lr>`;

  // The proxy's verdict: nothing about the carrier's answer (inside Twilio's range), only the
  // UAC's own two (see UAC_CODES); three calls ended by BYE.
  const callIds = callIdsOf(uac.messages);
  t.is(callIds.length, 3);
  assertOnlyUacFindings(t, proxy, callIds);
  t.is(summaries.length, 3);
  t.deepEqual(new Set(summaries.map((summary) => summary.sip?.call_id)), new Set(callIds));
  for (const summary of summaries) {
    assertUacSummary(t, summary);
    t.like(media(summary, 'carrier')[0] ?? {}, { address: '168.86.128.20', port: 20000, proto: 'RTP/AVP' });
    t.like(media(summary, 'customer')[0] ?? {}, { address: '127.0.0.1', port: 30000, proto: 'RTP/AVP' });
  }
  assertNoTrouble(t, proxy);

  // The UAS got each INVITE from the proxy: its Via on top (then the UAC's), its Record-Route.
  const invites = received(uas.messages, 'INVITE');
  t.is(invites.length, 3);
  for (const invite of invites) {
    const vias = headerLines(invite, 'Via');
    t.is(vias.length, 2, invite.text);
    t.regex(vias[0] ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${proxyPort};branch=z9hG4bKtg`));
    t.regex(vias[1] ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK/);
    t.deepEqual(headerLines(invite, 'Record-Route'), [proxyUri], invite.text);
    t.is(headerOf(invite, 'Max-Forwards'), '69');
    // The SDP offer passed untouched.
    t.true(invite.body.includes('c=IN IP4 127.0.0.1\r\n'), invite.text);
    t.true(invite.body.includes('m=audio 30000 RTP/AVP 0 8 101\r\n'), invite.text);
  }

  // ACK and BYE: the UAC routed them through the proxy (Record-Route honoured, RFC 3261 §12.1.2) ...
  for (const method of ['ACK', 'BYE']) {
    const out = sent(uac.messages, method);
    t.is(out.length, 3, method);
    for (const request of out) t.deepEqual(headerLines(request, 'Route'), [proxyUri], request.text);
    // ... and they reached the UAS through the proxy, which removed its own Route (§16.4).
    const arrived = received(uas.messages, method);
    t.is(arrived.length, 3, method);
    for (const request of arrived) {
      t.deepEqual(headerLines(request, 'Route'), [], request.text);
      t.regex(
        headerLines(request, 'Via')[0] ?? '',
        new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${proxyPort};branch=z9hG4bKtg`),
        request.text,
      );
    }
  }

  // The answers reached the UAC without the proxy's Via, the SDP answer untouched.
  const okInvites = uac.messages.filter(
    (message) =>
      message.direction === 'received' && message.status === 200 && headerOf(message, 'CSeq') === '1 INVITE',
  );
  t.true(okInvites.length >= 3);
  for (const ok of okInvites) {
    t.is(headerLines(ok, 'Via').length, 1, ok.text);
    t.notRegex(ok.text, /z9hG4bKtg/);
    t.true(ok.body.includes('c=IN IP4 168.86.128.20\r\n'), ok.text);
    t.true(ok.body.includes('m=audio 20000 RTP/AVP 0 101\r\n'), ok.text);
  }
});

test('TCP: 3 calls through the proxy (-t t1 both sides), no carrier-side finding', async (t) => {
  const { uac, uas, proxy, proxyPort, summaries } = await callThroughProxy(t, {
    transport: 't1',
    calls: 3,
    uacKeys: CUSTOMER_MEDIA,
    uasKeys: TWILIO_MEDIA,
  });
  const proxyUri = `<sip:127.0.0.1:${proxyPort};transport=tcp;lr>`;
  const callIds = callIdsOf(uac.messages);
  t.is(callIds.length, 3);
  assertOnlyUacFindings(t, proxy, callIds);
  t.is(summaries.length, 3);
  t.deepEqual(new Set(summaries.map((summary) => summary.sip?.call_id)), new Set(callIds));
  for (const summary of summaries) assertUacSummary(t, summary);
  assertNoTrouble(t, proxy);

  const invites = received(uas.messages, 'INVITE');
  t.is(invites.length, 3);
  for (const invite of invites) {
    t.is(invite.transport, 'TCP');
    t.regex(
      headerLines(invite, 'Via')[0] ?? '',
      new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${proxyPort};branch=z9hG4bKtg`),
    );
    t.deepEqual(headerLines(invite, 'Record-Route'), [proxyUri], invite.text);
  }
  for (const method of ['ACK', 'BYE']) {
    const out = sent(uac.messages, method);
    t.is(out.length, 3, method);
    for (const request of out) t.deepEqual(headerLines(request, 'Route'), [proxyUri], request.text);
    const arrived = received(uas.messages, method);
    t.is(arrived.length, 3, method);
    for (const request of arrived) {
      t.is(request.transport, 'TCP');
      t.deepEqual(headerLines(request, 'Route'), [], request.text);
    }
  }
});

test('media outside the carrier range: media-ip-out-of-range (carrier side) per call, calls still complete', async (t) => {
  const { uac, uas, proxy, summaries } = await callThroughProxy(t, {
    transport: 'u1',
    calls: 2,
    uacKeys: CUSTOMER_MEDIA,
    uasKeys: OUT_OF_RANGE_MEDIA,
  });
  const callIds = callIdsOf(uac.messages);
  t.is(callIds.length, 2);
  const findings = proxy.events('finding');
  const outOfRange = findings.filter((finding) => codeOf(finding) === 'media-ip-out-of-range');
  for (const callId of callIds) {
    const mine = outOfRange.filter((finding) => finding.sip?.call_id === callId);
    // On the 200's SDP answer; once per call (the 200 is not retransmitted: the ACK is prompt).
    t.true(mine.length >= 1, `no media-ip-out-of-range for ${callId}`);
    for (const finding of mine) {
      t.like(finding, {
        sip: { status_code: 200 },
        trunkguard: { side: 'carrier', severity: 'high', evidence: 'c=IN IP4 203.0.113.50' },
      });
    }
  }
  // Nothing else about the carrier's answer; the customer side has only UAC_CODES.
  t.deepEqual(
    findings.filter(
      (finding) => finding.trunkguard?.side === 'carrier' && codeOf(finding) !== 'media-ip-out-of-range',
    ),
    [],
  );
  t.deepEqual(
    findings.filter(
      (finding) =>
        finding.trunkguard?.side === 'customer' &&
        !(UAC_CODES as readonly unknown[]).includes(codeOf(finding)),
    ),
    [],
  );
  t.is(summaries.length, 2);
  for (const summary of summaries) {
    t.like(
      summary,
      {
        trunkguard: {
          ended: 'bye',
          verdict: 'fail',
          severity: 'high',
          codes: ['media-ip-out-of-range'],
        },
      },
      JSON.stringify(summary),
    );
    t.like(media(summary, 'carrier')[0] ?? {}, { address: '203.0.113.50', port: 20000 });
  }
  // Watch mode: the proxy only reports; the answer reached the UAC as the UAS sent it.
  t.is(received(uas.messages, 'ACK').length, 2);
  t.is(received(uas.messages, 'BYE').length, 2);
  const ok = uac.messages.find(
    (message) =>
      message.direction === 'received' && message.status === 200 && headerOf(message, 'CSeq') === '1 INVITE',
  );
  t.true(ok?.body.includes('c=IN IP4 203.0.113.50\r\n'), ok?.text);
  assertNoTrouble(t, proxy);
});

/** The URIs of Record-Route/Route values ('<sip:127.0.0.1:5060;lr>' -> 'sip:127.0.0.1:5060;lr'). */
function routeUris(values: readonly string[]): string[] {
  return values.flatMap((value) => [...value.matchAll(/<([^>]+)>/g)].map((match) => match[1] ?? ''));
}

/** 'host:port' of a SIP URI, or null. */
function hostPortOf(uri: string): string | null {
  return /^sips?:(?:[^@;]*@)?([^;?>]+)/.exec(uri)?.[1] ?? null;
}

/**
 * UAC (UDP) -> proxy -> Kamailio (TLS, the carrier's edge) -> UAS (UDP), 2 calls. `tlsListener`:
 * the proxy also listens on TLS (its certificate from the test CA), so its Via and Record-Route
 * for the TLS leg name a socket it has; without it they name its nominal TLS address.
 */
async function tlsOutCalls(t: ExecutionContext, tlsListener: boolean): Promise<void> {
  const dir = workDir(t);
  const uas = await startUas(t, dir, 'u1', 2, TWILIO_MEDIA);
  const relay = await startKamailioTlsRelay({
    tlsPort: await freePort(),
    uasHost: uas.localIp,
    uasPort: uas.localPort,
    workDir: dir,
    t,
  });
  t.teardown(() => {
    if (!t.passed) t.log(`kamailio output:\n${relay.proc.tail(60)}`);
  });
  const proxy = await startProxyProcess({
    listen: tlsListener ? ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'] : ['udp:127.0.0.1:0'],
    carrier: `${relay.address};transport=tls`,
    extraArgs: [
      '--tls-ca',
      TEST_TLS.ca,
      ...(tlsListener ? ['--tls-cert', TEST_TLS.proxyCert, '--tls-key', TEST_TLS.proxyKey] : []),
    ],
    t,
  });
  showOnFailure(t, proxy);
  if (proxy.udpPort === null) throw new Error('the proxy logged no UDP listener');
  const uac = await runUac(t, {
    remote: `127.0.0.1:${proxy.udpPort}`,
    transport: 'u1',
    calls: 2,
    keys: CUSTOMER_MEDIA,
    dir,
  });
  const uasResult = await uas.result(10_000);

  // The INVITE went through the proxy (TLS Via) and Kamailio (UDP Via) to the UAS.
  const invites = received(uasResult.messages, 'INVITE');
  t.is(invites.length, 2);
  const proxyAddresses = new Set(
    proxy.events('listening').map((line) => `${String(line.server?.address)}:${String(line.server?.port)}`),
  );
  for (const invite of invites) {
    const vias = headerLines(invite, 'Via');
    t.is(vias.length, 3, invite.text);
    t.regex(vias[0] ?? '', new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${relay.udpPort};`));
    t.regex(vias[1] ?? '', /^SIP\/2\.0\/TLS [^;]+;(?:[^,]*;)?branch=z9hG4bKtg/);
    // Record-Route: Kamailio's two (UDP side, TLS side), then the proxy's two (RFC 5658: TLS
    // side, UDP side). Every URI the proxy records must name a socket it listens on: in-dialog
    // requests come back to it by that URI, and it removes its own Route by it (RFC 3261 §16.4).
    const recorded = routeUris(headerLines(invite, 'Record-Route'));
    t.is(recorded.length, 4, invite.text);
    for (const uri of recorded.slice(2)) {
      t.true(
        proxyAddresses.has(hostPortOf(uri) ?? ''),
        `the proxy record-routed ${uri}, where it does not listen (its sockets: ${[...proxyAddresses].join(', ')})`,
      );
    }
  }
  // ACK and BYE, from the UAC through the proxy and Kamailio, reached the UAS.
  t.is(received(uasResult.messages, 'ACK').length, 2);
  t.is(received(uasResult.messages, 'BYE').length, 2);
  t.is(uac.code, 0, describeUac(uac));
  t.is(uac.stats.successful, 2);
  t.is(uasResult.code, 0, `UAS failed:\n${uasResult.errors}`);
  await relay.proc.waitForLine(/request BYE .* from tls:127\.0\.0\.1:/, 5000);

  const summaries = await proxy.waitForEvents('call-summary', 2, 5000);
  const callIds = callIdsOf(uac.messages);
  t.is(callIds.length, 2);
  assertOnlyUacFindings(t, proxy, callIds);
  t.deepEqual(new Set(summaries.map((summary) => summary.sip?.call_id)), new Set(callIds));
  for (const summary of summaries) assertUacSummary(t, summary);
  assertNoTrouble(t, proxy);
}

test('UDP in, TLS out: Kamailio as the carrier TLS edge in front of a SIPp UAS, 2 calls', async (t) => {
  await tlsOutCalls(t, true);
});

test('a TLS carrier with Record-Route on and no TLS listener: the proxy refuses to start, saying what to add', async (t) => {
  const proc = startProcess(
    process.execPath,
    [
      CLI,
      'proxy',
      '--config',
      PROXY_E2E_CONFIG,
      '--listen',
      'udp:127.0.0.1:0',
      '--carrier',
      '127.0.0.1:5061;transport=tls',
    ],
    { name: 'trunkguard proxy', t },
  );
  const exit = await proc.waitForExit(10_000);
  t.is(exit.code, 2);
  t.true(
    proc.lines.some((line) =>
      /cannot start: the carrier next hop 127\.0\.0\.1:5061;transport=tls is reached over TLS and Record-Route is on, but no TLS listener/.test(
        line,
      ),
    ),
    proc.tail(10),
  );
  t.true(
    proc.lines.some((line) => line.includes('--listen tls:0.0.0.0:5061 --tls-cert FILE --tls-key FILE')),
  );
});

test('SIGTERM with --log FILE: exit 0, every finding and a stopped line in the file, no SDES key anywhere', async (t) => {
  const dir = workDir(t);
  const logFile = join(dir, 'proxy.log');
  const uas = await startUas(t, dir, 'u1', 1, withSdes(OUT_OF_RANGE_MEDIA, UAS_KEY));
  const proxy = await startProxyProcess({
    carrier: `${uas.address};transport=udp`,
    extraArgs: ['--log', logFile],
    t,
  });
  showOnFailure(t, proxy);
  if (proxy.udpPort === null) throw new Error('the proxy logged no UDP listener');
  const uac = await runUac(t, {
    remote: `127.0.0.1:${proxy.udpPort}`,
    transport: 'u1',
    calls: 1,
    keys: withSdes(CUSTOMER_MEDIA, UAC_KEY),
    dir,
  });
  t.is(uac.code, 0, describeUac(uac));
  const uasResult = await uas.result(10_000);
  t.is(uasResult.code, 0, `UAS failed:\n${uasResult.errors}`);
  await proxy.waitForEvents('call-summary', 1, 5000);
  // The keys did cross the proxy (it forwards, it does not strip): the test is not vacuous.
  t.true(received(uasResult.messages, 'INVITE')[0]?.body.includes(CRYPTO_UAC));
  t.true(
    uac.messages.some((message) => message.direction === 'received' && message.body.includes(CRYPTO_UAS)),
  );

  const started = Date.now();
  const exit = await proxy.proc.stop(5000);
  t.deepEqual(exit, { code: 0, signal: null }, proxy.proc.tail());
  t.true(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`);

  const stdoutFindings = proxy.proc.lines.filter((line) => actionOf(parseLogLine(line)) === 'finding');
  const codes = new Set(stdoutFindings.map((line) => String(codeOf(parseLogLine(line)))));
  t.true(codes.has('media-ip-out-of-range'), [...codes].join(', '));
  t.true(codes.has('sdes-over-insecure-transport'), [...codes].join(', '));
  const file = readFileSync(logFile, 'utf8');
  const fileLines = file.split('\n').filter((line) => line !== '');
  for (const line of stdoutFindings) t.true(fileLines.includes(line), `not in the --log file: ${line}`);
  const fileLog = parseLog(file);
  t.deepEqual(
    fileLog.filter((line) => actionOf(line) === NOT_JSON),
    [],
  );
  t.is(fileLog.filter((line) => actionOf(line) === 'stopped').length, 1);
  t.is(proxy.events('stopped').length, 1);
  t.like(fileLog.find((line) => actionOf(line) === 'stopped') ?? {}, {
    trunkguard: { findings: stdoutFindings.length },
  });

  // SDES keys are secrets: not on stdout, not in the file, in no form.
  const stdout = proxy.proc.lines.join('\n');
  for (const [where, text] of [
    ['stdout', stdout],
    ['the --log file', file],
  ] as const) {
    t.false(text.includes(UAC_KEY), `the UAC's key is in ${where}`);
    t.false(text.includes(UAS_KEY), `the UAS's key is in ${where}`);
    t.notRegex(text, /inline:[A-Za-z0-9+/]{8}/, `key material after inline: in ${where}`);
  }
});

/** Collects every datagram a socket receives. */
function collector(socket: Socket) {
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (bytes) => {
    messages.push(bytes.toString('latin1'));
    for (const wake of waiters) wake();
  });
  return {
    messages,
    /** The first datagram (already received or to come); bounded. */
    first(timeoutMs: number): Promise<string> {
      return bounded(
        new Promise<string>((resolve) => {
          const check = () => {
            const message = messages[0];
            if (message === undefined) return;
            waiters.delete(check);
            resolve(message);
          };
          waiters.add(check);
          check();
        }),
        timeoutMs,
        'an answer from the proxy',
      );
    },
  };
}

test('bad input over UDP: garbage unanswered, a broken INVITE gets 400, malformed-message logged, calls go on', async (t) => {
  const dir = workDir(t);
  const uas = await startUas(t, dir, 'u1', 1, TWILIO_MEDIA);
  const proxy = await startProxyProcess({ carrier: `${uas.address};transport=udp`, t });
  showOnFailure(t, proxy);
  const proxyPort = proxy.udpPort;
  if (proxyPort === null) throw new Error('the proxy logged no UDP listener');

  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const answers = collector(socket);
  const local = `127.0.0.1:${socket.address().port}`;
  const send = (bytes: Buffer) =>
    new Promise<void>((resolve, reject) =>
      socket.send(bytes, proxyPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
    );

  const garbage = Buffer.concat([
    Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80, 0x7f]),
    Buffer.from('this is not SIP at all\r\nnor: this\r\n\r\n', 'latin1'),
  ]);
  const callId = 'broken-request-line-1@127.0.0.1';
  const brokenInvite = Buffer.from(
    [
      // No SIP-Version: RFC 3261 §7.1 Request-Line = Method SP Request-URI SP SIP-Version CRLF.
      `INVITE sip:service@127.0.0.1:${proxyPort}`,
      `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-broken-1;rport`,
      'Max-Forwards: 70',
      `From: <sip:customer@${local}>;tag=broken1`,
      `To: <sip:service@127.0.0.1:${proxyPort}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:customer@${local}>`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
  // In this order: the proxy reads datagrams in order, so an answer to the garbage would come
  // before the 400 to the INVITE.
  await send(garbage);
  await send(brokenInvite);
  const answer = await answers.first(5000);
  t.regex(answer, /^SIP\/2\.0 400 /, answer);
  t.true(answer.includes(`\r\nCall-ID: ${callId}\r\n`), answer);
  t.true(answer.includes('\r\nCSeq: 1 INVITE\r\n'), answer);
  t.true(answer.includes(`\r\nVia: SIP/2.0/UDP ${local};branch=z9hG4bK-broken-1`), answer);
  t.regex(answer, /\r\nTo: <sip:service@127\.0\.0\.1:\d+>;tag=/);

  const malformed = (await proxy.waitForEvents('finding', 2, 5000)).filter(
    (finding) => codeOf(finding) === 'malformed-message',
  );
  t.is(malformed.length, 2, JSON.stringify(proxy.events('finding')));

  // The proxy is still up and still proxies.
  t.is(proxy.proc.exitStatus, null);
  const uac = await runUac(t, {
    remote: `127.0.0.1:${proxyPort}`,
    transport: 'u1',
    calls: 1,
    keys: CUSTOMER_MEDIA,
    dir,
  });
  t.is(uac.code, 0, describeUac(uac));
  const uasResult = await uas.result(10_000);
  t.is(uasResult.code, 0, `UAS failed:\n${uasResult.errors}`);
  const [summary] = await proxy.waitForEvents('call-summary', 1, 5000);
  if (summary !== undefined) assertUacSummary(t, summary);
  // Only the 400: nothing ever answered the garbage (a whole call has happened since).
  t.is(answers.messages.length, 1, answers.messages.join('\n----\n'));
  // The two malformed-message findings and the call's own, nothing more.
  t.deepEqual(
    proxy
      .events('finding')
      .map((finding) => codeOf(finding))
      .sort(),
    ['malformed-message', 'malformed-message', ...UAC_CODES].sort(),
  );
  assertNoTrouble(t, proxy);
});
