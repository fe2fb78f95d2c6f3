/**
 * Prometheus metrics of the proxy, fed as a ProxyObserver, in a registry of their own (not
 * prom-client's global one, so two proxies or tests in one process never share counters).
 *
 * Every label value comes from a closed set: methods outside the RFC 3261 family are `other`,
 * status classes `1xx`-`6xx` (else `other`), finding codes and enums as the code defines them.
 * A hostile peer can send any method name or status; it cannot grow the number of series.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JudgedMessage } from '../policy/engine.js';
import type { Finding } from '../policy/finding.js';
import type { LimitName } from '../proxy/limits.js';
import type { ConnectionProblemKind, ProxyObserver } from '../proxy/observer.js';
import type { ProxyTransport } from '../proxy/settings.js';
import type { CallSummaryLine } from './live-calls.js';

/** Methods given their own label value (RFC 3261, 3262, 3311, 2976, 6665, 3515, 3428, 3903). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'UPDATE',
  'INFO',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'MESSAGE',
  'PUBLISH',
]);

/** Forwarding latency buckets, in seconds: 50 µs to 100 ms. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

export interface MetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC), prefixed `trunkguard_`. */
  readonly defaultMetrics: boolean;
}

/** The method label: RFC method names as written (methods are case-sensitive, §7.1), else `other`. */
export function methodLabel(method: string | null | undefined): string {
  return method != null && KNOWN_METHODS.has(method) ? method : 'other';
}

/** `2xx` for 200-299...; `other` outside 100-699. */
export function statusClassLabel(status: number | null): string {
  if (status === null || !Number.isInteger(status) || status < 100 || status > 699) return 'other';
  return `${Math.floor(status / 100)}xx`;
}

function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 699 ? String(status) : 'other';
}

export class Metrics implements ProxyObserver {
  readonly registry = new Registry();
  readonly #messages: Counter<'kind' | 'method' | 'status_class' | 'side'>;
  readonly #callsStarted: Counter;
  readonly #callsEnded: Counter<'ended' | 'verdict'>;
  readonly #findings: Counter<'code' | 'severity' | 'side'>;
  readonly #malformed: Counter<'side'>;
  readonly #dialogCalls: Gauge;
  readonly #dialogEvictions: Counter;
  readonly #dialogExpirations: Counter;
  readonly #latency: Histogram<'kind' | 'transport'>;
  readonly #tlsFailures: Counter;
  readonly #connectionProblems: Counter<'kind' | 'transport'>;
  readonly #answered: Counter<'status'>;
  readonly #limitHits: Counter<'limit'>;
  /** The totals the last sweep reported, to turn them into counter increments. */
  #evictionsSeen = 0;
  #expirationsSeen = 0;

