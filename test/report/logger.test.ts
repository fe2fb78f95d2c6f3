/**
 * The log: ECS-style lines (exact for a finding and a call summary), each output at its own level
 * (console on a stream of the test's, a rotated file, RFC 5424 syslog to local UDP and TCP
 * listeners), a failing output reported once, closeLogger bounded, and no SDES key in any output.
 */
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import test from 'ava';
import winston from 'winston';
import type { Finding } from '../../src/policy/finding.js';
import type { LogSettings, SyslogSettings } from '../../src/proxy/settings.js';
import { ecsCallSummary, ecsFinding, ecsLineOf, formatEcsLine } from '../../src/report/ecs.js';
import type { CallSummaryLine } from '../../src/report/live-calls.js';
import {
  closeLogger,
  createLogger,
  logCallSummary,
  logEvent,
  logFinding,
  type ProxyLogger,
} from '../../src/report/logger.js';
import { rotatedFiles } from '../../src/report/rotating-file.js';
import { answer, invite, judging, KEY_PBX, KEY_TWILIO, offer, response, sdp } from './call-fixtures.js';

const NONE: LogSettings = { console: null, file: null, syslog: null, negotiations: null };

/** A stream standing for stdout: every line written, parsed. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { stream, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'trunkguard-log-'));
const fileLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

/** Findings of real calls: media outside Twilio's range, and SDES keys over UDP. */
function realFindings(): Finding[] {
  const { send } = judging('udp');
  const callId = 'out-of-range@pbx.example.com';
  send('customer', invite(callId, offer(KEY_PBX)));
  const judged = send(
    'carrier',
    response(
      '200 OK',
      '1 INVITE',
      callId,
      sdp(2, '192.0.2.99', 12000, `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_TWILIO}`),
    ),
  );
  return [...judged.findings];
}

const SUMMARY: CallSummaryLine = {
  callId: 'a84b4c76e66710@pc33.example.com',
  ended: 'bye',
  firstSeen: '2026-11-28T10:00:00.000Z',
  lastSeen: '2026-11-28T10:01:00.100Z',
  messages: 5,
  findings: 2,
  codes: ['media-ip-out-of-range', 'sdes-over-insecure-transport'],
  worstSeverity: 'critical',
  verdict: 'fail',
  finalStatus: 200,
  media: {
    carrier: [
      {
        side: 'carrier',
        role: 'answer',
        mediaIndex: 0,
        type: 'audio',
        address: '192.0.2.99',
        port: 12000,
        rtcpPort: 12001,
        proto: 'RTP/SAVP',
        suites: ['AES_CM_128_HMAC_SHA1_80'],
        direction: 'sendrecv',
      },
    ],
    customer: [
      {
        side: 'customer',
        role: 'offer',
        mediaIndex: 0,
        type: 'audio',
        address: null,
        port: 20000,
        rtcpPort: 20001,
        proto: 'RTP/SAVP',
        suites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
        direction: 'sendrecv',
      },
    ],
  },
};

test('ECS: a finding, field by field', (t) => {
  const finding = realFindings().find((found) => found.code === 'sdes-over-insecure-transport')!;
  t.deepEqual(ecsFinding(finding), {
    '@timestamp': '2026-11-28T10:00:01.000Z',
    log: { level: 'warn' },
    message: 'SDES keys for m=audio #0 travelled over UDP, not TLS: anyone on the path can decrypt the media',
    ecs: { version: '8.11.0' },
    event: { kind: 'alert', action: 'finding', code: 'sdes-over-insecure-transport', severity: 9 },
    observer: { product: 'trunkguard' },
    source: { address: '54.172.60.1', ip: '54.172.60.1', port: 5061 },
    destination: { address: '198.51.100.20', ip: '198.51.100.20', port: 5061 },
    network: { transport: 'udp', protocol: 'sip' },
    sip: { call_id: 'out-of-range@pbx.example.com', status_code: 200, cseq: '1 INVITE' },
    trunkguard: {
      severity: 'critical',
      side: 'carrier',
      media_index: 0,
      message_index: 1,
      evidence: 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]',
    },
  });
});

