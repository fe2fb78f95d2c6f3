/**
 * The inline proxy: receives on its listeners, forwards each message to the other side with
 * only our own edits spliced in at byte offsets, and hands every message to the judge.
 *
 * RFC 3261 §16 in the parts a trunk-facing proxy needs, statelessly (§16.11): requests are
 * validated (§16.3), our Via is pushed (§16.6 item 8), Max-Forwards decremented (item 3),
 * Record-Route inserted (item 4), our Route removed (§16.4); responses lose our Via (§16.7
 * item 3) and go back to where their request came from (RFC 3581). Retransmissions are
 * forwarded as they come, like Kamailio's stateless forward(): the end points' transactions
 * absorb them.
 *
 * Routing is static, as trunks are: requests from the customer side go to the carrier next
 * hop; requests from the carrier side go to the customer next hop, or, when none is set, where
 * their Route set or Request-URI points (§16.6 items 6-7). The Request-URI and the Route
 * headers that are not ours are passed on untouched.
 */

import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { type Severity, severityRank } from '../policy/codes.js';
import { Judge, type JudgedMessage } from '../policy/engine.js';
import type { Finding, Side } from '../policy/finding.js';
import { sideOf } from '../policy/side.js';
import { endpointFields } from '../report/ecs.js';
import { JudgementReporter } from '../report/judgement-reporter.js';
import { LimitHits } from '../report/limit-hits.js';
import { type LogBudget, lineBudget } from '../report/log-budget.js';
import { logEvent, type ProxyLogger } from '../report/logger.js';
import { readDatagram } from '../sip/datagram.js';
import { type Endpoint, type Envelope, formatEndpoint } from '../sip/envelope.js';
import { isoTime } from '../sip/iso-time.js';
import type { ReadResult, SipMessage } from '../sip/message.js';
import { parseSipUri, uriOfNameAddr } from '../sip/sip-uri.js';
import {
  applyEdits,
  type ByteEdit,
  insertHeaderLines,
  maxForwardsEdit,
  removeFirstValue,
  removeLeadingRoutes,
} from '../sip/splice.js';
import { parseVia } from '../sip/via.js';
import { loopPartOfBranch, ourBranch, tagOf } from './branch.js';
import { floodObservation } from './guard/flood-finding.js';
import type { Guard } from './guard/guard.js';
import { guardFor } from './guard/proxy-guard.js';
import type { RateTrip } from './guard/request-rate.js';
import { HostLookups, type LookupHost } from './host-lookups.js';
import { resolveNextHop, systemResolver } from './next-hop.js';
import type { ProxyObserver } from './observer.js';
import type { ReturnPath } from './return-path.js';
import type { ListenerSide, NextHopSettings, ProxySettings, ProxyTransport } from './settings.js';
import { PRODUCT, statelessResponse } from './stateless-response.js';
import { TransactionOrigins } from './transaction-origins.js';
import {
  type Connection,
  ConnectionPool,
  StreamListener,
  type TlsMaterial,
} from './transports/stream-transport.js';
import { UdpListener } from './transports/udp-listener.js';
import { answerUnreadable } from './unreadable-answer.js';

/** A next hop once resolved: an address to send to. */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly transport: ProxyTransport;
  readonly serverName: string | null;
}

export interface RunningListener {
  readonly index: number;
  readonly transport: ProxyTransport;
  readonly side: ListenerSide;
  readonly bound: Endpoint;
  /** What our Via and Record-Route say for this listener. */
  readonly advertised: Endpoint;
  readonly udp: UdpListener | null;
  readonly stream: StreamListener | null;
}

const SWEEP_INTERVAL_MS = 5000;

/** RFC 3261 §12.1 / RFC 6665 §4.3: the requests that can create a dialog, so get our Record-Route. */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY']);

/** What the proxy counts; the metrics endpoint (a later release) reads these. */
export interface ProxyCounters {
  received: number;
  forwarded: number;
  answered: number;
  dropped: number;
  findings: number;
  callsEnded: number;
}

export interface SipProxyOptions {
  /** Resolves next hops (tests inject one); default RFC 3263 over the system resolver. */
  readonly resolve?: (hop: NextHopSettings, label: 'carrier' | 'customer') => Promise<readonly Target[]>;
  /** Who watches the proxy: metrics, the recent-calls store, the negotiation log (observer.ts). */
  readonly observers?: readonly ProxyObserver[];
  /** How often idle calls are swept and table evictions logged; 5 s unless a test wants it sooner. */
  readonly sweepIntervalMs?: number;
  /** Looks up the host names requests are routed to without a customer next hop (tests inject one). */
  readonly lookupHost?: LookupHost;
}

