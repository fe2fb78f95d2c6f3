/**
 * The host names of Route headers and Request-URIs, looked up for carrier-side requests when no
 * customer next hop is set (RFC 3261 §16.6 items 6-7). getaddrinfo gives no TTL and runs on libuv's
 * four threads, so each name goes through a small cache: looked up once per TTL, shared by the
 * requests that name it while the lookup runs, not retried for a while once it failed, and never
 * looked up when the text is no host name at all (RFC 1123 §2.1). Without it, every such request
 * was a lookup, and a run of requests naming hosts that never answer held every thread for seconds.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { KeyedQueue } from '../report/keyed-queue.js';
import { isHostName } from './next-hop.js';

/** One name to one address, as dns.promises.lookup does (/etc/hosts first, then DNS). */
export type LookupHost = (host: string) => Promise<{ readonly address: string }>;

export interface HostLookupOptions {
  readonly lookup: LookupHost;
  /** How long an address is used before the name is looked up again. */
  readonly ttlMs: number;
  /** How long a name whose lookup failed fails again without a lookup. */
  readonly failureTtlMs: number;
  /** Names remembered at once; past it the least recently looked-up is forgotten. */
  readonly maxNames: number;
  readonly now: () => number;
}

export const DEFAULT_HOST_LOOKUP_OPTIONS: HostLookupOptions = {
  lookup: (host) => dnsLookup(host),
  ttlMs: 30_000,
  failureTtlMs: 5_000,
  maxNames: 1024,
  now: Date.now,
};

interface Entry {
  readonly answer: Promise<string>;
  expiresAt: number;
}

export class HostLookups {
  readonly #entries = new KeyedQueue<string, Entry>();
  readonly #options: HostLookupOptions;

  constructor(options: Partial<HostLookupOptions> = {}) {
    this.#options = { ...DEFAULT_HOST_LOOKUP_OPTIONS, ...options };
  }

  /** Names remembered (looked up, being looked up, or failed lately). */
  get size(): number {
    return this.#entries.size;
  }

  /** The address `host` names; a rejection when it is no host name or its lookup failed. */
  address(host: string): Promise<string> {
    // RFC 3261 §19.1.4: host names compare without regard to case.
    const name = host.toLowerCase();
    const now = this.#options.now();
    const cached = this.#entries.get(name);
    if (cached !== undefined && cached.expiresAt > now) return cached.answer;
    // RFC 1123 §2.1: a text that is no host name is refused without a lookup.
    if (!isHostName(name)) return Promise.reject(new Error(`"${host.slice(0, 100)}" is not a host name`));
    const answer = this.#options.lookup(name).then((found) => found.address);
    const entry: Entry = { answer, expiresAt: now + this.#options.ttlMs };
    this.#entries.pushBack(name, entry);
    while (this.#entries.size > this.#options.maxNames) {
      const oldest = this.#entries.firstKey();
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    // A failure is kept for failureTtlMs only (and this handler keeps it from being unhandled).
    answer.catch(() => {
      entry.expiresAt = Math.min(entry.expiresAt, this.#options.now() + this.#options.failureTtlMs);
    });
    return answer;
  }
}