test('ECS: a request finding has sip.method; an IPv6 or named endpoint its address forms', (t) => {
  const finding: Finding = {
    code: 'scanner-user-agent',
    severity: 'medium',
    side: 'customer',
    message: 'User-Agent "friendly-scanner" is a known SIP scanner',
    callId: null,
    cseq: '1 OPTIONS',
    method: 'OPTIONS',
    status: null,
    mediaIndex: null,
    evidence: 'User-Agent: friendly-scanner',
    messageIndex: 0,
    src: '[2001:db8::5]:5070',
    dst: 'pbx.example.com:5060',
    transport: 'tcp',
    time: '2026-11-28T10:00:00.000Z',
  };
  const line = ecsFinding(finding);
  t.deepEqual(line.source, { address: '2001:db8::5', ip: '2001:db8::5', port: 5070 });
  t.deepEqual(line.destination, { address: 'pbx.example.com', domain: 'pbx.example.com', port: 5060 });
  t.deepEqual(line.sip, { method: 'OPTIONS', cseq: '1 OPTIONS' });
  t.deepEqual(line.event, { kind: 'alert', action: 'finding', code: 'scanner-user-agent', severity: 5 });
  t.deepEqual(line.trunkguard, {
    severity: 'medium',
    side: 'customer',
    message_index: 0,
    evidence: 'User-Agent: friendly-scanner',
  });
});

test('ECS: a call summary, field by field', (t) => {
  t.deepEqual(ecsCallSummary(SUMMARY, new Date('2026-11-28T10:01:00.250Z')), {
    '@timestamp': '2026-11-28T10:01:00.250Z',
    log: { level: 'info' },
    message:
      'call a84b4c76e66710@pc33.example.com ended (bye): fail, 2 findings: media-ip-out-of-range, sdes-over-insecure-transport',
    ecs: { version: '8.11.0' },
    event: {
      kind: 'event',
      action: 'call-summary',
      severity: 9,
      start: '2026-11-28T10:00:00.000Z',
      end: '2026-11-28T10:01:00.100Z',
      duration: 60_100_000_000,
    },
    observer: { product: 'trunkguard' },
    network: { protocol: 'sip' },
    sip: { call_id: 'a84b4c76e66710@pc33.example.com', status_code: 200 },
    trunkguard: {
      ended: 'bye',
      verdict: 'fail',
      severity: 'critical',
      message_count: 5,
      finding_count: 2,
      codes: ['media-ip-out-of-range', 'sdes-over-insecure-transport'],
      media: {
        carrier: [
          {
            side: 'carrier',
            role: 'answer',
            media_index: 0,
            type: 'audio',
            address: '192.0.2.99',
            port: 12000,
            rtcp_port: 12001,
            proto: 'RTP/SAVP',
            suites: ['AES_CM_128_HMAC_SHA1_80'],
            direction: 'sendrecv',
          },
        ],
        customer: [
          {
            side: 'customer',
            role: 'offer',
            media_index: 0,
            type: 'audio',
            port: 20000,
            rtcp_port: 20001,
            proto: 'RTP/SAVP',
            suites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
            direction: 'sendrecv',
          },
        ],
      },
    },
  });
  const clean: CallSummaryLine = { ...SUMMARY, findings: 0, codes: [], worstSeverity: null, verdict: 'ok' };
  const line = ecsCallSummary(clean, new Date('2026-11-28T10:01:00.250Z'));
  t.is(line.message, 'call a84b4c76e66710@pc33.example.com ended (bye): ok, 0 findings');
  t.false('severity' in line.event);
  t.false('severity' in (line.trunkguard as object));
});

test('console: logFinding and logCallSummary write the ECS lines, one JSON object per line', async (t) => {
  const out = capture();
  const logger = createLogger({ ...NONE, console: { level: 'info' } }, { stdout: out.stream });
  const findings = realFindings();
  for (const finding of findings) logFinding(logger, finding);
  const before = Date.now();
  logCallSummary(logger, SUMMARY);
  await closeLogger(logger);
  const lines = out.parsed();
  t.is(lines.length, 3);
  t.deepEqual(lines.slice(0, 2), JSON.parse(JSON.stringify(findings.map(ecsFinding))));
  const summary = lines[2]!;
  const at = Date.parse(String(summary['@timestamp']));
  t.true(at >= before && at <= Date.now() + 1);
  t.deepEqual(summary, JSON.parse(JSON.stringify(ecsCallSummary(SUMMARY, new Date(at)))));
  t.deepEqual(Object.keys(summary).slice(0, 3), ['@timestamp', 'log', 'message']);
});

