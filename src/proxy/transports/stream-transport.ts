/**
 * TCP and TLS: the listeners, the connections they accept, and the connections the proxy opens
 * to next hops. Each connection frames its byte stream into SIP messages with StreamFramer
 * (RFC 3261 §18.3: Content-Length delimits messages on a stream).
 *
 * Connection reuse: a message for a peer goes on an open connection to that peer's address and
 * port when there is one (accepted or opened), else on a new one. RFC 3261 §18.2.2 sends
 * responses on the connection the request came in on; requests the carrier sends back (BYE)
 * arrive on the connection we opened when its side reuses it (RFC 5923, our Via's `alias`).
 */
import {
  createServer as createTcpServer,
  isIPv6,
  type Server,
  type Socket,
  connect as tcpConnect,
} from 'node:net';
import {
  checkServerIdentity,
  createServer as createTlsServer,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { Endpoint } from '../../sip/envelope.js';
import { formatEndpoint } from '../../sip/envelope.js';
import type { ReadResult } from '../../sip/message.js';
import { StreamFramer } from '../../sip/stream-framer.js';
import type { ConnectionProblemKind } from '../observer.js';
import type { StreamConnection } from '../return-path.js';

export interface TlsMaterial {
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly ca: Buffer | null;
  readonly verifyPeer: boolean;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface StreamEvents {
  /** One framed result from a connection (a message, or why bytes could not be read). */
  onResult(result: ReadResult, connection: Connection): void;
  /** Connection-level trouble worth a log line (refused, handshake failed, framing lost). */
  onProblem(what: string, remote: Endpoint, transport: 'tcp' | 'tls', kind: ConnectionProblemKind): void;
}

/** Connections idle this long are closed (RFC 5626 keep-alives arrive far more often). */
const IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** Bytes written to a connection still connecting are queued, up to this much. */
const MAX_QUEUED_BYTES = 1024 * 1024;

let nextConnectionId = 1;

export class Connection implements StreamConnection {
  readonly id = nextConnectionId++;
  readonly #socket: Socket;
  readonly #framer: StreamFramer;
  #ready: boolean;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  /** Called when the connection closes before what was queued could be written. */
  #onUnsent: (() => void)[] = [];
  #open = true;
  local: Endpoint;

  constructor(
    readonly transport: 'tcp' | 'tls',
    socket: Socket,
    readonly remote: Endpoint,
    /** True when we opened it (toward a next hop). */
    readonly outbound: boolean,
    ready: boolean,
    maxMessageSize: number,
    events: StreamEvents,
    onClose: (connection: Connection) => void,
  ) {
    this.#socket = socket;
    this.#ready = ready;
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.#framer = new StreamFramer({
      maxMessageSize,
      // RFC 5626 §3.5.1: a double-CRLF ping is answered with a single-CRLF pong.
      onPing: () => this.write(Buffer.from('\r\n')),
    });
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const result of this.#framer.push(chunk)) events.onResult(result, this);
      if (this.#framer.broken !== null) {
        // RFC 4475 §3.1.2.3: a stream whose framing is lost cannot be resynchronized: close it.
        events.onProblem(
          `closing the connection: ${this.#framer.broken}`,
          this.remote,
          this.transport,
          'framing',
        );
        socket.destroy();
      }
    });
    socket.on('end', () => {
      for (const result of this.#framer.end()) events.onResult(result, this);
      socket.end();
    });
    socket.on('error', (error) =>
      events.onProblem(
        error.message,
        this.remote,
        this.transport,
        problemKind(error, this.transport, this.#ready),
      ),
    );
    socket.on('close', () => {
      this.#open = false;
      const unsent = this.#onUnsent;
      this.#queued = [];
      this.#onUnsent = [];
      onClose(this);
      for (const notify of unsent) notify();
    });
  }

  get open(): boolean {
    return this.#open;
  }

  /** Called once the TCP connect or TLS handshake completed: flushes what was queued. */
  markReady(): void {
    this.#ready = true;
    this.local = { host: this.#socket.localAddress ?? '', port: this.#socket.localPort ?? 0 };
    for (const bytes of this.#queued) this.#socket.write(bytes);
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#onUnsent = [];
  }

  /**
   * Writes now, or queues until the connection is up. `onUnsent` is called when the bytes will
   * never be written (connection refused, TLS handshake failed, queue full, already closed).
   */
  write(bytes: Buffer, onUnsent?: () => void): void {
    if (!this.#open) {
      onUnsent?.();
      return;
    }
    if (this.#ready) {
      this.#socket.write(bytes);
      return;
    }
    if (this.#queuedBytes + bytes.length > MAX_QUEUED_BYTES) {
      onUnsent?.();
      return;
    }
    this.#queued.push(bytes);
    this.#queuedBytes += bytes.length;
    if (onUnsent) this.#onUnsent.push(onUnsent);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** One TCP or TLS listener, plus the connections for its transport. */
export class StreamListener {
  readonly #server: Server;
  #bound: Endpoint | null = null;

  constructor(
    readonly transport: 'tcp' | 'tls',
    readonly host: string,
    readonly port: number,
    private readonly pool: ConnectionPool,
    tls: TlsMaterial | null,
  ) {
    const accept = (socket: Socket) => this.pool.adopt(transport, socket);
    if (transport === 'tls') {
      if (!tls?.cert || !tls.key) throw new Error('a TLS listener needs a certificate and a key (proxy.tls)');
      this.#server = createTlsServer(
        { cert: tls.cert, key: tls.key, minVersion: tls.minVersion, handshakeTimeout: 10_000 },
        accept,
      );
      this.#server.on('tlsClientError', (error: Error, socket: TLSSocket) =>
        this.pool.events.onProblem(
          `TLS handshake failed: ${error.message}`,
          { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 },
          'tls',
          'tls-handshake',
        ),
      );
    } else {
      this.#server = createTcpServer(accept);
    }
  }

  async start(): Promise<Endpoint> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ port: this.port, host: this.host, ipv6Only: isIPv6(this.host) }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('listener has no address');
    this.#bound = { host: address.address, port: address.port };
    return this.#bound;
  }

  get bound(): Endpoint | null {
    return this.#bound;
  }

  /** Stops accepting; open connections are closed by the pool. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Every open TCP/TLS connection, by transport and remote address. */
export class ConnectionPool {
  readonly #byRemote = new Map<string, Connection>();
  readonly #all = new Set<Connection>();

  constructor(
    readonly events: StreamEvents,
    readonly maxMessageSize: number,
    private tls: TlsMaterial | null,
  ) {}

  /** The TLS material for connections opened from now on (set at start, and on reload). */
  setTls(tls: TlsMaterial | null): void {
    this.tls = tls;
  }

  adopt(transport: 'tcp' | 'tls', socket: Socket): Connection {
    const remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const connection = new Connection(
      transport,
      socket,
      remote,
      false,
      true,
      this.maxMessageSize,
      this.events,
      (c) => this.#forget(c),
    );
    this.#add(connection);
    return connection;
  }

  /** An open connection to `remote` over `transport`, opened now when there is none. */
  connectionTo(transport: 'tcp' | 'tls', remote: Endpoint, serverName: string | null): Connection {
    const existing = this.#byRemote.get(keyOf(transport, remote));
    if (existing?.open) return existing;
    return this.#open(transport, remote, serverName);
  }

  /** An open connection to `remote`, or undefined (never opens one). */
  existing(transport: 'tcp' | 'tls', remote: Endpoint): Connection | undefined {
    const connection = this.#byRemote.get(keyOf(transport, remote));
    return connection?.open ? connection : undefined;
  }

  #open(transport: 'tcp' | 'tls', remote: Endpoint, serverName: string | null): Connection {
    const socket = transport === 'tls' ? this.#tlsSocket(remote, serverName) : tcpConnect(remote);
    const connection = new Connection(
      transport,
      socket,
      remote,
      true,
      false,
      this.maxMessageSize,
      this.events,
      (c) => this.#forget(c),
    );
    // Ready to write once connected, and for TLS once the handshake (and certificate check) is done.
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => connection.markReady());
    this.#add(connection);
    return connection;
  }

  #tlsSocket(remote: Endpoint, serverName: string | null): TLSSocket {
    const tls = this.tls;
    return tlsConnect({
      host: remote.host,
      port: remote.port,
      // SNI carries a host name only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted").
      ...(serverName !== null ? { servername: serverName } : {}),
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      rejectUnauthorized: tls?.verifyPeer ?? true,
      minVersion: tls?.minVersion ?? 'TLSv1.2',
      // Verify the name the carrier was configured by, or the IP when it was given as one.
      checkServerIdentity: (_host, cert) => checkServerIdentity(serverName ?? remote.host, cert),
    });
  }

  #add(connection: Connection): void {
    this.#all.add(connection);
    this.#byRemote.set(keyOf(connection.transport, connection.remote), connection);
  }

  #forget(connection: Connection): void {
    this.#all.delete(connection);
    const key = keyOf(connection.transport, connection.remote);
    if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
  }

  get size(): number {
    return this.#all.size;
  }

  closeAll(): void {
    for (const connection of this.#all) connection.close();
  }
}

/**
 * What kind of trouble a socket error is: before a TLS connection is ready, a certificate or
 * protocol error is a failed handshake; before any connection is ready, a refusal or timeout is
 * a failed connect.
 */
function problemKind(error: Error, transport: 'tcp' | 'tls', ready: boolean): ConnectionProblemKind {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (!ready && transport === 'tls' && !/^E(CONNREFUSED|HOSTUNREACH|NETUNREACH|TIMEDOUT)$/.test(code))
    return 'tls-handshake';
  return ready ? 'other' : 'connect';
}

function keyOf(transport: string, remote: Endpoint): string {
  return `${transport}:${formatEndpoint(remote)}`;
}