export class SipProxy {
  readonly judge: Judge;
  readonly counters: ProxyCounters = {
    received: 0,
    forwarded: 0,
    answered: 0,
    dropped: 0,
    findings: 0,
    callsEnded: 0,
  };
  readonly #settings: ProxySettings;
  readonly #log: ProxyLogger;
  readonly #options: SipProxyOptions;
  readonly #origins = new TransactionOrigins();
  /** Route and Request-URI host names, looked up through a cache (host-lookups.ts). */
  readonly #hostLookups: HostLookups;
  readonly #reporter: JudgementReporter;
  /** Resource limits hit: counted for the metric, logged once per interval (proxy.limits.reportSeconds). */
  readonly limitHits: LimitHits;
  readonly #pool: ConnectionPool;
  /** Per-source request rate and blocked sources (proxy.limits.flood). */
  readonly #guard: Guard;
  /** Lines outsiders can cause at will (connection problems, blocks): a few per interval, then a count. */
  readonly #logBudget: LogBudget;
  /** The guard's forgotten sources already reported (its count is since start). */
  #forgottenReported = 0;
  /** The request that took its source over the rate, until it is reported with its request-flood finding. */
  readonly #floodTrips = new WeakMap<SipMessage, RateTrip>();
  readonly #listeners: RunningListener[] = [];
  /** `host:port` strings that name this proxy, for Route removal (§16.4). */
  readonly #ownAddresses = new Set<string>();
  #carrier: Target | null = null;
  #customer: Target | null = null;
  #messageIndex = 0;
  #sweepTimer: NodeJS.Timeout | null = null;
  #stopping = false;