test('logEvent: lifecycle lines; fields are nested ECS objects, event fields join kind and action', async (t) => {
  const out = capture();
  const logger = createLogger({ ...NONE, console: { level: 'debug' } }, { stdout: out.stream });
  logEvent(logger, 'info', 'listening', 'listening on udp 0.0.0.0:5060', {
    network: { transport: 'udp', protocol: 'sip' },
    server: { address: '0.0.0.0', port: 5060 },
    trunkguard: { side: 'auto', advertised: '192.0.2.10:5060' },
  });
  logEvent(logger, 'error', 'socket-error', 'UDP socket: EADDRINUSE', { event: { outcome: 'failure' } });
  await closeLogger(logger);
  const [listening, error] = out.parsed();
  t.like(listening, {
    log: { level: 'info' },
    message: 'listening on udp 0.0.0.0:5060',
    event: { kind: 'event', action: 'listening' },
    observer: { product: 'trunkguard' },
    network: { transport: 'udp', protocol: 'sip' },
    server: { address: '0.0.0.0', port: 5060 },
    trunkguard: { side: 'auto', advertised: '192.0.2.10:5060' },
  });
  t.deepEqual(error?.event, { outcome: 'failure', kind: 'event', action: 'socket-error' });
});

test('a plain winston call still gives an ECS line: event as event.action, the rest under trunkguard', (t) => {
  const line = ecsLineOf(
    { level: 'info', message: 'stopped', event: 'stopped', received: 12, forwarded: 11 },
    () => new Date('2026-11-28T11:00:00.000Z'),
  );
  t.deepEqual(line, {
    '@timestamp': '2026-11-28T11:00:00.000Z',
    log: { level: 'info' },
    message: 'stopped',
    ecs: { version: '8.11.0' },
    event: { kind: 'event', action: 'stopped' },
    observer: { product: 'trunkguard' },
    trunkguard: { received: 12, forwarded: 11 },
  });
});

test('a message with printf tokens (%s, %d) keeps its fields', async (t) => {
  const out = capture();
  const logger = createLogger({ ...NONE, console: { level: 'info' } }, { stdout: out.stream });
  const finding = { ...realFindings()[0]!, message: 'User-Agent "%s%d%j" is a known SIP scanner' };
  logFinding(logger, finding);
  await closeLogger(logger);
  t.deepEqual(out.parsed(), [JSON.parse(JSON.stringify(ecsFinding(finding)))]);
});

test('lines are ASCII: anything else is a JSON escape', (t) => {
  const line = ecsLineOf(
    { level: 'info', message: 'caf\u00e9 \u2028 \u{1F4DE}', event: 'x' },
    () => new Date(0),
  );
  const text = formatEcsLine(line);
  t.regex(text, /^[\x20-\x7e]+$/);
  t.true(text.includes('caf\\u00e9 \\u2028 \\ud83d\\udcde'));
  t.is((JSON.parse(text) as { message: string }).message, 'caf\u00e9 \u2028 \u{1F4DE}');
});

test('levels: each output writes its level and above (findings warn, summaries info)', async (t) => {
  const dir = tempDir();
  const out = capture();
  const logger = createLogger(
    {
      ...NONE,
      console: { level: 'warn' },
      file: { path: join(dir, 'trunkguard.log'), level: 'debug', maxBytes: 1 << 20, maxFiles: 3 },
    },
    { stdout: out.stream },
  );
  logFinding(logger, realFindings()[0]!);
  logCallSummary(logger, SUMMARY);
  logEvent(logger, 'debug', 'debug-detail', 'detail');
  logEvent(logger, 'error', 'internal-error', 'broken');
  await closeLogger(logger);
  const actions = (lines: readonly string[]) =>
    lines.map((line) => {
      const parsed = JSON.parse(line) as { log: { level: string }; event: { action: string } };
      return `${parsed.log.level} ${parsed.event.action}`;
    });
  t.deepEqual(actions(out.lines), ['warn finding', 'error internal-error']);
  t.deepEqual(actions(fileLines(join(dir, 'trunkguard.log'))), [
    'warn finding',
    'info call-summary',
    'debug debug-detail',
    'error internal-error',
  ]);
});

