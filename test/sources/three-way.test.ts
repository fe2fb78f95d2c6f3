/**
 * Issue 7's "must show": the same SIP judged three ways gives the same findings. For each real
 * capture of SIPp calls in test/fixtures/pcap (see its README):
 *   1. `trunkguard check CAPTURE` (the pcap/pcapng reader),
 *   2. `trunkguard check TRACE` (the JSON Lines trace of the same messages from SIPp's own log),
 *   3. a HEP collector on a real UDP socket, fed every message of the capture as a HEP3 packet
 *      (what Kamailio's siptrace or heplify would send for the same traffic),
 * and the three must agree message by message: the same finding codes on the same message, the
 * same side, the same calls.
 *
 * The SIPp captures carry few kinds of findings, so the crafted traces of test/fixtures/traces
 * (NAT, SRTP, SIP message problems) are judged three ways too: their UDP records are written as
 * a pcap of our own (Ethernet, IPv4/IPv6, UDP; TLS records cannot be a plaintext capture, and a
 * TCP record with a lying Content-Length frames differently in a stream, as it should).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { JudgedMessage } from '../../src/policy/engine.js';
import type { Finding } from '../../src/policy/finding.js';
import { loadConfig } from '../../src/policy/load-config.js';
import { createLogger } from '../../src/report/logger.js';
import { readInput } from '../../src/sources/check-input.js';
import { HepCollector } from '../../src/sources/hep/hep-collector.js';
import { encodeHep3 } from '../../src/sources/hep/hep3-encode.js';
import { parseTraceLine, type TraceRecord } from '../../src/sources/trace-record.js';
import { root, run } from '../e2e/cli.js';
import { ethernet, ipv4, ipv6, pcapFile, udp } from './pcap-bytes.js';

const FIXTURES = join(root, 'test', 'fixtures', 'pcap');
/** `check` without --config reads the shipped config; the collector must judge with the same one. */
const SHIPPED_CONFIG = join(root, 'config', 'trunkguard.yaml');

const CAPTURES: readonly [capture: string, trace: string][] = [
  ['sipp-udp-lo.pcap', 'sipp-udp-lo.jsonl'],
  ['sipp-tcp-lo.pcap', 'sipp-tcp-lo.jsonl'],
  ['sipp-tcp-any.pcap', 'sipp-tcp-any.jsonl'],
  ['sipp-udp-any.pcapng', 'sipp-udp-any.jsonl'],
  ['sipp-tcp-lo.pcapng', 'sipp-tcp-lo-ng.jsonl'],
];

/** One message's judgement, envelope and time aside: what must be equal across the three ways. */
interface MessageVerdict {
  readonly index: number;
  readonly callId: string | null;
  readonly codes: readonly string[];
  readonly sides: readonly string[];
}

function verdicts(count: number, findings: readonly Finding[], callIds: readonly (string | null)[]) {
  const result: MessageVerdict[] = [];
  for (let index = 0; index < count; index++) {
    const own = findings.filter((finding) => finding.messageIndex === index);
    result.push({
      index,
      callId: callIds[index] ?? null,
      codes: own.map((finding) => finding.code).sort(),
      sides: [...new Set(own.map((finding) => finding.side))].sort(),
    });
  }
  return result;
}

