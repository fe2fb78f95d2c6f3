/**
 * The HEP collector reads SIP payloads under proxy.limits.message, as the proxy does: a payload
 * over a header limit is counted (LimitHits: the metric and one line per interval) and not
 * judged; an SDP past a limit is judged as one malformed-sdp finding and counted too. Its TCP
 * listener takes proxy.limits.connections: a connection over `max` is closed at once, a silent
 * one after `idleSeconds`.
 */
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { JudgedMessage } from '../../src/policy/engine.js';
import { loadConfig } from '../../src/policy/load-config.js';
import { type ConnectionLimits, DEFAULT_LIMITS, DEFAULT_MESSAGE_LIMITS } from '../../src/proxy/limits.js';
import { HepCollector } from '../../src/sources/hep/hep-collector.js';
import { encodeHep3 } from '../../src/sources/hep/hep3-encode.js';
import { actionOf, captureLog } from '../log-line.js';

const CONFIG = fileURLToPath(new URL('../../../test/fixtures/config/proxy-e2e.yaml', import.meta.url));

function collector(connections: Partial<ConnectionLimits> = {}) {
  const { logger, lines } = captureLog();
  const judged: JudgedMessage[] = [];
  const hits: string[] = [];
  const hep = new HepCollector({
    judge: loadConfig(CONFIG),
    logger,
    observers: [{ judged: (message) => judged.push(message), limitHit: (limit) => hits.push(limit) }],
    dialogs: { maxCalls: 1000, ttlSeconds: 60 },
    sweepIntervalMs: 60_000,
    limits: {
      ...DEFAULT_LIMITS,
      message: { ...DEFAULT_MESSAGE_LIMITS, maxVias: 3, maxSdpLines: 10 },
      connections: { ...DEFAULT_LIMITS.connections, ...connections },
    },
  });
  return { hep, lines, judged, hits };
}

function invite(callId: string, vias: number, sdp = ''): Buffer {
  const head = [
    'INVITE sip:pbx@192.0.2.2 SIP/2.0',
    ...Array.from({ length: vias }, (_, i) => `Via: SIP/2.0/UDP 192.0.2.1:${5080 + i};branch=z9hG4bK-${i}`),
    'Max-Forwards: 70',
    'From: <sip:a@192.0.2.1>;tag=1',
    'To: <sip:pbx@192.0.2.2>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
  return encodeHep3({
    src: { host: '192.0.2.1', port: 5080 },
    dst: { host: '192.0.2.2', port: 5080 },
    protocol: 'udp',
    timeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    payload: `${head.join('\r\n')}\r\n\r\n${sdp}`,
  });
}

const FROM = { host: '192.0.2.200', port: 40000 };

test('a payload over the Via limit is counted, not judged; the next one is judged', (t) => {
  const { hep, judged, hits, lines } = collector();
  for (let i = 0; i < 5; i++) hep.onPacket(invite(`over-${i}`, 4), FROM);
  hep.onPacket(invite('valid', 3), FROM);
  t.deepEqual(
    judged.map((message) => message.message?.callId),
    ['valid'],
  );
  t.deepEqual(hits, ['vias', 'vias', 'vias', 'vias', 'vias']);
  t.is(hep.limitHits.totals.get('vias'), 5);
  t.is(lines.filter((line) => actionOf(line) === 'limit-hit').length, 1);
});

test('an SDP past the line limit is one malformed-sdp finding, and a counted hit', (t) => {
  const { hep, judged, hits } = collector();
  const sdp = `${['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 30000 RTP/AVP 0', ...Array.from({ length: 5 }, (_, i) => `a=x-filler:${i}`)].join('\r\n')}\r\n`;
  hep.onPacket(invite('long-sdp', 1, sdp), FROM);
  const findings = judged[0]?.findings.filter((finding) => finding.code === 'malformed-sdp') ?? [];
  t.deepEqual(
    findings.map((finding) => finding.message),
    ['SDP not inspected: 11 lines in the SDP, over the limit of 10'],
  );
  t.deepEqual(hits, ['sdp-lines']);
  t.is(hep.limitHits.totals.get('sdp-lines'), 1);
});

/** Resolves when the socket closes; rejects after `ms` (bounded wait). */
function closed(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.closed) return resolve();
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('HEP over TCP: an agent over connections.max is closed at once, a silent one after idleSeconds', async (t) => {
  const { hep, hits } = collector({ max: 1, idleSeconds: 1 });
  await hep.start([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
  t.teardown(() => hep.stop());
  const port = hep.listeners[0]?.bound.port ?? 0;
  const first = connect(port, '127.0.0.1');
  t.teardown(() => first.destroy());
  await new Promise((resolve) => first.once('connect', resolve));
  // The first agent is served: a packet over it is judged.
  first.write(invite('over-tcp', 1));
  const second = connect(port, '127.0.0.1');
  t.teardown(() => second.destroy());
  await closed(second, 3000);
  t.true(hits.includes('connections'), 'the second agent was refused');
  // The first, silent from now on, is closed after about a second.
  await closed(first, 5000);
  t.true(hits.includes('connection-idle'));
  t.is(hep.counters.sip, 1);
});

test('HEP over TCP: more connections than perSource from one address are refused', async (t) => {
  const { hep, hits } = collector({ perSource: 2 });
  await hep.start([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
  t.teardown(() => hep.stop());
  const port = hep.listeners[0]?.bound.port ?? 0;
  const open = (localAddress: string) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    t.teardown(() => socket.destroy());
    return socket;
  };
  const first = open('127.0.0.1');
  const second = open('127.0.0.1');
  await Promise.all([first, second].map((s) => new Promise((resolve) => s.once('connect', resolve))));
  await closed(open('127.0.0.1'), 3000);
  t.deepEqual(hits, ['connections-per-source']);
  const other = open('127.0.0.2');
  await new Promise((resolve) => other.once('connect', resolve));
  other.write(invite('from-another-agent', 1));
  for (let waited = 0; hep.counters.sip === 0 && waited < 3000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(hep.counters.sip, 1, 'another address is still served');
  t.false(first.closed || second.closed);
});
