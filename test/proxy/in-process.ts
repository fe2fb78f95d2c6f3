/**
 * An in-process proxy between real sockets, for the forwarding tests: the proxy listens on
 * loopback ports chosen by the system, a "customer" and a "carrier" peer are plain UDP sockets
 * or TCP connections, and every wait is bounded.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { loadConfig } from '../../src/policy/load-config.js';
import type { LookupHost } from '../../src/proxy/host-lookups.js';
import { DEFAULT_LIMITS } from '../../src/proxy/limits.js';
import { DEFAULT_TLS_CIPHERS } from '../../src/proxy/load-proxy-settings.js';
import type { ProxyObserver } from '../../src/proxy/observer.js';
import type { ListenerSettings, NextHopSettings, ProxySettings } from '../../src/proxy/settings.js';
import { SipProxy } from '../../src/proxy/sip-proxy.js';
import type { TlsMaterial } from '../../src/proxy/transports/stream-transport.js';
import type { LogLine } from '../log-line.js';

export {
  actionOf,
  captureLog,
  codeOf,
  fieldOf,
  type LogFields,
  type LogLine,
} from '../log-line.js';

import { captureLog } from '../log-line.js';

export const REPO = new URL('../../../', import.meta.url);

export interface RunningProxy {
  readonly proxy: SipProxy;
  /** Bound port of the first listener of each transport (0: none). */
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  /** The log lines, parsed (ECS-style nested JSON: see test/log-line.ts). */
  readonly lines: LogLine[];
  /** The log lines as written. */
  readonly raw: string[];
  stop(): Promise<void>;
}

export function hop(host: string, port: number, transport: 'udp' | 'tcp' | 'tls'): NextHopSettings {
  return { host, port, transport, text: `${host}:${port};transport=${transport}` };
}

/** The TLS settings of a test proxy: Node's CA store, verification on, the shipped policy. */
export const TEST_TLS_SETTINGS: ProxySettings['tls'] = {
  certFile: null,
  keyFile: null,
  caFile: null,
  verifyPeer: true,
  serverName: null,
  minVersion: 'TLSv1.2',
  ciphers: DEFAULT_TLS_CIPHERS,
  handshakeSeconds: 10,
};

/** Options of the proxy object itself: observers (e.g. a Metrics) and the sweep interval. */
export interface TestProxyOptions {
  readonly observers?: readonly ProxyObserver[];
  readonly sweepIntervalMs?: number;
  /** Looks up Request-URI and Route host names (no customer next hop); the system's by default. */
  readonly lookupHost?: LookupHost;
}

