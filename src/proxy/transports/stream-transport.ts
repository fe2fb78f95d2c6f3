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
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from '../../sip/message-limits.js';
import { StreamFramer } from '../../sip/stream-framer.js';
import type { ConnectionLimits, LimitName } from '../limits.js';
import type { ConnectionProblemKind } from '../observer.js';
import type { StreamConnection } from '../return-path.js';
import type { TlsSettings } from '../settings.js';
import { SocketCounts } from './socket-counts.js';
import type { TlsMaterial } from './tls-material.js';

export type { TlsMaterial } from './tls-material.js';

export interface StreamEvents {
  /** One framed result from a connection (a message, or why bytes could not be read). */
  onResult(result: ReadResult, connection: Connection): void;
  /** Connection-level trouble worth a log line (refused, handshake failed, framing lost). */
  onProblem(what: string, remote: Endpoint, transport: 'tcp' | 'tls', kind: ConnectionProblemKind): void;
  /** A connection limit was hit (counted and logged once per interval by the proxy's LimitHits). */
  onLimit(limit: LimitName, detail: string, remote: Endpoint): void;
  /** Whether a source is blocked (proxy.limits.flood.block): its connections are refused at accept. */
  isBlocked?(host: string): boolean;
}

/** The TLS policy (proxy.tls): the same for what we accept and what we open. */
export type TlsPolicy = Pick<TlsSettings, 'minVersion' | 'ciphers' | 'handshakeSeconds'>;

/** What every connection of a pool may cost (proxy.limits.connections) and how TLS is spoken. */
export interface StreamPolicy {
  readonly limits: ConnectionLimits;
  readonly tls: TlsPolicy;
  /** What one message read from a connection may hold (headers, Vias, line bytes); the defaults when absent. */
  readonly messageLimits?: MessageLimits;
}

/** Bytes written to a connection still connecting are queued, up to this much. */
const MAX_QUEUED_BYTES = 1024 * 1024;

let nextConnectionId = 1;

/** What the connections of one pool share. */
interface ConnectionContext {
  readonly maxMessageSize: number;
  readonly messageLimits: MessageLimits;
  readonly limits: ConnectionLimits;
  readonly events: StreamEvents;
}

export class Connection implements StreamConnection {
  readonly id = nextConnectionId++;
  readonly #socket: Socket;
  readonly #framer: StreamFramer;
  readonly #context: ConnectionContext;
  #ready: boolean;
  #queued: Buffer[] = [];
  #queuedBytes = 0;
  /** Called when the connection closes before what was queued could be written. */
  #onUnsent: (() => void)[] = [];
  #open = true;
  /** Runs while a message is incomplete: from its first byte until the framer yields it. */
  #messageClock: NodeJS.Timeout | null = null;
  local: Endpoint;

