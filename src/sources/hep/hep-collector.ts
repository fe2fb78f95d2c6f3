/**
 * The HEP collector: takes HEPv3 packets from capture agents (a UDP socket, and/or a TCP server
 * where each connection is a stream of HEP3 packets framed by their own length) and feeds the SIP
 * payloads to the judge, as the proxy does with what it forwards: findings logged, calls tracked
 * (LiveCalls, one summary line per call), every observer (metrics, recent calls behind the API,
 * negotiation log) told.
 *
 * The envelope comes from the HEP header: addresses and ports from chunks 3-8, time from 9/10,
 * transport from chunk 2 (17: udp, 6: tcp). HEP has no TLS flag: an SBC mirrors decrypted TLS
 * as IP protocol 6, so a TCP payload is taken as `tls` when its top Via's sent-protocol is TLS,
 * or when either port is 5061 (RFC 3261 §26.2's SIPS port). The side is the judge's: the source
 * address against the profile's signaling ranges and carrierPeers (a collector has no next hops).
 *
 * Only payload type 1 (SIP) is judged; other types (RTCP reports, logs...) are counted. Bad
 * packets never stop the collector and never log a line each: they are counted, and one line per
 * interval says how many and the last reason.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP, createServer as netServer, type Server, type Socket as TcpSocket } from 'node:net';
import { Judge, type JudgedMessage } from '../../policy/engine.js';
import type { JudgeConfig } from '../../policy/profile.js';
import { DEFAULT_LIMITS, type LimitSettings } from '../../proxy/limits.js';
import type { ProxyObserver } from '../../proxy/observer.js';
import { SocketCounts } from '../../proxy/transports/socket-counts.js';
import { JudgementReporter } from '../../report/judgement-reporter.js';
import { LimitHits } from '../../report/limit-hits.js';
import { logEvent, type ProxyLogger } from '../../report/logger.js';
import { type Endpoint, type Envelope, formatEndpoint, type Transport } from '../../sip/envelope.js';
import { isoTime } from '../../sip/iso-time.js';
import { readMessageBytes } from '../../sip/read-message.js';
import { parseVia } from '../../sip/via.js';
import {
  decodeHep3,
  HEP_PROTOCOL_SIP,
  Hep3StreamFramer,
  type HepPacket,
  IP_PROTOCOL_TCP,
  isHepError,
} from './hep3-decode.js';

export type HepTransport = 'udp' | 'tcp';

export interface HepListen {
  readonly transport: HepTransport;
  readonly host: string;
  readonly port: number;
}

/** HEP's registered port (IANA: 9060 is unassigned, but every agent and Homer default to it). */
export const DEFAULT_HEP_PORT = 9060;

export interface HepCollectorOptions {
  readonly judge: JudgeConfig;
  readonly logger: ProxyLogger;
  readonly observers?: readonly ProxyObserver[];
  readonly dialogs: { readonly maxCalls: number; readonly ttlSeconds: number };
  /** How often idle calls are summarized and bad packets reported; 5 s by default. */
  readonly sweepIntervalMs?: number;
  /** `proxy.limits`: the message limits payloads are read and judged under; the defaults when absent. */
  readonly limits?: LimitSettings;
}

export interface HepCounters {
  /** HEP packets received (well formed or not). */
  received: number;
  /** SIP payloads judged. */
  sip: number;
  /** Packets of another payload type (not SIP), or without a payload. */
  skipped: number;
  /** Packets that could not be read (and TCP streams that lost their framing). */
  malformed: number;
  findings: number;
  callsEnded: number;
}

export interface RunningHepListener {
  readonly transport: HepTransport;
  /** Shown by the API as a listener; a collector has no side of its own. */
  readonly side: 'auto';
  readonly bound: Endpoint;
  readonly advertised: Endpoint;
}

const SWEEP_INTERVAL_MS = 5000;
const TLS_PORT = 5061;

export class HepCollector {
  readonly judge: Judge;
  /** Message limits hit by SIP payloads: counted for the metric, logged once per interval, as the proxy does. */
  readonly limitHits: LimitHits;
  readonly counters: HepCounters = {
    received: 0,
    sip: 0,
    skipped: 0,
    malformed: 0,
    findings: 0,
    callsEnded: 0,
  };
  readonly #options: HepCollectorOptions;
  readonly #limits: LimitSettings;
  readonly #log: ProxyLogger;
  readonly #reporter: JudgementReporter;
  readonly #listeners: RunningHepListener[] = [];
  readonly #udp: Socket[] = [];
  readonly #tcp: Server[] = [];
  readonly #connections = new Set<TcpSocket>();
  /** Agents' TCP sockets, in all and per address, against proxy.limits.connections. */
  readonly #tcpCounts: SocketCounts;
  #messageIndex = 0;
  #sweepTimer: NodeJS.Timeout | null = null;
  #reportedMalformed = 0;
  #lastProblem: { reason: string; from: string } | null = null;