test('file: rotated by size into <path>.<UTC time>, maxFiles kept, nothing lost at close', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'logs', 'trunkguard.log');
  const logger = createLogger({ ...NONE, file: { path, level: 'info', maxBytes: 700, maxFiles: 2 } });
  // Written at once, before the file is even open: the burst winston's own File transport loses.
  for (let i = 0; i < 10; i++) logEvent(logger, 'info', 'test', `line ${i}`, { trunkguard: { i } });
  await closeLogger(logger);
  const rotated = await rotatedFiles(path);
  t.is(rotated.length, 2);
  for (const file of rotated) t.regex(file, /trunkguard\.log\.\d{8}T\d{6}\.\d{3}Z(-\d+)?$/);
  for (const file of [...rotated, path]) t.true(statSync(file).size <= 700, file);
  const kept = [...rotated, path]
    .flatMap(fileLines)
    .map((line) => (JSON.parse(line) as { message: string }).message);
  t.deepEqual(
    kept,
    kept.length === 0 ? [] : Array.from({ length: kept.length }, (_, i) => `line ${10 - kept.length + i}`),
  );
  t.true(kept.includes('line 9'), 'the last line is on disk');
  t.is(statSync(path).mode & 0o777, 0o640);
});

/** A local syslog receiver: UDP datagrams, or a TCP stream split on LF (RFC 6587 §3.4.2). */
async function syslogReceiver(protocol: 'udp' | 'tcp') {
  const messages: string[] = [];
  if (protocol === 'udp') {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message) => messages.push(message.toString('utf8')));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return { port: socket.address().port, messages, close: () => socket.close() };
  }
  let pending = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data) => {
      pending += data.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      messages.push(...parts);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    unframed: () => pending,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const syslogSettings = (protocol: 'udp' | 'tcp', port: number): SyslogSettings => ({
  host: '127.0.0.1',
  port,
  protocol,
  level: 'info',
  appName: 'trunkguard',
  facility: 'local4',
});

/** RFC 5424 §6: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP MSG */
const RFC5424 = /^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\S+) (\S+) (\d+) (\S+) - (\{.*\})$/;

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

for (const protocol of ['udp', 'tcp'] as const) {
  test(`syslog over ${protocol}: RFC 5424 headers, the JSON line as MSG, its level and above`, async (t) => {
    const receiver = await syslogReceiver(protocol);
    const logger = createLogger(
      { ...NONE, syslog: { ...syslogSettings(protocol, receiver.port), level: 'warn' } },
      { hostname: 'sbc1' },
    );
    const findings = realFindings();
    for (const finding of findings) logFinding(logger, finding);
    logCallSummary(logger, SUMMARY); // info: below the output's level
    logEvent(logger, 'error', 'internal-error', 'broken');
    await closeLogger(logger);
    await waitFor(() => receiver.messages.length >= 3);
    receiver.close();
    t.is(receiver.messages.length, 3, receiver.messages.join('\n'));
    const parsed = receiver.messages.map((message) => RFC5424.exec(message));
    for (const [i, match] of parsed.entries()) if (match === null) return t.fail(receiver.messages[i]);
    // local4 (20) × 8 + warning (4) = 164; + error (3) = 163.
    t.deepEqual(
      parsed.map((match) => [match![1], match![3], match![4], match![5], match![6]]),
      [
        ['164', 'sbc1', 'trunkguard', String(process.pid), 'finding'],
        ['164', 'sbc1', 'trunkguard', String(process.pid), 'finding'],
        ['163', 'sbc1', 'trunkguard', String(process.pid), 'internal-error'],
      ],
    );
    t.true(Math.abs(Date.parse(parsed[0]![2]!) - Date.now()) < 10_000);
    t.deepEqual(
      parsed.slice(0, 2).map((match) => JSON.parse(match![7]!)),
      JSON.parse(JSON.stringify(findings.map(ecsFinding))),
    );
    if (protocol === 'tcp')
      t.is((receiver as { unframed: () => string }).unframed(), '', 'every message ends with LF');
  });
}

test('syslog at warn beside the console at info: the console gets both lines, syslog the warn one only', async (t) => {
  const receiver = await syslogReceiver('udp');
  const out = capture();
  const logger = createLogger(
    {
      ...NONE,
      console: { level: 'info' },
      syslog: { ...syslogSettings('udp', receiver.port), level: 'warn' },
    },
    { stdout: out.stream, hostname: 'sbc1' },
  );
  // The info line first: were it sent to syslog, it would be the first datagram received.
  logCallSummary(logger, SUMMARY);
  logEvent(logger, 'warn', 'limit-hit', 'limit headers hit');
  await closeLogger(logger);
  await waitFor(() => receiver.messages.length >= 1);
  receiver.close();
  t.deepEqual(
    out.parsed().map((line) => (line.event as { action: string }).action),
    ['call-summary', 'limit-hit'],
  );
  t.is(receiver.messages.length, 1, receiver.messages.join('\n'));
  t.is(RFC5424.exec(receiver.messages[0]!)?.[6], 'limit-hit');
});

