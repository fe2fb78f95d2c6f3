/**
 * Per-source request rate, the way Kamailio's pike module measures it (pike: "sampling_time_unit",
 * "reqs_density_per_unit"): requests from one IP address are counted per window of
 * `windowSeconds`, and the source is over the rate when it sent more than requestsPerSecond ×
 * windowSeconds in the last windowSeconds.
 *
 * Kept from pike: a fixed sampling unit with a request density per unit, counting per source IP
 * only (not per port: a scanner changes ports freely), detection separate from the action (pike
 * "just simply reports that there is a high traffic from an IP; what to do, is the administrator
 * decision": here `flood.block`), and telling a new flood from one already known (pike_check_req
 * returns -2 on first detection, -1 after): one report per flood, and a source counts as calm
 * again after a full window below the rate. Not kept: pike's tree of address prefixes, which also
 * counts whole subnets, its remove_latency (how long an idle address stays in memory: here the
 * table's size bound decides, least recently seen first) and its shared-memory timer lists.
 *
 * Two buckets make the window slide without storing timestamps (O(1) per request): the count of
 * the previous window, weighted by how much of it still lies inside the last windowSeconds, plus
 * the count of the current one. The table holds at most maxSources sources in recency order (a
 * source moves to the back on every request), so the least recently seen is forgotten first, in O(1).
 */
import { KeyedQueue } from '../../report/keyed-queue.js';

export interface RequestRateLimits {
  /** 0 turns counting off. */
  readonly requestsPerSecond: number;
  readonly windowSeconds: number;
  readonly maxSources: number;
}

/** A source went over the rate: reported once, until it has been below the rate for a full window. */
export interface RateTrip {
  /** Requests counted over the last window (the sliding estimate, rounded up). */
  readonly requests: number;
  readonly windowSeconds: number;
  readonly requestsPerSecond: number;
}

interface SourceRate {
  /** When the current window started (ms). */
  windowStart: number;
  current: number;
  previous: number;
  /** Reported as flooding and not yet calm for a full window. */
  flooding: boolean;
  /** The last request at which the source was over the rate (ms). */
  lastOverAt: number;
}

export class RequestRate {
  /** Least recently seen first (a KeyedQueue: a Map reordered per request leaves a hole each time, and reading its front walks them). */
  readonly #sources = new KeyedQueue<string, SourceRate>();
  readonly #windowMs: number;
  /** Requests allowed in one window. */
  readonly #allowed: number;
  /** Sources forgotten to keep the table within maxSources. */
  evictions = 0;

  constructor(readonly limits: RequestRateLimits) {
    this.#windowMs = limits.windowSeconds * 1000;
    this.#allowed = limits.requestsPerSecond * limits.windowSeconds;
  }

  get size(): number {
    return this.#sources.size;
  }

  /** Counts one request from `source` at `now` (ms); a trip when this request takes it over the rate. */
  count(source: string, now: number): RateTrip | null {
    if (this.limits.requestsPerSecond <= 0) return null;
    let rate = this.#sources.get(source);
    rate ??= { windowStart: now, current: 0, previous: 0, flooding: false, lastOverAt: 0 };
    this.#sources.pushBack(source, rate); // to the back: most recently seen
    this.#roll(rate, now);
    rate.current++;
    const requests = this.#estimate(rate, now);
    this.#evictOverCap();
    if (requests <= this.#allowed) {
      // pike's remove_latency: marked until a full window has passed without going over.
      if (rate.flooding && now - rate.lastOverAt >= this.#windowMs) rate.flooding = false;
      return null;
    }
    rate.lastOverAt = now;
    if (rate.flooding) return null;
    rate.flooding = true;
    return {
      requests: Math.ceil(requests),
      windowSeconds: this.limits.windowSeconds,
      requestsPerSecond: this.limits.requestsPerSecond,
    };
  }

  /** Moves the buckets on when one or more windows have passed since the current one started. */
  #roll(rate: SourceRate, now: number): void {
    const elapsed = now - rate.windowStart;
    if (elapsed < this.#windowMs) return;
    const windows = Math.floor(elapsed / this.#windowMs);
    rate.previous = windows === 1 ? rate.current : 0;
    rate.current = 0;
    rate.windowStart += windows * this.#windowMs;
  }

  /** The requests in the last windowSeconds: the part of the previous window still inside it, plus the current. */
  #estimate(rate: SourceRate, now: number): number {
    const intoCurrent = (now - rate.windowStart) / this.#windowMs;
    return rate.previous * (1 - intoCurrent) + rate.current;
  }

  #evictOverCap(): void {
    while (this.#sources.size > this.limits.maxSources) {
      const oldest = this.#sources.firstKey();
      if (oldest === undefined) return;
      this.#sources.delete(oldest);
      this.evictions++;
    }
  }
}
