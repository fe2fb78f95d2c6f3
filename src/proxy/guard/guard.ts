/**
 * What the proxy asks about a source on arrival (the pieces: request-rate.ts, source-blocklist.ts,
 * exemptions.ts). Detection always runs; dropping only with `flood.block` (pike, likewise, only
 * detects and leaves the action to the operator):
 *
 * - drops(): the first thing on the arrival path, before a byte is read: a Map lookup.
 * - request(): every request that was read (responses are not counted: they answer our own
 *   requests), unless its source is exempt. Returns the trip once when the source goes over.
 * - scanner(): a message carried a scanner User-Agent (the judge's scanner-user-agent).
 *
 * The clock is the caller's (`now` in ms), so tests drive time.
 */
import type { FloodLimits } from '../limits.js';
import type { Exemptions } from './exemptions.js';
import { type RateTrip, RequestRate } from './request-rate.js';
import { type Block, type BlockReason, SourceBlocklist, type Unblock } from './source-blocklist.js';

export interface GuardEvents {
  /** A block started (log `source-blocked` once). */
  blocked(block: Block): void;
  /** A block ended (log `source-unblocked` once). */
  unblocked(unblock: Unblock): void;
}

export class Guard {
  readonly #flood: FloodLimits;
  readonly #rate: RequestRate;
  readonly #blocklist: SourceBlocklist;
  readonly #events: GuardEvents;
  readonly exemptions: Exemptions;

  constructor(flood: FloodLimits, exemptions: Exemptions, events: GuardEvents) {
    this.#flood = flood;
    this.exemptions = exemptions;
    this.#events = events;
    this.#rate = new RequestRate(flood);
    this.#blocklist = new SourceBlocklist(flood.maxSources);
  }

  /** Sources blocked right now. */
  get blockedSources(): number {
    return this.#blocklist.size;
  }

  /** Sources the rate table forgot past flood.maxSources, since start. */
  get forgottenSources(): number {
    return this.#rate.evictions;
  }

  /** Sources whose request rate is being tracked. */
  get trackedSources(): number {
    return this.#rate.size;
  }

  /** True when every message from `host` is to be dropped unread. */
  drops(host: string, now: number): boolean {
    if (this.#blocklist.size === 0) return false;
    return this.#blocklist.drops(host, now, (unblock) => this.#events.unblocked(unblock));
  }

  // RFC 3261 §26.1.5 (denial of service), RFC 4732: request floods, measured as Kamailio's pike does.
  /** Counts a request from `host`; the trip when it takes the source over the rate (then blocked, with block on). */
  request(host: string, now: number): RateTrip | null {
    if (this.#flood.requestsPerSecond <= 0 || this.exemptions.has(host)) return null;
    const trip = this.#rate.count(host, now);
    if (trip !== null) this.#block(host, 'request-flood', now);
    return trip;
  }

  /** A message from `host` named a SIP scanner: blocked, with block on (exempt sources never are). */
  scanner(host: string, now: number): void {
    if (!this.#flood.block || this.exemptions.has(host)) return;
    this.#block(host, 'scanner-user-agent', now);
  }

  /** Lifts the blocks that are over (the proxy's periodic sweep). */
  sweep(now: number): void {
    for (const unblock of this.#blocklist.expire(now)) this.#events.unblocked(unblock);
  }

  #block(host: string, reason: BlockReason, now: number): void {
    if (!this.#flood.block) return;
    const { block, lifted } = this.#blocklist.block(host, reason, now, now + this.#flood.blockSeconds * 1000);
    for (const unblock of lifted) this.#events.unblocked(unblock);
    if (block !== null) this.#events.blocked(block);
  }
}