test('syslog: an unknown facility is a start-up error', (t) => {
  t.throws(() => createLogger({ ...NONE, syslog: { ...syslogSettings('udp', 514), facility: 'local9' } }), {
    message: /log\.syslog\.facility must be one of kern, user, .*local7, not "local9"/,
  });
});

test('a syslog server that refuses: reported once on the other outputs, close does not hang', async (t) => {
  const receiver = await syslogReceiver('tcp');
  const port = receiver.port;
  receiver.close(); // nothing listens there now
  await new Promise((resolve) => setTimeout(resolve, 50));
  const out = capture();
  const logger = createLogger(
    { ...NONE, console: { level: 'info' }, syslog: syslogSettings('tcp', port) },
    { stdout: out.stream },
  );
  for (let i = 0; i < 3; i++) logEvent(logger, 'warn', 'test', `line ${i}`);
  await waitFor(() => out.lines.some((line) => line.includes('log-output-failed')));
  for (let i = 3; i < 6; i++) logEvent(logger, 'warn', 'test', `line ${i}`);
  const started = Date.now();
  await closeLogger(logger);
  t.true(Date.now() - started < 3000, `closeLogger took ${Date.now() - started} ms`);
  const failures = out
    .parsed()
    .filter((line) => (line.event as { action: string }).action === 'log-output-failed');
  t.is(failures.length, 1);
  t.regex(
    String(failures[0]?.message),
    /^log output syslog: syslog tcp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
  );
  t.like(failures[0], { log: { level: 'error' }, trunkguard: { output: 'syslog' } });
  t.is(out.lines.length, 7, 'six lines and the one failure');
});

test('a file that cannot be written: reported once on the console, the proxy goes on', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'trunkguard.log');
  mkdirSync(path); // a directory where the file should be
  const out = capture();
  const logger = createLogger(
    { ...NONE, console: { level: 'info' }, file: { path, level: 'info', maxBytes: 1 << 20, maxFiles: 1 } },
    { stdout: out.stream, fileFlushIntervalMs: 10 },
  );
  logEvent(logger, 'info', 'test', 'first');
  await waitFor(() => out.lines.some((line) => line.includes('log-output-failed')));
  logEvent(logger, 'info', 'test', 'second');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await closeLogger(logger);
  const actions = out.parsed().map((line) => (line.event as { action: string }).action);
  t.deepEqual(actions, ['test', 'log-output-failed', 'test']);
  t.regex(String(out.parsed()[1]?.message), /^log output file: .*trunkguard\.log: .*EISDIR/);
});

test('no SDES key material in any output, even from a finding that was not redacted', async (t) => {
  const dir = tempDir();
  const out = capture();
  const receiver = await syslogReceiver('udp');
  const logger: ProxyLogger = createLogger(
    {
      console: { level: 'debug' },
      file: { path: join(dir, 'trunkguard.log'), level: 'debug', maxBytes: 1 << 20, maxFiles: 1 },
      syslog: { ...syslogSettings('udp', receiver.port), level: 'debug' },
      negotiations: null,
    },
    { stdout: out.stream },
  );
  const { send } = judging('udp');
  const findings = [
    ...send('customer', invite('keys@pbx.example.com', offer(KEY_PBX))).findings,
    ...send('carrier', response('200 OK', '1 INVITE', 'keys@pbx.example.com', answer(KEY_TWILIO))).findings,
  ];
  t.true(findings.length >= 2);
  for (const finding of findings) logFinding(logger, finding);
  const raw = 'dHJ1bmtndWFyZC1yYXcta2V5LW5vdC1yZWRhY3RlZA';
  logFinding(logger, {
    ...findings[0]!,
    message: `leaked inline:${raw}`,
    evidence: `a=crypto:1 X inline:${raw}|2^20`,
  });
  logEvent(logger, 'error', 'internal-error', `error text with INLINE:${raw}`, {
    trunkguard: { detail: [`inline:${raw}`] },
  });
  await closeLogger(logger);
  await waitFor(() => receiver.messages.length >= findings.length + 2);
  receiver.close();
  const outputs = [
    out.lines.join('\n'),
    readFileSync(join(dir, 'trunkguard.log'), 'utf8'),
    receiver.messages.join('\n'),
  ];
  t.is(receiver.messages.length, findings.length + 2);
  for (const output of outputs) {
    for (const key of [KEY_PBX, KEY_TWILIO, raw]) t.false(output.includes(key), output);
    t.false(/inline:(?!\[redacted\])/i.test(output), output);
  }
  t.true(outputs[0]!.includes('leaked inline:[redacted]'));
});

