/**
 * The syslog output: winston-syslog's transport, sending each log line as the MSG of an RFC 5424
 * message over UDP (RFC 5426: one message per datagram) or TCP (RFC 6587 §3.4.2 non-transparent
 * framing: each message ends with LF; our MSG is one JSON line, which never holds a raw LF):
 *
 *   <156>1 2026-11-28T10:00:01.883Z sbc1 trunkguard 4711 finding - {"@timestamp":...}
 *
 * PRI is facility × 8 + severity (error 3, warn 4, info 6, debug 7); MSGID is the line's event.action.
 *
 * winston-syslog 2.7 is used with these fixes, each a small override:
 * - its RFC 5424 header comes from glossy, which writes the UTC clock with the local zone's offset and
 *   milliseconds as two digits; ours is `toISOString()` (UTC, `Z`, three digits);
 * - over TCP it writes messages without framing; ours end with LF;
 * - a dropped TCP connection is retried forever, by a timer that keeps the process alive and that even
 *   reconnects after close(); ours backs off to at most a minute, is unref'd, and stops at close;
 * - its queue (messages waiting for a connection) and the socket's buffer have no bound: past
 *   MAX_QUEUED messages or MAX_BUFFERED_BYTES, lines are dropped and counted;
 * - it emits 'error', which makes winston unpipe it; ours reports the problem (`onProblem`) instead.
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type TransportStream from 'winston-transport';
import type { SyslogSettings } from '../proxy/settings.js';

/**
 * RFC 5424 §6.2.1 facilities, by the names glossy (winston-syslog's producer) takes, and the usual
 * aliases (cron for 9, authpriv for 10).
 */
export const SYSLOG_FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  clock: 9,
  cron: 9,
  sec: 10,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  audit: 13,
  alert: 14,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

export function isSyslogFacility(name: string): name is SyslogFacility {
  return Object.hasOwn(SYSLOG_FACILITIES, name);
}

/** RFC 5424 §6.2.1 severities of winston's levels. */
const SEVERITY: Readonly<Record<string, number>> = { error: 3, warn: 4, warning: 4, info: 6, debug: 7 };

/** Messages kept while there is no connection; beyond, new lines are dropped. */
export const MAX_QUEUED = 10_000;
/** Bytes a slow TCP receiver may leave in the socket's buffer; beyond, new lines are dropped. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MAX_RETRY_MS = 60_000;
/** close(): how long queued and in-flight messages may take to leave. */
const CLOSE_WAIT_MS = 2_000;

/** What winston-syslog's producer is asked for (see its log()). */
interface ProduceOptions {
  readonly severity: string;
  readonly host: string;
  readonly appName: string;
  readonly date: Date;
  readonly message: string;
}

/** The RFC 5424 header for one MSG, and the framing. */
class Rfc5424Producer {
  /** MSGID of the next message (set by the transport just before winston-syslog asks). */
  msgId = '-';

  constructor(
    private readonly facility: number,
    private readonly appName: string,
    private readonly pid: number,
    private readonly trailer: string,
  ) {}

  produce(options: ProduceOptions): string {
    const severity = SEVERITY[options.severity] ?? 6;
    return (
      `<${this.facility * 8 + severity}>1 ${options.date.toISOString()} ${headerField(options.host, 255)} ` +
      `${headerField(this.appName, 48)} ${this.pid} ${headerField(this.msgId, 32)} - ${options.message}${this.trailer}`
    );
  }
}

/** RFC 5424 §6: a header field is 1 to `max` printable US-ASCII characters, or `-`. */
function headerField(text: string, max: number): string {
  const printable = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return printable === '' ? '-' : printable;
}

/** The parts of winston-syslog's Syslog transport that are used or overridden here. */
interface SyslogBase extends TransportStream {
  socket: SyslogSocket | null;
  queue: string[];
  inFlight: number;
  connected: boolean;
  retries: number;
  readonly producer: Rfc5424Producer;
  readonly host: string;
  readonly port: number;
  log(info: Record<string | symbol, unknown>, callback: () => void): void;
  connectDgram(callback: (error: unknown) => void): void;
  _sendChunk(buffer: Buffer, options: Record<string, unknown>, callback: (error?: Error) => void): void;
}

/** A net.Socket or a dgram.Socket, as winston-syslog keeps it. */
interface SyslogSocket {
  on(event: string, listener: (...args: never[]) => void): SyslogSocket;
  removeAllListeners(event?: string): SyslogSocket;
  write?(data: string, encoding: string, callback: (error?: Error) => void): boolean;
  end?(): void;
  /** net.Socket only: true while connecting. */
  readonly connecting?: boolean;
  connect?(port: number, host: string): void;
  destroy?(): void;
  close?(): void;
  readonly writableLength?: number;
}

type SyslogConstructor = new (options: Record<string, unknown>) => SyslogBase;

const require = createRequire(import.meta.url);
const { Syslog } = require('winston-syslog') as { Syslog: SyslogConstructor };

export interface SyslogTransportOptions {
  /** A problem with the output (connection lost, lines dropped), for the caller to report. */
  readonly onProblem: (message: string) => void;
  /** The output works again after a problem. */
  readonly onRecovered?: (message: string) => void;
  /** HOSTNAME in the header; default os.hostname(). */
  readonly hostname?: string;
}

