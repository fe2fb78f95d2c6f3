/**
 * What happens to every judged message, whichever source judged it (the proxy, the HEP
 * collector): each finding is logged, the call is tracked (one summary line when it ends), and
 * every observer (metrics, the recent-calls store, media endpoints, the negotiation log) is told.
 * On each sweep, idle calls are summarized and what the dialog table dropped since the last
 * sweep is logged once (one line per interval, never one per call or packet). Findings a source
 * can raise per packet without a call (garbage, scanners) are logged once per source per interval
 * and counted (FindingLogThrottle); every other finding is logged as it comes.
 */
import type { Judge, JudgedMessage } from '../policy/engine.js';
import type { Finding } from '../policy/finding.js';
import type { ProxyObserver } from '../proxy/observer.js';
import { FindingLogThrottle } from './finding-log-throttle.js';
import { type CallSummaryLine, LiveCalls } from './live-calls.js';
import { logCallSummary, logEvent, logFinding, type ProxyLogger } from './logger.js';

/** The counts a source exposes (its `counters`) that reporting moves. */
export interface ReportCounters {
  findings: number;
  callsEnded: number;
}

export interface ReporterOptions {
  /** Calls tracked at once and how long one may stay quiet (the dialog table's own limits). */
  readonly maxCalls: number;
  readonly idleMs: number;
  /** Per-packet findings (FindingLogThrottle) are logged once per source per this interval; default 10 s. */
  readonly findingLogIntervalMs?: number;
}

export class JudgementReporter {
  readonly #judge: Judge;
  readonly #log: ProxyLogger;
  readonly #observers: readonly ProxyObserver[];
  readonly #counters: ReportCounters;
  readonly #maxCalls: number;
  readonly #calls: LiveCalls;
  readonly #throttle: FindingLogThrottle;
  #reportedEvictions = 0;
  #reportedExpirations = 0;

  constructor(
    judge: Judge,
    logger: ProxyLogger,
    observers: readonly ProxyObserver[],
    options: ReporterOptions,
    counters: ReportCounters,
  ) {
    this.#judge = judge;
    this.#log = logger;
    this.#observers = observers;
    this.#counters = counters;
    this.#maxCalls = options.maxCalls;
    this.#throttle = new FindingLogThrottle(logger, options.findingLogIntervalMs ?? 10_000);
    this.#calls = new LiveCalls(
      { maxCalls: options.maxCalls, idleMs: options.idleMs, failOn: 'high' },
      (summary) => this.#callEnded(summary),
      (callId) => this.notify((observer) => observer.callStarted?.(callId)),
    );
  }

  /** `egress`: findings judged again for the leg the message left on; `forwarded`: it was sent on. */
  report(judged: JudgedMessage, egress: readonly Finding[] = [], forwarded = false): void {
    for (const finding of judged.findings) this.#logFinding(finding);
    for (const finding of egress) this.#logFinding(finding);
    this.#calls.record(judged, Date.now());
    this.notify((observer) => observer.judged?.(judged, egress, forwarded));
  }

  /** Calls every observer; one that throws is logged and does not stop the others or the source. */
  notify(call: (observer: ProxyObserver) => void): void {
    for (const observer of this.#observers) {
      try {
        call(observer);
      } catch (error) {
        logEvent(this.#log, 'error', 'internal-error', `observer failed: ${String(error).slice(0, 300)}`);
      }
    }
  }

  sweep(now: number): void {
    this.#calls.sweep(now);
    this.#throttle.flush();
    const table = this.#judge.dialogs;
    this.notify((observer) => observer.dialogTable?.(table.size, table.evictions, table.expirations));
    const evicted = table.evictions - this.#reportedEvictions;
    const expired = table.expirations - this.#reportedExpirations;
    if (evicted === 0 && expired === 0) return;
    this.#reportedEvictions = table.evictions;
    this.#reportedExpirations = table.expirations;
    const message = `dialog table: ${evicted} calls evicted (cap ${this.#maxCalls}), ${expired} expired`;
    logEvent(this.#log, evicted > 0 ? 'warn' : 'info', 'dialog-table', message, {
      trunkguard: {
        size: table.size,
        evicted,
        expired,
        evicted_total: table.evictions,
        expired_total: table.expirations,
      },
    });
  }

  /** The source is stopping: a summary line for every call still open. */
  endAll(): void {
    this.#calls.endAll();
    this.#throttle.flush(true);
  }

  #logFinding(finding: Finding): void {
    this.#counters.findings++;
    if (this.#throttle.admit(finding)) logFinding(this.#log, finding);
  }

  #callEnded(summary: CallSummaryLine): void {
    this.#counters.callsEnded++;
    this.notify((observer) => observer.callEnded?.(summary));
    logCallSummary(this.#log, summary);
  }
}