test('closeLogger with every output off returns at once', async (t) => {
  const logger = createLogger(NONE);
  logEvent(logger, 'info', 'ready', 'ready');
  const started = Date.now();
  await closeLogger(logger);
  t.true(Date.now() - started < 1000);
});

test('winston: the logger is a winston logger (the proxy and its tests pass their own)', (t) => {
  t.true(createLogger(NONE) instanceof winston.Logger);
});

test('console and file written directly: the same bytes winston and the ECS format wrote, line for line', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'trunkguard.log');
  const direct = capture();
  const logger = createLogger(
    { ...NONE, console: { level: 'debug' }, file: { path, level: 'debug', maxBytes: 1 << 20, maxFiles: 1 } },
    { stdout: direct.stream },
  );
  // The path every line took before: winston's stream chain, its format, its Stream transport.
  const viaWinston = capture();
  const legacy = winston.createLogger({
    level: 'debug',
    format: winston.format((info) => {
      (info as unknown as Record<symbol, string>)[Symbol.for('message')] = formatEcsLine(
        ecsLineOf(info, () => new Date()),
      );
      return info;
    })(),
    transports: [new winston.transports.Stream({ stream: viaWinston.stream, level: 'debug' })],
  });
  const findings = realFindings();
  const odd = { ...findings[0]!, message: 'caf\u00e9 %s %d', evidence: `a=crypto:1 X inline:${KEY_PBX}` };
  for (const out of [logger, legacy]) {
    for (const finding of [...findings, odd]) logFinding(out, finding);
    logCallSummary(out, SUMMARY);
    logEvent(out, 'info', 'listening', 'listening on udp 0.0.0.0:5060', {
      network: { transport: 'udp', protocol: 'sip' },
      server: { address: '0.0.0.0', port: 5060 },
    });
    logEvent(out, 'error', 'socket-error', 'UDP socket: EADDRINUSE', { event: { outcome: 'failure' } });
    // Fields ecsLineOf treats its own way: a top-level level, an observer, an ecs of the caller's.
    logEvent(out, 'warn', 'odd', 'odd fields', { level: 'x', observer: { product: 'other' }, ecs: { v: 1 } });
    logEvent(out, 'debug', 'detail', 'a debug line', { trunkguard: { n: 1, empty: {}, none: null } });
  }
  await closeLogger(logger);
  await closeLogger(legacy);
  // Lines stamped when logged (not findings, whose time is their message's) differ by that alone.
  const unstamped = (lines: readonly string[]) =>
    lines.map((line) => line.replace(/^\{"@timestamp":"[^"]+"/, '{"@timestamp":"T"'));
  t.is(viaWinston.lines.length, findings.length + 6);
  t.deepEqual(direct.lines.slice(0, findings.length + 1), viaWinston.lines.slice(0, findings.length + 1));
  t.deepEqual(unstamped(direct.lines), unstamped(viaWinston.lines));
  t.deepEqual(unstamped(fileLines(path)), unstamped(viaWinston.lines));
  t.false(direct.lines.join('\n').includes(KEY_PBX));
});

test('the direct outputs keep their levels and write nothing after closeLogger', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'trunkguard.log');
  const out = capture();
  const logger = createLogger(
    { ...NONE, console: { level: 'error' }, file: { path, level: 'warn', maxBytes: 1 << 20, maxFiles: 1 } },
    { stdout: out.stream },
  );
  logEvent(logger, 'debug', 'detail', 'to no output');
  logEvent(logger, 'info', 'info-line', 'to no output');
  logEvent(logger, 'warn', 'warn-line', 'to the file');
  logEvent(logger, 'error', 'error-line', 'to both');
  await closeLogger(logger);
  logEvent(logger, 'error', 'late', 'after the end');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const actions = (lines: readonly string[]) =>
    lines.map((line) => (JSON.parse(line) as { event: { action: string } }).event.action);
  t.deepEqual(actions(out.lines), ['error-line']);
  t.deepEqual(actions(fileLines(path)), ['warn-line', 'error-line']);
});
