import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { isIP, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { runCheck } from '../../src/commands/check.js';
import { parseHepListen } from '../../src/commands/hep-args.js';
import type { JudgedMessage } from '../../src/policy/engine.js';
import type { Finding } from '../../src/policy/finding.js';
import { loadConfig } from '../../src/policy/load-config.js';
import { HepCollector } from '../../src/sources/hep/hep-collector.js';
import { HEP_CHUNK } from '../../src/sources/hep/hep3-decode.js';
import { chunk, encodeHep3, hep3Packet } from '../../src/sources/hep/hep3-encode.js';
import { parseTraceLine } from '../../src/sources/trace-record.js';
import { actionOf, captureLog } from '../log-line.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TRACES = join(ROOT, 'test', 'fixtures', 'traces');
const CONFIG = join(ROOT, 'test', 'fixtures', 'config', 'proxy-e2e.yaml');

function collector(options: { config?: string } = {}) {
  const { logger, lines } = captureLog();
  const judged: JudgedMessage[] = [];
  const hep = new HepCollector({
    judge: loadConfig(options.config ?? CONFIG),
    logger,
    observers: [{ judged: (message) => judged.push(message) }],
    dialogs: { maxCalls: 1000, ttlSeconds: 60 },
    sweepIntervalMs: 60_000,
  });
  return { hep, lines, judged, events: (action: string) => lines.filter((l) => actionOf(l) === action) };
}

const FROM = { host: '192.0.2.200', port: 40000 };

function options(via: string, callId = 'c1') {
  return (
    `OPTIONS sip:pbx@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/${via} 192.0.2.1:5080;branch=z9hG4bK-${callId}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\n` +
    'Content-Length: 0\r\n\r\n'
  );
}

function packet(payload: string, protocol: 'udp' | 'tcp', srcPort = 5080, dstPort = 5080): Buffer {
  return encodeHep3({
    src: { host: '192.0.2.1', port: srcPort },
    dst: { host: '192.0.2.2', port: dstPort },
    protocol,
    timeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    payload,
  });
}

test('the envelope: addresses, time and transport; TCP is tls by its Via or port 5061', (t) => {
  const { hep, judged } = collector();
  hep.onPacket(packet(options('UDP', 'u'), 'udp'), FROM);
  hep.onPacket(packet(options('TCP', 't'), 'tcp'), FROM);
  hep.onPacket(packet(options('TLS', 'v'), 'tcp'), FROM);
  hep.onPacket(packet(options('TCP', 'p'), 'tcp', 40001, 5061), FROM);
  hep.onPacket(packet(options('TCP', 'q'), 'tcp', 5061, 40001), FROM);
  hep.onPacket(packet(options('TLS', 'w'), 'udp'), FROM); // UDP stays UDP, whatever the Via says
  t.deepEqual(
    judged.map((message) => message.envelope.transport),
    ['udp', 'tcp', 'tls', 'tls', 'tls', 'udp'],
  );
  t.deepEqual(judged[0]?.envelope.src, { host: '192.0.2.1', port: 5080 });
  t.deepEqual(judged[0]?.envelope.dst, { host: '192.0.2.2', port: 5080 });
  t.is(judged[0]?.envelope.time, '2026-01-02T03:04:05.678Z');
  t.is(hep.counters.sip, 6);
});

test('TCP payloads are stream records: a missing Content-Length is judged, over UDP it is not', (t) => {
  const { hep, judged, events } = collector();
  const noLength = options('TCP').replace('Content-Length: 0\r\n', '');
  hep.onPacket(packet(noLength, 'tcp'), FROM);
  hep.onPacket(packet(noLength, 'udp'), FROM);
  t.deepEqual(
    judged.map((message) => message.findings.map((finding) => finding.code)),
    [['content-length-mismatch'], []],
  );
  t.is(events('finding').length, 1);
});

test('non-SIP payloads are skipped; bad packets are counted and logged once per sweep', (t) => {
  const { hep, judged, events } = collector();
  hep.onPacket(encodeHep3({ ...fields(), protocolType: 5 }), FROM); // RTCP report
  hep.onPacket(hep3Packet([chunk(HEP_CHUNK.captureId, Buffer.from([0, 0, 0, 1]))]), FROM); // keep-alive-ish
  for (let i = 0; i < 50; i++) hep.onPacket(Buffer.from(`garbage ${i}`), FROM);
  hep.onPacket(
    hep3Packet([chunk(HEP_CHUNK.payload, Buffer.from(options('UDP'))), chunk(11, Buffer.from([1]))]),
    FROM,
  );
  t.is(judged.length, 0);
  t.is(hep.counters.skipped, 2);
  t.is(hep.counters.malformed, 51);
  t.is(events('hep-malformed').length, 0);
  hep.sweep();
  hep.sweep();
  const [line, ...more] = events('hep-malformed');
  t.is(more.length, 0);
  t.is(line?.trunkguard?.count, 51);
  t.regex(String(line?.message), /without source and destination/);
});

function fields() {
  return {
    src: { host: '192.0.2.1', port: 5060 },
    dst: { host: '192.0.2.2', port: 5060 },
    protocol: 'udp' as const,
    timeMs: 0,
    payload: options('UDP'),
  };
}

test('UDP socket and TCP server: packets in, a TCP stream cut anywhere, a bad stream closed', async (t) => {
  const { hep, judged, events } = collector();
  await hep.start([
    { transport: 'udp', host: '127.0.0.1', port: 0 },
    { transport: 'tcp', host: '127.0.0.1', port: 0 },
  ]);
  t.teardown(() => hep.stop());
  const [udp, tcp] = hep.listeners;
  t.is(events('listening').length, 2);
  t.is(events('ready').length, 1);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) =>
    socket.send(packet(options('UDP', 'd'), 'udp'), udp!.bound.port, '127.0.0.1', () => resolve()),
  );
  socket.close();
  const stream = Buffer.concat([packet(options('TCP', 's1'), 'tcp'), packet(options('TCP', 's2'), 'tcp')]);
  const client = tcpConnect(tcp!.bound.port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.write(stream.subarray(0, 3));
  await sleep(20);
  client.write(stream.subarray(3, stream.length - 7));
  await sleep(20);
  client.write(stream.subarray(stream.length - 7));
  for (let i = 0; i < 100 && judged.length < 3; i++) await sleep(10);
  t.deepEqual(judged.map((message) => message.message?.callId).sort(), ['d', 's1', 's2']);
  const closed = new Promise((resolve) => client.once('close', resolve));
  client.write('not HEP at all');
  await closed;
  t.is(hep.counters.malformed, 1);
  await hep.stop();
  t.regex(String(events('hep-malformed')[0]?.message), /TCP stream closed/);
});