export class SyslogTransport extends Syslog {
  /** Resolves once close() has sent what it could and released the socket. */
  readonly released: Promise<void>;
  /** Lines dropped because the queue or the socket's buffer was full. */
  dropped = 0;
  readonly #onProblem: (message: string) => void;
  readonly #onRecovered: (message: string) => void;
  readonly #describe: string;
  #closing = false;
  #dropping = false;
  #sending = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #resolveReleased: () => void = () => {};

  constructor(settings: SyslogSettings, options: SyslogTransportOptions) {
    if (!isSyslogFacility(settings.facility)) {
      throw new Error(
        `log.syslog.facility must be one of ${Object.keys(SYSLOG_FACILITIES).join(', ')}, not "${settings.facility}"`,
      );
    }
    const tcp = settings.protocol === 'tcp';
    const facility = SYSLOG_FACILITIES[settings.facility];
    const appName = settings.appName;
    super({
      level: settings.level,
      host: settings.host,
      port: settings.port,
      protocol: tcp ? 'tcp4' : 'udp4',
      type: '5424',
      app_name: appName,
      facility: settings.facility,
      localhost: options.hostname ?? hostname(),
      // winston-syslog constructs its producer itself, from this class.
      customProducer: class extends Rfc5424Producer {
        constructor() {
          super(facility, appName, process.pid, tcp ? '\n' : '');
        }
      },
    });
    this.#onProblem = options.onProblem;
    this.#onRecovered = options.onRecovered ?? (() => {});
    this.#describe = `syslog ${settings.protocol}://${settings.host}:${settings.port}`;
    this.released = new Promise((resolve) => {
      this.#resolveReleased = resolve;
    });
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    if (this.#closing) {
      callback();
      return;
    }
    const buffered = this.socket?.writableLength ?? 0;
    if (this.queue.length >= MAX_QUEUED || buffered >= MAX_BUFFERED_BYTES) {
      this.dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.#onProblem(`${this.#describe}: not keeping up, dropping log lines until it does`);
      }
      callback();
      return;
    }
    if (this.#dropping) {
      this.#dropping = false;
      this.#onRecovered(`${this.#describe}: keeping up again (${this.dropped} log lines dropped so far)`);
    }
    // MSGID: event.action (a plain winston call's `event` name is the same thing).
    const event = info.event as { action?: unknown } | string | undefined;
    const action = typeof event === 'string' ? event : event?.action;
    this.producer.msgId = typeof action === 'string' ? action : '-';
    super.log(info, callback);
  }

  /** Every 'error' is a problem to report: none reaches winston, which would unpipe this transport. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error') {
      const error = args[0];
      this.#onProblem(`${this.#describe}: ${error instanceof Error ? error.message : String(error)}`);
      return true;
    }
    return super.emit(event, ...args);
  }

  override connectDgram(callback: (error: unknown) => void): void {
    super.connectDgram(callback);
    this.socket?.on('error', (error: Error) => this.emit('error', error));
  }

  /** Replaces winston-syslog's TCP socket handlers (see the file comment). */
  setupEvents(): void {
    const socket = this.socket;
    if (socket === null) return;
    const written = (error?: Error) => {
      if (error) this.emit('error', error);
      this.inFlight--;
    };
    socket
      .on('connect', () => {
        if (this.retries > 0) this.#onRecovered(`${this.#describe}: connected again`);
        this.connected = true;
        this.retries = 0;
        const queued = this.queue.join('');
        this.queue = [];
        if (queued !== '') {
          this.inFlight++;
          socket.write?.(queued, 'utf8', written);
        }
      })
      .on('error', (error: Error) => {
        if (this.retries === 0) this.emit('error', error);
      })
      .on('close', () => {
        this.connected = false;
        if (this.#closing) return;
        const delay = Math.min(MAX_RETRY_MS, 1000 * 2 ** this.retries);
        this.retries++;
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          if (!this.#closing) socket.connect?.(this.port, this.host);
        }, delay);
        this.#retryTimer.unref();
      });
  }

  /** Counts UDP sends in flight (winston-syslog's own count misses the ones it queued at start). */
  override _sendChunk(
    buffer: Buffer,
    options: Record<string, unknown>,
    callback: (error?: Error) => void,
  ): void {
    this.#sending++;
    super._sendChunk(buffer, options, (error?: Error) => {
      this.#sending--;
      callback(error);
    });
  }

  /**
   * Called by winston when the logger ends: waits (bounded) until what is queued has been handed to
   * the system, then closes the socket (TCP: a FIN after the last byte).
   */
  override close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const deadline = Date.now() + CLOSE_WAIT_MS;
    const wait = () => {
      const socket = this.socket;
      const sending = this.queue.length > 0 || this.#sending > 0 || (socket?.writableLength ?? 0) > 0;
      // A TCP connection that is down will not come back before the deadline: nothing more can leave.
      const canSend = socket !== null && (this.connected || socket.connecting !== false);
      if (sending && canSend && Date.now() < deadline) {
        setTimeout(wait, 10);
        return;
      }
      if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
      if (socket !== null) {
        socket.removeAllListeners('close');
        if (socket.end) {
          socket.end();
          setTimeout(() => socket.destroy?.(), 1000).unref();
        } else {
          socket.close?.();
        }
      }
      this.socket = null;
      this.#resolveReleased();
    };
    wait();
  }
}
