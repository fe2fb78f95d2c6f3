/**
 * An in-process proxy with TCP (and TLS) listeners, chosen connection limits and TLS policy, a
 * Metrics observer and a UDP carrier, for the connection-limit and TLS-policy tests; plus the
 * bounded waits those tests need (a socket's close, a keep-alive answered, a log line).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  DEFAULT_LIMITS,
  type LimitName,
} from '../../src/proxy/limits.js';
import type { NextHopSettings, TlsSettings } from '../../src/proxy/settings.js';
import type { SipProxy } from '../../src/proxy/sip-proxy.js';
import type { ConnectionPool, TlsMaterial } from '../../src/proxy/transports/stream-transport.js';
import { Metrics } from '../../src/report/metrics.js';
import {
  actionOf,
  fieldOf,
  hop,
  type LogLine,
  REPO,
  startProxy,
  TEST_TLS_SETTINGS,
  UdpPeer,
} from './in-process.js';

export const TLS_FIXTURES = new URL('test/fixtures/tls/', REPO);
export const pem = (name: string): Buffer => readFileSync(new URL(name, TLS_FIXTURES));

export interface StreamScene {
  readonly proxy: SipProxy;
  readonly carrier: UdpPeer;
  readonly metrics: Metrics;
  readonly lines: LogLine[];
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  /** The pool behind the TCP listener (the same one serves TLS). */
  readonly pool: ConnectionPool;
}

export async function streamScene(
  t: ExecutionContext,
  connections: Partial<ConnectionLimits>,
  tls: Partial<TlsSettings> = {},
  material: TlsMaterial | null = null,
  /** The carrier next hop; the UDP peer `carrier` by default. */
  carrierHop?: NextHopSettings,
): Promise<StreamScene> {
  const carrier = await new UdpPeer().start();
  const metrics = new Metrics({ defaultMetrics: false });
  const running = await startProxy(
    carrierHop ?? hop('127.0.0.1', carrier.port, 'udp'),
    {
      recordRoute: false,
      tls: { ...TEST_TLS_SETTINGS, ...tls },
      limits: { ...DEFAULT_LIMITS, connections: { ...DEFAULT_CONNECTION_LIMITS, ...connections } },
    },
    {},
    material,
    { observers: [metrics], sweepIntervalMs: 5000 },
  );
  const { proxy, lines } = running;
  t.teardown(async () => {
    carrier.close();
    await running.stop();
  });
  const listener = (transport: string) => proxy.listeners.find((l) => l.transport === transport);
  const pool = listener('tcp')?.stream?.pool;
  if (!pool) throw new Error('no TCP listener');
  return {
    proxy,
    carrier,
    metrics,
    lines,
    udpPort: listener('udp')?.bound.port ?? 0,
    tcpPort: listener('tcp')?.bound.port ?? 0,
    tlsPort: listener('tls')?.bound.port ?? 0,
    pool,
  };
}

/** A TCP connection to the proxy, from `localAddress` (any 127/8 address works on Linux). */
export async function tcpClient(
  t: ExecutionContext,
  port: number,
  localAddress = '127.0.0.1',
): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  t.teardown(() => socket.destroy());
  await bounded('connect', 3000, (done) => socket.once('connect', done));
  return socket;
}

/** Resolves once `socket` closes; rejects after `timeoutMs` (a limit that never bites). */
export function closed(socket: Socket, timeoutMs: number): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return bounded('the connection to close', timeoutMs, (done) => socket.once('close', done));
}

/**
 * Sends a double-CRLF keep-alive and waits for the single-CRLF pong (RFC 5626 §3.5.1): proof
 * that the proxy adopted the connection. Resolves false when the connection closed instead.
 */
export async function pinged(socket: Socket, timeoutMs = 3000): Promise<boolean> {
  return bounded<boolean>('a keep-alive pong', timeoutMs, (done) => {
    socket.once('data', () => done(true));
    socket.once('close', () => done(false));
    socket.write('\r\n\r\n');
  });
}

/** Waits (bounded) until `probe` returns something other than undefined. */
export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `limit-hit` lines for one limit. */
export function limitHitLines(lines: readonly LogLine[], limit: LimitName): LogLine[] {
  return lines.filter(
    (line) => actionOf(line) === 'limit-hit' && fieldOf(line, 'trunkguard.limit') === limit,
  );
}

/** trunkguard_limit_hits_total{limit} as the metrics endpoint would serve it (0: absent). */
export async function limitMetric(metrics: Metrics, limit: LimitName): Promise<number> {
  const text = await metrics.text();
  const match = new RegExp(`^trunkguard_limit_hits_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

/** An INVITE from the customer side (over TCP unless a UDP port to answer is given), with a unique Call-ID. */
export function invite(callId: string, udpPort?: number): Buffer {
  const via = udpPort === undefined ? 'SIP/2.0/TCP 127.0.0.1:5060' : `SIP/2.0/UDP 127.0.0.1:${udpPort};rport`;
  const sdp =
    'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';
  const head = [
    'INVITE sip:+15550100@trunk.example.com SIP/2.0',
    `Via: ${via};branch=z9hG4bK-${callId}`,
    'Max-Forwards: 70',
    `From: <sip:pbx@127.0.0.1>;tag=f-${callId}`,
    'To: <sip:+15550100@trunk.example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:pbx@127.0.0.1;transport=tcp>',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${sdp}`, 'latin1');
}

/** The next datagram at the carrier whose Call-ID is `callId` (others are skipped). */
export async function forwarded(carrier: UdpPeer, callId: string, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await carrier.next(Math.max(1, deadline - Date.now()))).bytes.toString('latin1');
    if (text.includes(`\r\nCall-ID: ${callId}\r\n`)) return text;
  }
}

function bounded<T = void>(
  what: string,
  timeoutMs: number,
  start: (done: (value: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    start((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