test('--listen: transports, default port 9060, bad values', (t) => {
  t.deepEqual(parseHepListen('udp:127.0.0.1:0'), [{ transport: 'udp', host: '127.0.0.1', port: 0 }]);
  t.deepEqual(parseHepListen('0.0.0.0'), [
    { transport: 'udp', host: '0.0.0.0', port: 9060 },
    { transport: 'tcp', host: '0.0.0.0', port: 9060 },
  ]);
  t.deepEqual(parseHepListen('tcp:[::1]:9061'), [{ transport: 'tcp', host: '::1', port: 9061 }]);
  t.regex(String(parseHepListen('tls:127.0.0.1:9060')), /not a HEP transport/);
  t.regex(String(parseHepListen('example.com:9060')), /not an IP address/);
});

/** The trace files HEP can carry: every address an IP, every transport udp/tcp/tls. */
function hepTraces(): string[] {
  return readdirSync(TRACES)
    .filter((name) => name.endsWith('.jsonl'))
    .filter((name) =>
      readFileSync(join(TRACES, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .every((line) => {
          const record = parseTraceLine(line);
          return (
            typeof record !== 'string' &&
            ['udp', 'tcp', 'tls'].includes(record.envelope.transport) &&
            isIP(record.envelope.src.host) !== 0 &&
            isIP(record.envelope.dst.host) !== 0
          );
        }),
    );
}

async function checkCodes(file: string): Promise<Map<number, string[]>> {
  let out = '';
  const code = await runCheck(['--config', CONFIG, '--format', 'json', file], {
    stdout: (text) => {
      out += text;
    },
    stderr: () => {},
  });
  if (code === 2) throw new Error(`check ${file} failed`);
  const report = JSON.parse(out) as { findings: Finding[] };
  return byMessage(report.findings);
}

function byMessage(findings: readonly Finding[]): Map<number, string[]> {
  const codes = new Map<number, string[]>();
  for (const finding of findings)
    codes.set(finding.messageIndex, [...(codes.get(finding.messageIndex) ?? []), finding.code]);
  for (const list of codes.values()) list.sort();
  return codes;
}

test('the same SIP judged from a trace (check) and fed as HEP packets gives the same codes per message', async (t) => {
  const files = hepTraces();
  t.true(files.length >= 5, files.join(', '));
  for (const name of files) {
    const file = join(TRACES, name);
    const expected = await checkCodes(file);
    const { hep, judged } = collector();
    const records = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parseTraceLine(line))
      .filter((record) => typeof record !== 'string');
    for (const record of records) {
      hep.onPacket(
        encodeHep3({
          src: record.envelope.src,
          dst: record.envelope.dst,
          protocol: record.envelope.transport === 'udp' ? 'udp' : 'tcp',
          timeMs: Date.parse(record.envelope.time),
          payload: record.bytes,
          compress: record.bytes.length > 1000,
        }),
        FROM,
      );
    }
    t.deepEqual(
      judged.map((message) => message.envelope.transport),
      records.map((record) => record.envelope.transport),
      `${name}: transports`,
    );
    t.deepEqual(byMessage(judged.flatMap((message) => message.findings)), expected, name);
  }
});