  constructor(settings: ProxySettings, logger: ProxyLogger, options: SipProxyOptions = {}) {
    this.#settings = settings;
    this.#log = logger;
    this.#options = options;
    this.#hostLookups = new HostLookups(options.lookupHost ? { lookup: options.lookupHost } : {});
    this.judge = new Judge(settings.judge, {
      dialogs: { maxCalls: settings.dialogs.maxCalls, ttlMs: settings.dialogs.ttlSeconds * 1000 },
      crossCheckSdp: false,
      // A body past a message limit is forwarded as it is and judged as not modelled: count the hit.
      limits: settings.limits.message,
      onLimitHit: (hit, envelope) => this.limitHits.hit(hit.limit, hit.reason, formatEndpoint(envelope.src)),
    });
    this.limitHits = new LimitHits(logger, settings.limits.reportSeconds * 1000, options.observers ?? []);
    this.#logBudget = lineBudget(logger, settings.limits.reportSeconds * 1000);
    this.#guard = guardFor(settings, logger, this.#logBudget, (host) => this.#pool.closeFrom(host));
    this.#reporter = new JudgementReporter(
      this.judge,
      logger,
      options.observers ?? [],
      {
        maxCalls: settings.dialogs.maxCalls,
        idleMs: settings.dialogs.ttlSeconds * 1000,
        findingLogIntervalMs: settings.limits.reportSeconds * 1000,
      },
      this.counters,
    );
    this.#pool = new ConnectionPool(
      {
        onResult: (result, connection) => this.#onStreamResult(result, connection),
        onProblem: (what, remote, transport, kind) => {
          // Counted every time; logged within the budget (a peer can fail handshakes in a loop).
          this.#notify((observer) => observer.connectionProblem?.(kind, transport));
          if (!this.#logBudget.admit(`connection-problem ${kind}`)) return;
          logEvent(this.#log, 'info', 'connection-problem', what, {
            network: { transport },
            trunkguard: { kind, remote: formatEndpoint(remote) },
          });
        },
        onLimit: (limit, detail, remote) => this.limitHits.hit(limit, detail, formatEndpoint(remote)),
        isBlocked: (host) => this.#isBlocked(host),
      },
      settings.maxMessageBytes,
      null,
      { limits: settings.limits.connections, tls: settings.tls, messageLimits: settings.limits.message },
    );
  }

  get listeners(): readonly RunningListener[] {
    return this.#listeners;
  }

  /** Sources whose messages are being dropped (proxy.limits.flood.block). */
  get blockedSources(): number {
    return this.#guard.blockedSources;
  }

  /** Resolves the next hops, binds every listener, and logs one `listening` line each, then `ready`. */
  async start(tls: TlsMaterial | null): Promise<void> {
    const resolve = this.#options.resolve ?? defaultResolve;
    const carrier = firstTarget(await resolve(this.#settings.carrier, 'carrier'), this.#settings.carrier);
    // proxy.tls.serverName names the carrier's certificate when its host name does not (or it is an IP).
    this.#carrier = { ...carrier, serverName: this.#settings.tls.serverName ?? carrier.serverName };
    this.#customer = this.#settings.customer
      ? firstTarget(await resolve(this.#settings.customer, 'customer'), this.#settings.customer)
      : null;
    this.#guard.exemptions.addAddress(this.#carrier.host);
    if (this.#customer) this.#guard.exemptions.addAddress(this.#customer.host);
    this.#pool.setTls(tls);
    for (const [index, listener] of this.#settings.listeners.entries()) {
      let udp: UdpListener | null = null;
      let stream: StreamListener | null = null;
      let bound: Endpoint;
      if (listener.transport === 'udp') {
        udp = new UdpListener(
          listener.host,
          listener.port,
          (datagram) => this.#onDatagram(index, datagram.bytes, datagram.remote),
          (error) =>
            logEvent(this.#log, 'error', 'socket-error', `UDP socket: ${error.message}`, {
              network: { transport: 'udp' },
              error: { message: error.message, code: (error as NodeJS.ErrnoException).code ?? null },
            }),
        );
        bound = await udp.start();
      } else {
        stream = new StreamListener(listener.transport, listener.host, listener.port, this.#pool, tls);
        bound = await stream.start();
      }
      const advertised = {
        host: listener.advertise?.host ?? (isWildcard(bound.host) ? firstInterfaceAddress() : bound.host),
        port: listener.advertise?.port ?? bound.port,
      };
      this.#listeners.push({
        index,
        transport: listener.transport,
        side: listener.side,
        bound,
        advertised,
        udp,
        stream,
      });
      this.#ownAddresses.add(hostPortKey(advertised.host, advertised.port));
      if (!isWildcard(bound.host)) this.#ownAddresses.add(hostPortKey(bound.host, bound.port));
      logEvent(
        this.#log,
        'info',
        'listening',
        `listening on ${listener.transport} ${formatEndpoint(bound)}`,
        {
          network: { transport: listener.transport, protocol: 'sip' },
          server: { address: bound.host, port: bound.port },
          trunkguard: { side: listener.side, advertised: formatEndpoint(advertised) },
        },
      );
    }
    this.#checkTransportsServed();
    this.#sweepTimer = setInterval(() => this.#sweep(), this.#options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
    logEvent(this.#log, 'info', 'ready', 'ready', {
      trunkguard: {
        profile: this.#settings.judge.profile.name,
        carrier: describeTarget(this.#carrier),
        customer: this.#customer ? describeTarget(this.#customer) : null,
        record_route: this.#settings.recordRoute,
        enforce: this.#settings.enforce,
      },
    });
  }

  /** Every few seconds: idle calls summarized, the dialog table's evictions logged once. */
  #sweep(): void {
    this.#reporter.sweep(Date.now());
    this.#guard.sweep(Date.now());
    // flood.maxSources reached: the sources forgotten since the last sweep, counted and logged once.
    const forgotten = this.#guard.forgottenSources - this.#forgottenReported;
    if (forgotten > 0) {
      this.#forgottenReported += forgotten;
      this.limitHits.hit(
        'flood-sources',
        `${forgotten} sources forgotten by the request-rate table (flood.maxSources ${this.#settings.limits.flood.maxSources})`,
        null,
        forgotten,
      );
    }
    this.limitHits.flush();
    this.#logBudget.flush();
  }

  /** Stops accepting, closes every socket, and summarizes the calls still open. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    const closing: Promise<void>[] = [];
    for (const listener of this.#listeners) {
      if (listener.udp) closing.push(listener.udp.close());
      if (listener.stream) closing.push(listener.stream.close());
    }
    this.#pool.closeAll();
    await Promise.all(closing);
    this.#reporter.endAll();
    this.limitHits.flush(true);
    this.#logBudget.flush(true);
    logEvent(this.#log, 'info', 'stopped', 'stopped', { trunkguard: { ...this.counters } });
  }

  /**
   * A UDP next hop needs a UDP listener to send from. A TCP/TLS next hop opens its own
   * connections, but with Record-Route on, our Record-Route must name a socket of that transport:
   * in-dialog requests from that side come back to it (RFC 3261 §16.6 item 4: the URI "MUST"
   * resolve to this element), and Twilio's secure trunking sends its own INVITEs over TLS too.
   */
  #checkTransportsServed(): void {
    for (const [name, target] of [
      ['carrier', this.#carrier],
      ['customer', this.#customer],
    ] as const) {
      if (target === null || this.#listeners.some((l) => l.transport === target.transport)) continue;
      const transport = target.transport.toUpperCase();
      if (target.transport === 'udp')
        throw new Error(
          `the ${name} next hop ${describeTarget(target)} is UDP but no UDP listener is configured`,
        );
      if (this.#settings.recordRoute)
        throw new Error(
          `the ${name} next hop ${describeTarget(target)} is reached over ${transport} and Record-Route is on, ` +
            `but no ${transport} listener is configured for in-dialog requests to come back to: add one ` +
            `(e.g. --listen ${target.transport}:0.0.0.0:${target.transport === 'tls' ? '5061 --tls-cert FILE --tls-key FILE' : '5060'}) or use --no-record-route`,
        );
    }
  }

  // ---- arrival -------------------------------------------------------------------------------

  #onDatagram(listener: number, bytes: Buffer, remote: Endpoint): void {
    if (this.#droppedFromBlocked(remote)) return;
    const bound = this.#listeners[listener]?.bound ?? { host: '', port: 0 };
    const path: ReturnPath = {
      transport: 'udp',
      remote,
      local: bound,
      listener,
      connection: null,
      arrived: performance.now(),
    };
    const max = this.#settings.maxMessageBytes;
    let result: ReadResult;
    if (bytes.length > max) {
      // The same cap as on streams: a datagram over it is not read at all (RFC 3261 §21.5.7, 513).
      this.limitHits.hit(
        'message-bytes',
        `UDP datagram of ${bytes.length} bytes, over the ${max}-byte limit`,
        formatEndpoint(remote),
      );
      result = {
        ok: false,
        failure: 'too-large',
        reason: `datagram of ${bytes.length} bytes, over the ${max}-byte limit`,
        bytes,
      };
    } else {
      result = readDatagram(bytes, { limits: this.#settings.limits.message });
    }
    this.#safely(() => this.#onResult(result, path));
  }

  #onStreamResult(result: ReadResult, connection: Connection): void {
    if (this.#droppedFromBlocked(connection.remote)) return;
    const listener = this.#listeners.find(
      (l) => l.transport === connection.transport && l.bound.port === connection.local.port,
    );
    const path: ReturnPath = {
      transport: connection.transport,
      remote: connection.remote,
      local: connection.local,
      listener: listener?.index ?? -1,
      connection,
      arrived: performance.now(),
    };
    this.#safely(() => this.#onResult(result, path));
  }

  /** Nothing a message does may take the process down: a bug is logged with the message's reason. */
  #safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.counters.dropped++;
      logEvent(this.#log, 'error', 'internal-error', `internal error: ${String(error).slice(0, 300)}`);
    }
  }

  #onResult(result: ReadResult, path: ReturnPath): void {
    this.counters.received++;
    if (result.ok) {
      if (result.message.kind === 'request') {
        // Requests only count toward the source's rate: responses answer requests sent to it.
        const trip = this.#guard.request(path.remote.host, Date.now());
        if (trip !== null) this.#floodTrips.set(result.message, trip);
        this.#onRequest(result.message, path);
      } else this.#onResponse(result.message, path);
      return;
    }
    if (result.failure === 'keep-alive') return;
    if (result.failure === 'over-limit') {
      this.#onOverLimit(result, path);
      return;
    }
    // Unreadable: answered when it is a request we can answer, logged as malformed-message either way.
    const side = this.#sideOfArrival(path);
    const judged = this.judge.judgeUnreadable(
      result.reason,
      this.#envelope(path),
      this.#messageIndex++,
      side,
    );
    const answer = answerUnreadable(
      result.bytes,
      result.failure,
      result.reason,
      this.#settings.limits.message,
    );
    if (answer) this.#answer(answer, path);
    else this.counters.dropped++;
    this.#report(judged);
  }

  /**
   * A message past one of proxy.limits.message: counted (LimitHits), never one log line each. A
   * request with too many or too long header fields gets 513 Message Too Large (RFC 3261
   * §21.5.7) when it can be answered; one with too many Vias is dropped, since the answer would
   * copy every Via (§8.2.6.2) back to the sender; a response is dropped (§18.3).
   */
  #onOverLimit(result: ReadResult & { ok: false }, path: ReturnPath): void {
    const limits = this.#settings.limits.message;
    this.limitHits.hit(result.limit ?? 'headers', result.reason, formatEndpoint(path.remote));
    const answer =
      result.limit === 'vias' ? null : answerUnreadable(result.bytes, 'over-limit', result.reason, limits);
    if (answer) this.#answer(answer, path);
    else this.counters.dropped++;
  }

  // ---- requests ------------------------------------------------------------------------------

  #onRequest(request: SipMessage, path: ReturnPath): void {
    const side = this.#sideOfArrival(path);
    const envelope = this.#envelope(path);
    const isAck = request.method === 'ACK';
    const refuse = (status: number, reason: string, extraHeaders: readonly string[] = []) => {
      // RFC 3261 §17: an ACK is never answered.
      if (isAck) this.counters.dropped++;
      else this.#answer(statelessResponse(request, status, reason, { extraHeaders }), path);
    };

    // §16.3 item 1: "The request MUST be well-formed enough to be handled with a server transaction."
    const missing = missingRequiredHeader(request);
    if (missing !== null) {
      if (request.headerFields('via').length === 0)
        this.counters.dropped++; // nowhere to answer to
      else refuse(400, `Missing Required Header: ${missing}`);
      this.#report(this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
      return;
    }
    const fatal = fatalProblem(request);
    if (fatal !== null) {
      refuse(400, fatal);
      this.#report(this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
      return;
    }
    // §16.3 item 3: "If the request contains a Max-Forwards header field with a field value of
    // zero (0), the element MUST NOT forward the request." ... it returns 483 (Too many hops).
    const maxForwards = maxForwardsEdit(request);
    if (maxForwards.value === 0 || Number.isNaN(maxForwards.value)) {
      if (maxForwards.value === 0) refuse(483, 'Too Many Hops');
      else refuse(400, 'Bad Request (Max-Forwards is not a number)');
      this.#report(this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
      return;
    }
    const { branch, loopPart } = ourBranch(request);
    // §16.3 item 4: a request carrying our own Via with the same loop part has come back unchanged.
    if (this.#isLoop(request, loopPart)) {
      refuse(482, 'Loop Detected');
      this.#report(this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
      return;
    }

    const enforce = this.#settings.enforce;
    let judged: JudgedMessage | null = null;
    if (enforce !== null && !isAck) {
      // Enforce mode judges first: the verdict decides whether the offer is forwarded at all.
      judged = this.judge.judgeMessage(request, envelope, this.#messageIndex++, side);
      const blocking = blockingFindings(judged, enforce);
      if (blocking.length > 0) {
        // RFC 3261 §21.4.26 488 Not Acceptable Here, with a Warning (§20.43, code 399: miscellaneous).
        const codes = [...new Set(blocking.map((finding) => finding.code))].join(', ');
        refuse(488, 'Not Acceptable Here', [`Warning: 399 ${PRODUCT} "offer refused by policy: ${codes}"`]);
        logEvent(this.#log, 'warn', 'offer-refused', `offer refused with 488: ${codes}`, {
          sip: { call_id: request.callId },
          trunkguard: { codes: codes.split(', ') },
        });
        this.#report(judged);
        return;
      }
    }

    const proceed = (target: Target | null) => {
      if (target === null) {
        refuse(503, `Service Unavailable (no route for a request from the ${side} side: set proxy.customer)`);
        this.#report(judged ?? this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
        return;
      }
      const sent = this.#forwardRequest(
        request,
        path,
        side,
        target,
        branch,
        maxForwards.edit,
        envelope,
        judged,
      );
      this.#reporter.report(this.#guarded(sent.judged), sent.egress, true);
    };
    const route = this.#routeRequest(request, side);
    if (!(route instanceof Promise)) {
      proceed(route);
      return;
    }
    route.then(
      (target) => this.#safely(() => proceed(target)),
      (error: unknown) =>
        this.#safely(() => {
          refuse(503, `Service Unavailable (next hop: ${String(error).slice(0, 100)})`);
          this.#report(judged ?? this.judge.judgeMessage(request, envelope, this.#messageIndex++, side));
        }),
    );
  }

  #forwardRequest(
    request: SipMessage,
    path: ReturnPath,
    side: Side,
    target: Target,
    branch: string,
    maxForwardsEdit: ByteEdit | null,
    envelope: Envelope,
    judgedFirst: JudgedMessage | null,
  ): { judged: JudgedMessage; egress: readonly Finding[] } {
    const outListener = this.#listenerFor(target.transport, side === 'customer' ? 'carrier' : 'customer');
    const sentBy = this.#sentBy(outListener, target.transport);
    // §16.6 item 8: "The proxy MUST insert a Via header field value into the copy before the
    // existing Via header field values." rport: RFC 3581 §3; alias: RFC 5923 §5 (reuse this
    // connection for requests back to us).
    const params = target.transport === 'udp' ? ';rport' : outListener ? ';alias' : '';
    const via = `Via: SIP/2.0/${target.transport.toUpperCase()} ${sentBy};branch=${branch}${params}`;
    const edits: ByteEdit[] = [];
    if (maxForwardsEdit) edits.push(maxForwardsEdit);
    edits.push(...removeLeadingRoutes(request, (value) => this.#namesUs(value)));
    const recordRoutes = this.#recordRoutes(request, path, target, sentBy);
    if (recordRoutes.length > 0) edits.push(insertHeaderLines(request, 'record-route', recordRoutes));
    edits.push(insertHeaderLines(request, 'via', [via]));
    const bytes = applyEdits(request.bytes, edits);
    const isAck = request.method === 'ACK';
    if (!isAck) {
      this.#origins.remember(
        branch,
        request.cseq?.method ?? request.method ?? '',
        { path, side },
        Date.now(),
      );
    }
    // RFC 3261 §16.9: a transport error toward the next hop is treated as a 503 from it; the
    // stateless proxy answers it itself (an ACK is never answered). Only a TCP/TLS send reports
    // one: no closure is made per UDP request.
    const onUnsent =
      isAck || target.transport === 'udp'
        ? undefined
        : () =>
            this.#safely(() =>
              this.#answer(
                statelessResponse(
                  request,
                  503,
                  `Service Unavailable (next hop ${describeTarget(target)} unreachable)`,
                ),
                path,
              ),
            );
    this.#send(bytes, target, outListener, onUnsent);
    this.#forwarded('request', target.transport, path);
    const egress: Envelope = {
      transport: target.transport,
      src: outListener?.advertised ?? envelope.dst,
      dst: { host: target.host, port: target.port },
      time: envelope.time,
    };
    const judged = judgedFirst ?? this.judge.judgeMessage(request, envelope, this.#messageIndex++, side);
    return { judged, egress: this.judge.judgeEgress(judged, egress) };
  }

  /** Where a request goes; a promise only when a host name must be looked up first. */
  #routeRequest(request: SipMessage, side: Side): Target | null | Promise<Target | null> {
    if (side === 'customer') return this.#carrier;
    if (this.#customer) return this.#customer;
    // No customer next hop: §16.6 item 6-7, the next Route that is not ours, else the Request-URI.
    const routes = request.headerValues('route').filter((value) => !this.#namesUs(value));
    const uri = parseSipUri(routes.length > 0 ? uriOfNameAddr(routes[0] ?? '') : (request.requestUri ?? ''));
    if (uri === null) return null;
    const transport = transportOf(uri.transport, uri.scheme);
    const port = uri.port ?? (transport === 'tls' ? 5061 : 5060);
    if (isIP(uri.host)) return { host: uri.host, port, transport, serverName: null };
    return this.#hostLookups
      .address(uri.host)
      .then((address) => ({ host: address, port, transport, serverName: uri.host }));
  }

  /**
   * §16.6 item 4: "The proxy MUST insert the Record-Route header field value in the copy before
   * any existing Record-Route header field values." Only initial requests that can create a
   * dialog get one. RFC 5658 §4: when the request leaves on another transport or interface than
   * it came in on, two values: the top one faces the next hop (the callee's route set starts
   * there), the second faces where the request came from (the caller reverses the list).
   */
  #recordRoutes(request: SipMessage, path: ReturnPath, target: Target, sentBy: string): string[] {
    if (!this.#settings.recordRoute || !DIALOG_CREATING.has(request.method ?? '')) return [];
    if (tagOf(request.header('to') ?? '') !== '') return []; // in-dialog: the route set is fixed (§12.2)
    const outward = `<sip:${sentBy};transport=${target.transport};lr>`;
    const inListener = this.#listeners[path.listener];
    const inSentBy = inListener ? formatEndpoint(inListener.advertised) : formatEndpoint(path.local);
    const inward = `<sip:${inSentBy};transport=${path.transport};lr>`;
    return outward === inward
      ? [`Record-Route: ${outward}`]
      : [`Record-Route: ${outward}`, `Record-Route: ${inward}`];
  }

  /** The listener to send from (UDP) or name in our Via: one of that transport facing `side`, else any. */
  #listenerFor(transport: ProxyTransport, side: Side): RunningListener | null {
    let any: RunningListener | null = null;
    for (const listener of this.#listeners) {
      if (listener.transport !== transport) continue;
      if (listener.side === side) return listener;
      any ??= listener;
    }
    return any;
  }

  /** Our sent-by for a transport: its listener's address, or (no listener of it) our first address with the default port. */
  #sentBy(listener: RunningListener | null, transport: ProxyTransport): string {
    if (listener) return formatEndpoint(listener.advertised);
    const host = this.#listeners[0]?.advertised.host ?? '127.0.0.1';
    return formatEndpoint({ host, port: transport === 'tls' ? 5061 : 5060 });
  }

  /** §16.4: "If the first value in the Route header field indicates this proxy, the proxy MUST remove that value". */
  #namesUs(routeValue: string): boolean {
    const uri = parseSipUri(uriOfNameAddr(routeValue));
    if (uri === null) return false;
    const port = uri.port ?? (uri.scheme === 'sips' || uri.transport === 'tls' ? 5061 : 5060);
    return this.#ownAddresses.has(hostPortKey(uri.host, port));
  }

  #isLoop(request: SipMessage, loopPart: string): boolean {
    for (const value of request.headerValues('via')) {
      const via = parseVia(value).via;
      if (via === null || loopPartOfBranch(via.branch) !== loopPart) continue;
      const port = via.port ?? (via.transport === 'TLS' ? 5061 : 5060);
      if (this.#ownAddresses.has(hostPortKey(stripBrackets(via.host), port))) return true;
    }
    return false;
  }

  // ---- responses -----------------------------------------------------------------------------

  #onResponse(response: SipMessage, path: ReturnPath): void {
    const envelope = this.#envelope(path);
    const top = response.topVia;
    const method = response.cseq?.method ?? '';
    // §16.7 item 3: "The proxy removes the topmost Via header field value from the response. If no
    // Via header field values remain in the response, the response was meant for this element".
    const branch = top !== null && loopPartOfBranch(top.branch) !== null ? top.branch : null;
    const origin = branch !== null ? this.#origins.originOf(branch, method, Date.now()) : undefined;
    // Ours: our branch, and a transaction we remember or a sent-by naming us (the nominal sent-by
    // of a transport we have no listener for is known only through the transaction).
    const ours =
      top !== null &&
      branch !== null &&
      (origin !== undefined || this.#viaNamesUs(top.host, top.port, top.transport));
    const removal = ours ? removeFirstValue(response, 'via') : null;
    const side = origin ? opposite(origin.side) : this.#sideOfArrival(path);
    const judged = this.judge.judgeMessage(response, envelope, this.#messageIndex++, side);
    if (removal === null) {
      this.counters.dropped++;
      logEvent(this.#log, 'info', 'dropped', 'response dropped: its top Via is not ours', {
        sip: { call_id: response.callId, status_code: response.status },
        source: endpointFields(formatEndpoint(path.remote)),
      });
      this.#report(judged);
      return;
    }
    const bytes = applyEdits(response.bytes, [removal.edit]);
    let sent = false;
    if (origin) {
      this.#sendBack(bytes, origin.path);
      this.#forwarded('response', origin.path.transport, path);
      sent = true;
    } else {
      // The transaction is unknown (expired, or we restarted): RFC 3261 §18.2.2 by the next Via.
      const next = parseVia(response.headerValues('via')[1] ?? '').via;
      const target = next ? viaTarget(next) : null;
      if (target === null) {
        this.counters.dropped++;
        logEvent(this.#log, 'info', 'dropped', 'response dropped: no Via below ours to send it to', {
          sip: { call_id: response.callId, status_code: response.status },
        });
      } else {
        this.#send(bytes, target, this.#listenerFor(target.transport, side));
        this.#forwarded('response', target.transport, path);
        sent = true;
      }
    }
    this.#report(judged, sent);
  }

  #viaNamesUs(host: string, port: number | null, transport: string): boolean {
    const effective = port ?? (transport === 'TLS' ? 5061 : 5060);
    return this.#ownAddresses.has(hostPortKey(stripBrackets(host), effective));
  }

  // ---- sending -------------------------------------------------------------------------------

  /** `onUnsent`: the bytes could not be delivered to a TCP/TLS next hop (refused, handshake failed). */
  #send(bytes: Buffer, target: Target, listener: RunningListener | null, onUnsent?: () => void): void {
    if (target.transport === 'udp') {
      const udp = listener?.udp ?? this.#listeners.find((l) => l.udp !== null)?.udp;
      udp?.send(bytes, target);
      return;
    }
    this.#pool.connectionTo(target.transport, target, target.serverName).write(bytes, onUnsent);
  }

  /** A response or our own answer, back the way the request came (RFC 3581, RFC 3261 §18.2.2). */
  #sendBack(bytes: Buffer, path: ReturnPath): void {
    if (path.transport === 'udp') {
      const udp = this.#listeners[path.listener]?.udp;
      udp?.send(bytes, path.remote);
      return;
    }
    const connection = path.connection?.open
      ? path.connection
      : this.#pool.connectionTo(path.transport, path.remote, null);
    connection.write(bytes);
  }

  /** Our own answer (built by us: the status code is bytes 8-10 of its status line). */
  #answer(bytes: Buffer, path: ReturnPath): void {
    this.counters.answered++;
    this.#sendBack(bytes, path);
    const status = Number(bytes.toString('latin1', 8, 11));
    this.#notify((observer) => observer.answered?.(status));
  }

  #forwarded(kind: 'request' | 'response', transport: ProxyTransport, arrival: ReturnPath): void {
    this.counters.forwarded++;
    const latency = (performance.now() - arrival.arrived) / 1000;
    this.#notify((observer) => observer.forwarded?.(kind, transport, latency));
  }

  #notify(call: (observer: ProxyObserver) => void): void {
    this.#reporter.notify(call);
  }

  // ---- reporting -----------------------------------------------------------------------------

  /** A message that was answered, dropped or (`forwarded`) sent on without a leg of its own to judge. */
  #report(judged: JudgedMessage, forwarded = false): void {
    this.#reporter.report(this.#guarded(judged), [], forwarded);
  }

  /** The guard's part of a judged message: its request-flood finding, and a scanner's source blocked. */
  #guarded(judged: JudgedMessage): JudgedMessage {
    if (judged.findings.some((finding) => finding.code === 'scanner-user-agent'))
      this.#guard.scanner(judged.envelope.src.host, Date.now());
    const trip = judged.message ? this.#floodTrips.get(judged.message) : undefined;
    if (trip === undefined || judged.message === null) return judged;
    this.#floodTrips.delete(judged.message);
    this.limitHits.hit(
      'request-flood',
      `${trip.requests} requests in ${trip.windowSeconds} s`,
      formatEndpoint(judged.envelope.src),
    );
    const flood = this.judge.findingOn(judged, floodObservation(trip, judged.envelope.src.host));
    return { ...judged, findings: [...judged.findings, flood] };
  }

  /**
   * The first thing on the arrival path: a message from a blocked source is not read, answered or
   * judged, only counted (limit blocked-source: logged once per interval, never per packet).
   */
  #droppedFromBlocked(remote: Endpoint): boolean {
    if (!this.#isBlocked(remote.host)) return false;
    this.counters.dropped++;
    this.limitHits.hit('blocked-source', 'message from a blocked source dropped unread', remote.host);
    return true;
  }

  /** Whether `host` is blocked now (flood.block); no clock read while nothing is blocked (nearly always). */
  #isBlocked(host: string): boolean {
    return this.#guard.blockedSources > 0 && this.#guard.drops(host, Date.now());
  }

  /**
   * Which side sent a message: the listener's when it faces one side; else the next hop it came
   * from (address and port), the carrier profile's signaling ranges or configured carrier peers;
   * else the customer side.
   */
  #sideOfArrival(path: ReturnPath): Side {
    const listenerSide = this.#listeners[path.listener]?.side;
    if (listenerSide === 'carrier' || listenerSide === 'customer') return listenerSide;
    if (this.#carrier && sameEndpoint(path.remote, this.#carrier)) return 'carrier';
    if (this.#customer && sameEndpoint(path.remote, this.#customer)) return 'customer';
    return sideOf(path.remote, this.#settings.judge);
  }

  #envelope(path: ReturnPath): Envelope {
    return { transport: path.transport, src: path.remote, dst: path.local, time: isoTime() };
  }
}