  constructor(
    readonly transport: 'tcp' | 'tls',
    socket: Socket,
    readonly remote: Endpoint,
    /** True when we opened it (toward a next hop). */
    readonly outbound: boolean,
    ready: boolean,
    context: ConnectionContext,
    onClose: (connection: Connection) => void,
  ) {
    this.#socket = socket;
    this.#context = context;
    this.#ready = ready;
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.#framer = new StreamFramer({
      maxMessageSize: context.maxMessageSize,
      limits: context.messageLimits,
      // RFC 5626 §3.5.1: a double-CRLF ping is answered with a single-CRLF pong.
      onPing: () => this.write(Buffer.from('\r\n')),
    });
    const { events, limits } = context;
    socket.setNoDelay(true);
    // RFC 5626 §4.4.1: keep-alives arrive every few minutes on a live flow; silence means it is dead.
    socket.setTimeout(limits.idleSeconds * 1000, () =>
      this.#closeForLimit('connection-idle', `no traffic for ${limits.idleSeconds} s`),
    );
    socket.on('data', (chunk: Buffer) => {
      const results = this.#framer.push(chunk);
      for (const result of results) events.onResult(result, this);
      if (this.#framer.broken !== null) {
        // RFC 4475 §3.1.2.3: a stream whose framing is lost cannot be resynchronized: close it.
        events.onProblem(
          `closing the connection: ${this.#framer.broken}`,
          this.remote,
          this.transport,
          'framing',
        );
        socket.destroy();
        return;
      }
      if (this.#open) this.#checkBuffered(results.length > 0);
    });
    socket.on('end', () => {
      this.#stopMessageClock();
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
      this.#stopMessageClock();
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
      // A peer that stops reading would make us hold every response for it: cut it off instead.
      // Toward a next hop we opened (the trunk) the bound is the larger connect queue's: a short
      // TCP window stall at a high call rate must not cut the trunk's connection.
      const unsent = this.#socket.writableLength;
      const max = this.outbound ? MAX_QUEUED_BYTES : this.#context.limits.maxBufferedBytes;
      if (unsent > max) {
        onUnsent?.();
        this.#closeForLimit(
          'buffered-bytes',
          `${unsent} bytes the peer does not read, over the ${max}-byte limit`,
        );
        return;
      }
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

  /**
   * After each read: bytes of an incomplete message are bounded in size (maxBufferedBytes) and in
   * time (messageSeconds, so a sender dripping one byte at a time cannot hold the connection).
   * `yielded`: the framer completed a message in this read, so any bytes left began a new one.
   */
  #checkBuffered(yielded: boolean): void {
    const { limits } = this.#context;
    const buffered = this.#framer.buffered;
    if (buffered > limits.maxBufferedBytes) {
      this.#closeForLimit(
        'buffered-bytes',
        `${buffered} bytes of an incomplete message, over the ${limits.maxBufferedBytes}-byte limit`,
      );
      return;
    }
    // A message in progress: its bytes held, or the rest of an oversize body still to skip.
    const inProgress = buffered > 0 || this.#framer.skipping > 0;
    if (!inProgress) {
      this.#stopMessageClock();
    } else if (this.#messageClock !== null) {
      // A new message began in this read: its clock starts now. refresh() restarts the running
      // timer in place, where a new one per read would be a Timeout and a closure each.
      if (yielded) this.#messageClock.refresh();
    } else {
      this.#messageClock = setTimeout(
        () =>
          this.#closeForLimit(
            'message-time',
            `a message still incomplete ${limits.messageSeconds} s after its first byte ` +
              `(${this.#framer.buffered} bytes held, ${this.#framer.skipping} of an oversize body still to come)`,
          ),
        limits.messageSeconds * 1000,
      );
      this.#messageClock.unref();
    }
  }

  #stopMessageClock(): void {
    if (this.#messageClock !== null) clearTimeout(this.#messageClock);
    this.#messageClock = null;
  }

  #closeForLimit(limit: LimitName, detail: string): void {
    if (!this.#open) return;
    this.#context.events.onLimit(limit, `closed a ${this.transport} connection: ${detail}`, this.remote);
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
    readonly pool: ConnectionPool,
    tls: TlsMaterial | null,
  ) {
    if (transport === 'tls') {
      if (!tls?.cert || !tls.key) throw new Error('a TLS listener needs a certificate and a key (proxy.tls)');
      const policy = pool.policy.tls;
      const server = createTlsServer({
        ...serverContext(tls, policy),
        // Half-open handshakes must not pile up: each holds a socket and a slot of the limits.
        handshakeTimeout: policy.handshakeSeconds * 1000,
      });
      server.on('secureConnection', (socket: TLSSocket) => this.pool.adopt('tls', socket));
      server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
        const remote = { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
        if ((error as NodeJS.ErrnoException).code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
          pool.events.onLimit(
            'tls-handshake-time',
            `closed a tls connection: no TLS handshake within ${policy.handshakeSeconds} s`,
            remote,
          );
        }
        pool.events.onProblem(`TLS handshake failed: ${error.message}`, remote, 'tls', 'tls-handshake');
        socket.destroy();
      });
      // SIGHUP: connections from now on get the new certificate; open ones keep theirs.
      tls.onReplace?.(() => server.setSecureContext(serverContext(tls, policy)));
      this.#server = server;
    } else {
      this.#server = createTcpServer((socket) => this.pool.adopt('tcp', socket));
    }
    admitFirst(this.#server, (socket) => this.pool.admit(socket));
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
  /** Sockets open: accepted (from the TCP accept on, TLS handshakes included) and opened. */
  readonly #counts: SocketCounts;
  readonly #context: ConnectionContext;

  constructor(
    readonly events: StreamEvents,
    maxMessageSize: number,
    private tls: TlsMaterial | null,
    readonly policy: StreamPolicy,
  ) {
    this.#counts = new SocketCounts(policy.limits);
    this.#context = {
      maxMessageSize,
      messageLimits: policy.messageLimits ?? DEFAULT_MESSAGE_LIMITS,
      limits: policy.limits,
      events,
    };
  }

  /** The TLS material for connections opened from now on (set at start). */
  setTls(tls: TlsMaterial | null): void {
    this.tls = tls;
  }

  /**
   * A socket just accepted, before anything is read from it (and before a TLS handshake): false,
   * and the socket closed, when its source is blocked or it would be over the total or the
   * per-source limit.
   */
  admit(socket: Socket): boolean {
    const host = socket.remoteAddress ?? '';
    const remote = { host, port: socket.remotePort ?? 0 };
    if (this.events.isBlocked?.(host)) {
      this.events.onLimit('blocked-source', 'refused a connection from a blocked source', remote);
    } else {
      const refusal = this.#counts.admit(socket);
      if (refusal === null) return true;
      this.events.onLimit(refusal.limit, `refused a connection: ${refusal.detail}`, remote);
    }
    socket.destroy();
    return false;
  }

  adopt(transport: 'tcp' | 'tls', socket: Socket): Connection {
    const remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const connection = new Connection(transport, socket, remote, false, true, this.#context, (c) =>
      this.#forget(c),
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

  /**
   * Opens a connection to a next hop. It counts toward the total (so accepted connections leave
   * room for it) but is never refused for it: forwarding to the trunk comes before accepting more.
   */
  #open(transport: 'tcp' | 'tls', remote: Endpoint, serverName: string | null): Connection {
    const socket = transport === 'tls' ? this.#tlsSocket(remote, serverName) : tcpConnect(remote);
    this.#counts.countOpened(socket);
    const connection = new Connection(transport, socket, remote, true, false, this.#context, (c) =>
      this.#forget(c),
    );
    // Ready to write once connected, and for TLS once the handshake (and certificate check) is done.
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => connection.markReady());
    this.#add(connection);
    return connection;
  }

  #tlsSocket(remote: Endpoint, serverName: string | null): TLSSocket {
    const tls = this.tls;
    const policy = this.policy.tls;
    const socket = tlsConnect({
      host: remote.host,
      port: remote.port,
      // SNI carries a host name only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted").
      ...(serverName !== null ? { servername: serverName } : {}),
      ...(tls?.ca ? { ca: tls.ca } : {}),
      ...(tls?.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
      rejectUnauthorized: tls?.verifyPeer ?? true,
      minVersion: policy.minVersion,
      ciphers: policy.ciphers,
      // Verify the name the carrier was configured by, or the IP when it was given as one.
      checkServerIdentity: (_host, cert) => checkServerIdentity(serverName ?? remote.host, cert),
    });
    // Node's client has no handshake timeout of its own; a silent next hop must not hold our queue.
    const timer = setTimeout(() => {
      this.events.onLimit(
        'tls-handshake-time',
        `closed a tls connection: no TLS handshake within ${policy.handshakeSeconds} s`,
        remote,
      );
      socket.destroy(new Error(`TLS handshake not complete within ${policy.handshakeSeconds} s`));
    }, policy.handshakeSeconds * 1000);
    timer.unref();
    socket.once('secureConnect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
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

  /** Sockets counted against proxy.limits.connections.max (TLS handshakes in progress included). */
  get sockets(): number {
    return this.#counts.total;
  }

  /** Accepted sockets open from one IP address (against proxy.limits.connections.perSource). */
  socketsFrom(host: string): number {
    return this.#counts.from(host);
  }

  closeAll(): void {
    for (const connection of this.#all) connection.close();
  }

  /** Closes every connection a source opened to us (it was just blocked); ours to it stay. */
  closeFrom(host: string): void {
    for (const connection of this.#all)
      if (!connection.outbound && connection.remote.host === host) connection.close();
  }
}

/** The server side's secure context: the current certificate and key, under the TLS policy. */
function serverContext(tls: TlsMaterial, policy: TlsPolicy) {
  return {
    cert: tls.cert ?? undefined,
    key: tls.key ?? undefined,
    minVersion: policy.minVersion,
    ciphers: policy.ciphers,
    // Our order (forward-secret AEAD first), not the client's.
    honorCipherOrder: true,
  };
}

/**
 * Puts `admit` in front of the server's own 'connection' listeners (for TLS, the one that starts
 * the handshake), so a refused connection is closed before it costs a handshake or a log line.
 */
function admitFirst(server: Server, admit: (socket: Socket) => boolean): void {
  const inner = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    if (!admit(socket)) return;
    for (const listener of inner) listener.call(server, socket);
  });
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