async function viaCheck(file: string): Promise<MessageVerdict[]> {
  const result = await run(['check', '--format', 'json', file.includes('/') ? file : join(FIXTURES, file)]);
  if (result.stdout === '')
    throw new Error(`check ${file}: no report (exit ${result.code}): ${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    messages: number;
    findings: Finding[];
    inputErrors: string[];
  };
  if (report.inputErrors.length > 0) throw new Error(`check ${file}: ${report.inputErrors.join('; ')}`);
  // A message without findings has no call id in the report; the call ids come from the HEP side.
  return verdicts(report.messages, report.findings, []);
}

/** Every SIP message of the capture, sent as HEP3 over UDP to a collector, one at a time. */
async function viaHep(file: string): Promise<{ verdicts: MessageVerdict[]; judged: JudgedMessage[] }> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger(
    { console: { level: 'info' }, file: null, syslog: null, negotiations: null },
    { stdout: sink },
  );
  const judged: JudgedMessage[] = [];
  const collector = new HepCollector({
    judge: loadConfig(SHIPPED_CONFIG),
    logger,
    observers: [{ judged: (message) => judged.push(message) }],
    dialogs: { maxCalls: 1000, ttlSeconds: 60 },
    sweepIntervalMs: 60_000,
  });
  await collector.start([{ transport: 'udp', host: '127.0.0.1', port: 0 }]);
  const port = collector.listeners[0]?.bound.port ?? 0;
  const socket = createSocket('udp4');
  try {
    const unused = {
      transport: 'udp' as const,
      src: { host: '0.0.0.0', port: 0 },
      dst: { host: '0.0.0.0', port: 0 },
    };
    for await (const item of readInput(file.includes('/') ? file : join(FIXTURES, file), unused)) {
      if (item.kind === 'capture-stats') continue;
      if (item.kind !== 'read') throw new Error(`${file}: unexpected ${item.kind} item`);
      const { envelope } = item;
      const packet = encodeHep3({
        src: envelope.src,
        dst: envelope.dst,
        // HEP's protocol chunk says UDP or TCP; TLS would be told by the Via or port (none here).
        protocol: envelope.transport === 'udp' ? 'udp' : 'tcp',
        timeMs: Date.parse(envelope.time),
        payload: item.result.ok ? item.result.message.bytes : item.result.bytes,
      });
      const before = judged.length;
      await new Promise<void>((resolve, reject) =>
        socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
      // One at a time, so the collector's message order is the capture's (bounded wait).
      for (let waited = 0; judged.length === before; waited += 5) {
        if (waited > 5000) throw new Error(`${file}: the collector did not judge message ${before}`);
        await sleep(5);
      }
    }
  } finally {
    socket.close();
    await collector.stop();
  }
  const findings = judged.flatMap((message) => message.findings);
  return {
    verdicts: verdicts(
      judged.length,
      findings,
      judged.map((message) => message.message?.callId ?? null),
    ),
    judged,
  };
}

for (const [capture, trace] of CAPTURES) {
  test(`${capture}: the capture, its trace and HEP packets give the same findings on the same messages`, async (t) => {
    const [fromCapture, fromTrace, fromHep] = await Promise.all([
      viaCheck(capture),
      viaCheck(trace),
      viaHep(capture),
    ]);
    t.is(fromCapture.length, 14, 'the capture holds SIPp’s 2 calls of 7 messages');
    const strip = (list: readonly MessageVerdict[]) => list.map(({ callId: _callId, ...rest }) => rest);
    t.deepEqual(strip(fromCapture), strip(fromTrace), 'capture = trace');
    t.deepEqual(strip(fromHep.verdicts), strip(fromCapture), 'HEP = capture');
    // Not an empty agreement: the SIPp calls carry plain RTP, which the shipped policy reports.
    t.true(fromCapture.some((message) => message.codes.includes('srtp-not-negotiated')));
    t.is(new Set(fromHep.verdicts.map((message) => message.callId)).size, 2);
  });
}

const TRACES = join(root, 'test', 'fixtures', 'traces');

/** A trace's UDP records, as a trace of their own and as a pcap (Ethernet, IPv4 or IPv6, UDP). */
function udpOnly(name: string, dir: string): { trace: string; pcap: string; count: number } {
  const lines = readFileSync(join(TRACES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const kept: string[] = [];
  const records: TraceRecord[] = [];
  for (const line of lines) {
    const record = parseTraceLine(line);
    if (typeof record === 'string' || record.envelope.transport !== 'udp') continue;
    kept.push(line);
    records.push(record);
  }
  const trace = join(dir, name);
  writeFileSync(trace, `${kept.join('\n')}\n`);
  const pcap = join(dir, name.replace(/\.jsonl$/, '.pcap'));
  writeFileSync(
    pcap,
    pcapFile(
      1, // LINKTYPE_ETHERNET
      records.map(({ envelope, bytes }) => {
        const datagram = udp(envelope.src.port, envelope.dst.port, bytes);
        const ip =
          isIP(envelope.src.host) === 6
            ? ipv6(datagram, { src: envelope.src.host, dst: envelope.dst.host })
            : ipv4(datagram, { src: envelope.src.host, dst: envelope.dst.host });
        const ms = Date.parse(envelope.time);
        return { seconds: Math.floor(ms / 1000), fraction: (ms % 1000) * 1000, data: ethernet(ip) };
      }),
    ),
  );
  return { trace, pcap, count: records.length };
}

test('crafted traces (NAT, SRTP, SIP message problems): their UDP records judged as trace, pcap and HEP agree', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-three-way-'));
  const codes = new Set<string>();
  for (const name of ['nat.jsonl', 'srtp.jsonl', 'sip-message.jsonl']) {
    const { trace, pcap, count } = udpOnly(name, dir);
    t.true(count >= 4, `${name}: ${count} UDP records`);
    const [fromTrace, fromPcap, fromHep] = await Promise.all([viaCheck(trace), viaCheck(pcap), viaHep(pcap)]);
    const strip = (list: readonly MessageVerdict[]) => list.map(({ callId: _callId, ...rest }) => rest);
    t.is(fromPcap.length, count, `${name}: every record read from the pcap`);
    t.deepEqual(strip(fromPcap), strip(fromTrace), `${name}: pcap = trace`);
    t.deepEqual(strip(fromHep.verdicts), strip(fromPcap), `${name}: HEP = pcap`);
    for (const message of fromTrace) for (const code of message.codes) codes.add(code);
  }
  // The agreement covers the findings these fixtures exist for.
  for (const code of [
    'private-media-address',
    'via-rport',
    'sdes-over-insecure-transport',
    'scanner-user-agent',
    'malformed-message',
    'udp-message-too-large',
  ])
    t.true(codes.has(code), `${code} among ${[...codes].sort().join(', ')}`);
});