// ---- helpers -----------------------------------------------------------------------------------

/** RFC 3261 §8.1.1: the header fields every request needs to be handled as a transaction. */
function missingRequiredHeader(request: SipMessage): string | null {
  if (request.headerFields('via').length === 0) return 'Via';
  if (request.header('to') === undefined) return 'To';
  if (request.header('from') === undefined) return 'From';
  if (!request.callId) return 'Call-ID';
  if (!request.cseq) return 'CSeq';
  return null;
}

/**
 * Reader problems a request is refused for rather than forwarded: a body shorter than its
 * Content-Length (RFC 3261 §18.3: "the element SHOULD generate a 400 (Bad Request) response") and
 * conflicting Content-Lengths (RFC 4475 §3.3.9: where the body ends cannot be known).
 */
function fatalProblem(request: SipMessage): string | null {
  for (const problem of request.problems) {
    if (problem.code === 'duplicate-content-length')
      return 'Bad Request (conflicting Content-Length headers)';
    if (problem.code === 'content-length-mismatch' && /only \d+ bytes follow/.test(problem.reason))
      return 'Bad Request (body shorter than Content-Length)';
  }
  return null;
}

/** Enforce mode: the findings on an offer at or above the threshold. */
function blockingFindings(judged: JudgedMessage, threshold: Severity): Finding[] {
  if (!judged.sdps.some((sdp) => sdp.role === 'offer')) return [];
  return judged.findings.filter((finding) => severityRank(finding.severity) >= severityRank(threshold));
}