  constructor(options: HepCollectorOptions) {
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#tcpCounts = new SocketCounts(this.#limits.connections);
    this.#log = options.logger;
    this.judge = new Judge(options.judge, {
      dialogs: { maxCalls: options.dialogs.maxCalls, ttlMs: options.dialogs.ttlSeconds * 1000 },
      // Off the forwarding path, like `check`: every SDP is also read by sdp-transform, and where
      // the two readings differ is a finding (the same findings `check` gives for the same trace).
      crossCheckSdp: true,
      limits: this.#limits.message,
      onLimitHit: (hit, envelope) => this.limitHits.hit(hit.limit, hit.reason, formatEndpoint(envelope.src)),
    });
    this.limitHits = new LimitHits(
      options.logger,
      this.#limits.reportSeconds * 1000,
      options.observers ?? [],
    );
    this.#reporter = new JudgementReporter(
      this.judge,
      options.logger,
      options.observers ?? [],
      {
        maxCalls: options.dialogs.maxCalls,
        idleMs: options.dialogs.ttlSeconds * 1000,
        findingLogIntervalMs: this.#limits.reportSeconds * 1000,
      },
      this.counters,
    );
  }

  get listeners(): readonly RunningHepListener[] {
    return this.#listeners;
  }

  /** Binds every listener (one `listening` line each), starts the sweep, then logs `ready`. */
  async start(listen: readonly HepListen[]): Promise<void> {
    for (const spec of listen) {
      const bound = spec.transport === 'udp' ? await this.#bindUdp(spec) : await this.#listenTcp(spec);
      this.#listeners.push({ transport: spec.transport, side: 'auto', bound, advertised: bound });
      logEvent(
        this.#log,
        'info',
        'listening',
        `HEP collector on ${spec.transport} ${formatEndpoint(bound)}`,
        {
          network: { transport: spec.transport, protocol: 'hep' },
          server: { address: bound.host, port: bound.port },
        },
      );
    }
    this.#sweepTimer = setInterval(() => this.sweep(), this.#options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    logEvent(this.#log, 'info', 'ready', 'ready', {
      trunkguard: { profile: this.#options.judge.profile.name, mode: 'hep' },
    });
  }

  /** Closes every socket, reports what is pending, and summarizes the calls still open. */
  async stop(): Promise<void> {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = null;
    for (const socket of this.#udp) socket.close();
    this.#udp.length = 0;
    for (const connection of this.#connections) connection.destroy();
    this.#connections.clear();
    await Promise.all(
      this.#tcp.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.#tcp.length = 0;
    this.#reportMalformed();
    this.limitHits.flush(true);
    this.#reporter.endAll();
  }

  /** Summarizes idle calls and logs bad packets seen since the last sweep (one line). */
  sweep(): void {
    this.#reporter.sweep(Date.now());
    this.#reportMalformed();
    this.limitHits.flush();
  }

  /** One HEP packet (a datagram, or a frame cut from a TCP stream). Never throws. */
  onPacket(bytes: Buffer, from: Endpoint): void {
    this.counters.received++;
    try {
      const packet = decodeHep3(bytes);
      if (isHepError(packet)) {
        this.#malformed(packet.error, from);
        return;
      }
      this.#onDecoded(packet, from);
    } catch (error) {
      logEvent(this.#log, 'error', 'internal-error', `internal error: ${String(error).slice(0, 300)}`);
    }
  }

  #onDecoded(packet: HepPacket, from: Endpoint): void {
    if (packet.protocolType !== HEP_PROTOCOL_SIP || packet.payload === null) {
      this.counters.skipped++;
      return;
    }
    if (
      packet.srcHost === null ||
      packet.dstHost === null ||
      packet.srcPort === null ||
      packet.dstPort === null
    ) {
      this.#malformed('a SIP packet without source and destination addresses and ports', from);
      return;
    }
    const stream = packet.ipProtocol === IP_PROTOCOL_TCP;
    const src = { host: packet.srcHost, port: packet.srcPort };
    const dst = { host: packet.dstHost, port: packet.dstPort };
    // TCP: each HEP packet holds one whole message, read as a stream record (Content-Length required).
    const result = readMessageBytes(packet.payload, stream ? 'tcp' : 'udp', { limits: this.#limits.message });
    if (!result.ok && result.failure === 'keep-alive') return;
    if (!result.ok && result.failure === 'over-limit') {
      // As on the proxy: counted, not judged (one finding per packet would let a sender write the log).
      this.limitHits.hit(result.limit ?? 'headers', result.reason, formatEndpoint(src));
      return;
    }
    let transport: Transport = stream ? 'tcp' : 'udp';
    if (stream) {
      const via = result.ok ? result.message.headerValues('via')[0] : undefined;
      const viaTransport = via === undefined ? null : (parseVia(via).via?.transport ?? null);
      if (viaTransport === 'TLS' || src.port === TLS_PORT || dst.port === TLS_PORT) transport = 'tls';
    }
    const envelope: Envelope = {
      transport,
      src,
      dst,
      time: isoTime(packet.timeMs ?? Date.now()),
    };
    this.counters.sip++;
    const index = this.#messageIndex++;
    this.#report(
      result.ok
        ? this.judge.judgeMessage(result.message, envelope, index)
        : this.judge.judgeUnreadable(result.reason, envelope, index),
    );
  }

  #report(judged: JudgedMessage): void {
    this.#reporter.report(judged);
  }

  #malformed(reason: string, from: Endpoint): void {
    this.counters.malformed++;
    this.#lastProblem = { reason, from: formatEndpoint(from) };
  }

  #reportMalformed(): void {
    const count = this.counters.malformed - this.#reportedMalformed;
    if (count === 0) return;
    this.#reportedMalformed = this.counters.malformed;
    const last = this.#lastProblem;
    logEvent(
      this.#log,
      'warn',
      'hep-malformed',
      `${count} HEP packets could not be read; the last from ${last?.from}: ${last?.reason}`,
      {
        trunkguard: {
          count,
          total: this.counters.malformed,
          last_reason: last?.reason,
          last_from: last?.from,
        },
      },
    );
  }

  #bindUdp(spec: HepListen): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIP(spec.host) === 6 ? 'udp6' : 'udp4' });
      socket.once('error', reject);
      socket.on('message', (bytes, remote) =>
        this.onPacket(bytes, { host: remote.address, port: remote.port }),
      );
      socket.bind({ address: spec.host, port: spec.port, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', (error) =>
          logEvent(this.#log, 'error', 'socket-error', `HEP UDP socket: ${error.message}`, {
            network: { transport: 'udp' },
          }),
        );
        this.#udp.push(socket);
        const address = socket.address();
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /**
   * HEP over TCP from capture agents, under proxy.limits.connections as the proxy's own TCP: at
   * most `max` connections at once and `perSource` from one address over all TCP listeners (a new
   * one over either is closed at once), and an agent silent for `idleSeconds` is closed (agents
   * reconnect; a half-open connection must not stay forever).
   */
  #listenTcp(spec: HepListen): Promise<Endpoint> {
    const { idleSeconds } = this.#limits.connections;
    return new Promise((resolve, reject) => {
      const server = netServer((connection) => {
        const from = { host: connection.remoteAddress ?? '?', port: connection.remotePort ?? 0 };
        const refusal = this.#tcpCounts.admit(connection);
        if (refusal !== null) {
          this.limitHits.hit(
            refusal.limit,
            `refused a HEP connection: ${refusal.detail}`,
            formatEndpoint(from),
          );
          connection.destroy();
          return;
        }
        this.#connections.add(connection);
        connection.setTimeout(idleSeconds * 1000, () => {
          this.limitHits.hit(
            'connection-idle',
            `closed a HEP connection silent for ${idleSeconds} s`,
            formatEndpoint(from),
          );
          connection.destroy();
        });
        const framer = new Hep3StreamFramer();
        connection.on('data', (data: Buffer) => {
          for (const packet of framer.push(data)) this.onPacket(packet, from);
          if (framer.failed !== null) {
            this.counters.received++;
            this.#malformed(`TCP stream closed: ${framer.failed}`, from);
            connection.destroy();
          }
        });
        connection.on('error', () => undefined);
        connection.on('close', () => this.#connections.delete(connection));
      });
      server.once('error', reject);
      server.listen({ host: spec.host, port: spec.port, exclusive: true }, () => {
        server.off('error', reject);
        this.#tcp.push(server);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the TCP server has no address'));
          return;
        }
        resolve({ host: address.address, port: address.port });
      });
    });
  }
}