  constructor(options: Partial<MetricsOptions> = {}) {
    const registers = [this.registry];
    this.#messages = new Counter({
      name: 'trunkguard_sip_messages_total',
      help: 'SIP messages judged, by kind, method (CSeq method for responses; "other" outside the RFC set), status class (responses) and the side that sent them.',
      labelNames: ['kind', 'method', 'status_class', 'side'],
      registers,
    });
    this.#callsStarted = new Counter({
      name: 'trunkguard_calls_started_total',
      help: 'Calls started (an INVITE with a Call-ID not seen before).',
      registers,
    });
    this.#callsEnded = new Counter({
      name: 'trunkguard_calls_ended_total',
      help: 'Calls ended, by how they ended (bye, failed, cancelled, timeout, evicted, shutdown) and their verdict.',
      labelNames: ['ended', 'verdict'],
      registers,
    });
    this.#findings = new Counter({
      name: 'trunkguard_findings_total',
      help: 'Findings, by code, severity and the side whose message it is about (egress findings included).',
      labelNames: ['code', 'severity', 'side'],
      registers,
    });
    this.#malformed = new Counter({
      name: 'trunkguard_malformed_messages_total',
      help: 'Bytes received that could not be read as a SIP message, by the side that sent them.',
      labelNames: ['side'],
      registers,
    });
    this.#dialogCalls = new Gauge({
      name: 'trunkguard_dialog_table_calls',
      help: 'Calls in the offer/answer dialog table at the last sweep.',
      registers,
    });
    this.#dialogEvictions = new Counter({
      name: 'trunkguard_dialog_table_evictions_total',
      help: 'Calls the dialog table dropped because it was full (proxy.dialogs.maxCalls).',
      registers,
    });
    this.#dialogExpirations = new Counter({
      name: 'trunkguard_dialog_table_expirations_total',
      help: 'Calls the dialog table dropped after proxy.dialogs.ttlSeconds without a message.',
      registers,
    });
    this.#latency = new Histogram({
      name: 'trunkguard_forwarding_latency_seconds',
      help: 'Time from a message arriving to it being sent on, by kind and outgoing transport.',
      labelNames: ['kind', 'transport'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.#tlsFailures = new Counter({
      name: 'trunkguard_tls_handshake_failures_total',
      help: 'TLS handshakes that failed (either direction).',
      registers,
    });
    this.#connectionProblems = new Counter({
      name: 'trunkguard_connection_problems_total',
      help: 'TCP/TLS connection problems, by kind (tls-handshake, connect, framing, other) and transport.',
      labelNames: ['kind', 'transport'],
      registers,
    });
    this.#answered = new Counter({
      name: 'trunkguard_answered_total',
      help: 'Requests the proxy answered itself (400, 482, 483, 488, 503...), by status.',
      labelNames: ['status'],
      registers,
    });
    this.#limitHits = new Counter({
      name: 'trunkguard_limit_hits_total',
      help: 'Resource limits hit (proxy.limits), by limit.',
      labelNames: ['limit'],
      registers,
    });
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'trunkguard_' });
  }

  /** The text exposition of every metric (what GET /metrics serves). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // ---- ProxyObserver ---------------------------------------------------------------------------

  judged(judged: JudgedMessage, egress: readonly Finding[], _forwarded: boolean): void {
    const message = judged.message;
    if (message === null) {
      this.#malformed.inc({ side: judged.side });
    } else if (message.kind === 'request') {
      this.#messages.inc({
        kind: 'request',
        method: methodLabel(message.method),
        status_class: '',
        side: judged.side,
      });
    } else {
      this.#messages.inc({
        kind: 'response',
        method: methodLabel(message.cseq?.method),
        status_class: statusClassLabel(message.status),
        side: judged.side,
      });
    }
    for (const finding of judged.findings) this.#finding(finding);
    for (const finding of egress) this.#finding(finding);
  }

  forwarded(kind: 'request' | 'response', transport: ProxyTransport, latencySeconds: number): void {
    if (Number.isFinite(latencySeconds) && latencySeconds >= 0)
      this.#latency.observe({ kind, transport }, latencySeconds);
  }

  answered(status: number): void {
    this.#answered.inc({ status: statusLabel(status) });
  }

  callStarted(_callId: string): void {
    this.#callsStarted.inc();
  }

  callEnded(summary: CallSummaryLine): void {
    this.#callsEnded.inc({ ended: summary.ended, verdict: summary.verdict });
  }

  connectionProblem(kind: ConnectionProblemKind, transport: 'tcp' | 'tls'): void {
    this.#connectionProblems.inc({ kind, transport });
    if (kind === 'tls-handshake') this.#tlsFailures.inc();
  }

  dialogTable(size: number, evictedTotal: number, expiredTotal: number): void {
    this.#dialogCalls.set(size);
    // The table reports totals since start; a counter only moves up by what is new.
    if (evictedTotal > this.#evictionsSeen) this.#dialogEvictions.inc(evictedTotal - this.#evictionsSeen);
    if (expiredTotal > this.#expirationsSeen)
      this.#dialogExpirations.inc(expiredTotal - this.#expirationsSeen);
    this.#evictionsSeen = Math.max(this.#evictionsSeen, evictedTotal);
    this.#expirationsSeen = Math.max(this.#expirationsSeen, expiredTotal);
  }

  limitHit(limit: LimitName, count = 1): void {
    this.#limitHits.inc({ limit }, count);
  }

  #finding(finding: Finding): void {
    this.#findings.inc({ code: finding.code, severity: finding.severity, side: finding.side });
  }
}