function firstTarget(targets: readonly Target[], hop: NextHopSettings): Target {
  const first = targets[0];
  if (first === undefined) throw new Error(`next hop "${hop.text}" resolved to no address`);
  return first;
}

async function defaultResolve(
  hop: NextHopSettings,
  label: 'carrier' | 'customer',
): Promise<readonly Target[]> {
  return resolveNextHop(hop, systemResolver, label);
}

function describeTarget(target: Target): string {
  return `${formatEndpoint(target)};transport=${target.transport}${target.serverName ? ` (${target.serverName})` : ''}`;
}

function hostPortKey(host: string, port: number): string {
  return `${host.toLowerCase()}|${port}`;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && a.host === b.host;
}

function opposite(side: Side): Side {
  return side === 'carrier' ? 'customer' : 'carrier';
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function transportOf(param: string | null, scheme: 'sip' | 'sips'): ProxyTransport {
  if (param === 'tcp' || param === 'tls' || param === 'udp') return param;
  return scheme === 'sips' ? 'tls' : 'udp';
}

/** RFC 3261 §18.2.2 / RFC 3581 §4: received and rport when the Via has them, else sent-by. */
function viaTarget(via: ReturnType<typeof parseVia>['via'] & object): Target | null {
  const transport = via.transport.toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') return null;
  const host = stripBrackets(via.received ?? via.host);
  const port = typeof via.rport === 'number' ? via.rport : (via.port ?? (transport === 'tls' ? 5061 : 5060));
  if (!isIP(host)) return null;
  return { host, port, transport, serverName: null };
}

/** For a wildcard listener: the first external IPv4 address, else loopback. */
function firstInterfaceAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}
