/**
 * Counts every time a resource limit is hit and logs it without letting an attacker write the
 * log: the first hit of a limit in an interval is logged at once (action `limit-hit`, with what
 * and from where), later hits in the same interval are only counted, and the next flush() logs
 * how many there were (action `limit-hits-suppressed`). One line per limit per interval at
 * most, never one per packet. Every hit also reaches the observers (the metric
 * `trunkguard_limit_hits_total{limit}`).
 */
import type { LimitName } from '../proxy/limits.js';
import { logEvent, type ProxyLogger } from './logger.js';

export interface LimitHitListener {
  limitHit?(limit: LimitName, count?: number): void;
}

interface Interval {
  /** Hits after the logged one, not yet logged. */
  suppressed: number;
  lastSource: string | null;
  startedAt: number;
}

export class LimitHits {
  readonly #intervals = new Map<LimitName, Interval>();
  /** Hits since start, per limit (for /api/status, tests and the stopped line). */
  readonly totals = new Map<LimitName, number>();

  constructor(
    private readonly logger: ProxyLogger,
    private readonly intervalMs: number,
    private readonly listeners: readonly LimitHitListener[] = [],
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A limit was hit. `detail` says what (e.g. "71 Via header fields, over the limit of 70");
   * `source` is the remote address (host:port) it came from, null when it has none; `count`,
   * several hits found at once (a sweep's evictions).
   */
  hit(limit: LimitName, detail: string, source: string | null, count = 1): void {
    this.totals.set(limit, (this.totals.get(limit) ?? 0) + count);
    for (const listener of this.listeners) listener.limitHit?.(limit, count);
    const now = this.now();
    const interval = this.#intervals.get(limit);
    if (interval !== undefined && now - interval.startedAt < this.intervalMs) {
      interval.suppressed += count;
      interval.lastSource = source;
      return;
    }
    if (interval !== undefined) this.#logSuppressed(limit, interval);
    this.#intervals.set(limit, { suppressed: 0, lastSource: source, startedAt: now });
    logEvent(this.logger, 'warn', 'limit-hit', `limit ${limit} hit: ${detail}`, {
      ...(source === null ? {} : { source: { address: source } }),
      trunkguard: { limit, detail, total: this.totals.get(limit) },
    });
  }

  /** Logs the counts of intervals that are over (call it from a periodic sweep, and at stop with force). */
  flush(force = false): void {
    const now = this.now();
    for (const [limit, interval] of this.#intervals) {
      if (!force && now - interval.startedAt < this.intervalMs) continue;
      this.#logSuppressed(limit, interval);
      this.#intervals.delete(limit);
    }
  }

  #logSuppressed(limit: LimitName, interval: Interval): void {
    if (interval.suppressed === 0) return;
    const seconds = Math.round(this.intervalMs / 1000);
    logEvent(
      this.logger,
      'warn',
      'limit-hits-suppressed',
      `limit ${limit} hit ${interval.suppressed} more times in ${seconds} s` +
        (interval.lastSource === null ? '' : ` (last from ${interval.lastSource})`),
      {
        trunkguard: {
          limit,
          count: interval.suppressed,
          interval_seconds: seconds,
          total: this.totals.get(limit),
          last_source: interval.lastSource,
        },
      },
    );
  }
}