export async function startProxy(
  carrier: NextHopSettings,
  overrides: Partial<ProxySettings> = {},
  advertise: Partial<Record<'udp' | 'tcp', ListenerSettings['advertise']>> = {},
  tls: TlsMaterial | null = null,
  options: TestProxyOptions = {},
): Promise<RunningProxy> {
  const judge = loadConfig(new URL('test/fixtures/config/proxy-e2e.yaml', REPO).pathname);
  // UDP and TCP always; TLS too when the test gives the proxy a certificate.
  const transports = tls?.cert ? (['udp', 'tcp', 'tls'] as const) : (['udp', 'tcp'] as const);
  const listeners: ListenerSettings[] = transports.map((transport) => ({
    transport,
    host: '127.0.0.1',
    port: 0,
    side: 'auto',
    advertise: transport === 'tls' ? null : (advertise[transport] ?? null),
  }));
  const settings: ProxySettings = {
    judge,
    listeners,
    carrier,
    customer: null,
    recordRoute: true,
    tls: TEST_TLS_SETTINGS,
    log: { console: null, file: null, syslog: null, negotiations: null },
    enforce: null,
    dialogs: { maxCalls: 1000, ttlSeconds: 3600 },
    maxMessageBytes: 65535,
    http: null,
    recentCalls: { maxCalls: 1000, maxBytes: 16 * 1024 * 1024 },
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
  const { logger, lines, raw } = captureLog();
  const proxy = new SipProxy(settings, logger, {
    sweepIntervalMs: options.sweepIntervalMs ?? 50,
    observers: options.observers ?? [],
    ...(options.lookupHost ? { lookupHost: options.lookupHost } : {}),
    // Tests give numeric next hops: no DNS.
    resolve: async (next) => [
      { host: next.host, port: next.port ?? 5060, transport: next.transport ?? 'udp', serverName: null },
    ],
  });
  await proxy.start(tls);
  const port = (transport: string) => proxy.listeners.find((l) => l.transport === transport)?.bound.port ?? 0;
  return {
    proxy,
    udpPort: port('udp'),
    tcpPort: port('tcp'),
    tlsPort: port('tls'),
    lines,
    raw,
    stop: () => proxy.stop(),
  };
}

/**
 * The usual scene: a UDP customer and a UDP carrier peer with the proxy between them, all three
 * closed when the test ends (passed or failed).
 */
export async function udpScene(
  t: { teardown(fn: () => unknown): void },
  overrides: Partial<ProxySettings> = {},
  advertise: Partial<Record<'udp' | 'tcp', ListenerSettings['advertise']>> = {},
): Promise<{ carrier: UdpPeer; customer: UdpPeer; running: RunningProxy }> {
  const carrier = await new UdpPeer().start();
  const customer = await new UdpPeer().start();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'udp'), overrides, advertise);
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  return { carrier, customer, running };
}

/** A UDP peer whose datagrams queue up until a test takes them. */
export class UdpPeer {
  readonly #socket: UdpSocket = createSocket('udp4');
  readonly #queue: { bytes: Buffer; port: number }[] = [];
  #waiter: (() => void) | null = null;
  port = 0;

  async start(): Promise<this> {
    this.#socket.on('message', (bytes, rinfo) => {
      this.#queue.push({ bytes, port: rinfo.port });
      this.#waiter?.();
    });
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.port = this.#socket.address().port;
    return this;
  }

  send(bytes: Buffer | string, port: number): void {
    this.#socket.send(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, port, '127.0.0.1');
  }

  /** The next datagram, or a rejection after `timeoutMs`. */
  async next(timeoutMs = 3000): Promise<{ bytes: Buffer; port: number }> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no datagram on port ${this.port} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
    return this.#queue.shift() as { bytes: Buffer; port: number };
  }

  get pending(): number {
    return this.#queue.length;
  }

  close(): void {
    this.#socket.close();
  }
}

/** Collects bytes from a TCP socket; `take(n)` waits (bounded) until a whole SIP message is in. */
export class StreamCollector {
  #buffer = Buffer.alloc(0);
  #waiter: (() => void) | null = null;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#waiter?.();
    });
  }

  /** The next message: header section, then Content-Length bytes of body. */
  async message(timeoutMs = 3000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.#buffer.subarray(0, end).toString('latin1');
        const length = Number(/^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head)?.[1] ?? '0');
        const total = end + 4 + length;
        if (this.#buffer.length >= total) {
          const message = this.#buffer.subarray(0, total);
          this.#buffer = this.#buffer.subarray(total);
          return Buffer.from(message);
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
  }
}

/** A TCP server standing in for a next hop; resolves each accepted connection as a collector. */
export async function tcpPeer(): Promise<{
  server: Server;
  port: number;
  accepted: () => Promise<StreamCollector>;
}> {
  const pending: StreamCollector[] = [];
  let notify: (() => void) | null = null;
  const server = createServer((socket) => {
    pending.push(new StreamCollector(socket));
    notify?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    accepted: async () => {
      const deadline = Date.now() + 3000;
      while (pending.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no connection accepted within 3000 ms');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        notify = null;
      }
      return pending.shift() as StreamCollector;
    },
  };
}
