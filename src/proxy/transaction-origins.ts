/**
 * Per transaction, keyed by our branch: where its request came from and which side sent it, so
 * the responses go back there without reading (or editing) the Vias below ours.
 *
 * Bounded twice: entries expire, and each table holds at most `maxEntries` (oldest dropped
 * first). Non-INVITE transactions live 64×T1 = 32 s (RFC 3261 §17.1.2.2, Timer F); INVITE
 * transactions live as long as a proxy waits for a final response, Timer C, "greater than 3
 * minutes" (§16.6 item 11): 200 s here. Each table has one lifetime, so insertion order is
 * expiry order and the sweep only ever looks at the front.
 */
import { ownCopy } from '../dialog/own-copy.js';
import type { Side } from '../policy/finding.js';
import { KeyedQueue } from '../report/keyed-queue.js';
import type { ReturnPath } from './return-path.js';

export interface TransactionOrigin {
  readonly path: ReturnPath;
  readonly side: Side;
}

interface Entry extends TransactionOrigin {
  /** Milliseconds since the table's epoch (its first entry): a small integer, not a heap number. */
  readonly expires: number;
}

const T1_MS = 500;
export const NON_INVITE_LIFETIME_MS = 64 * T1_MS;
export const INVITE_LIFETIME_MS = 200_000;
export const DEFAULT_MAX_TRANSACTIONS = 100_000;

class ExpiringTable {
  /** Oldest first: entries are added with a growing `expires`, so the front expires first. */
  readonly #entries = new KeyedQueue<string, Entry>();
  /** The first entry's time: `expires` counts from it. */
  #epoch: number | null = null;
  constructor(
    readonly lifetimeMs: number,
    readonly maxEntries: number,
  ) {}

  set(key: string, origin: TransactionOrigin, now: number): void {
    this.sweep(now);
    this.#epoch ??= now;
    // The key is kept up to the lifetime: one flat string, not the pieces (and the longer hash
    // strings they were sliced from) a branch is built of. A retransmission moves to the back: its
    // lifetime starts again.
    const expires = now - this.#epoch + this.lifetimeMs;
    const entry = { path: origin.path, side: origin.side, expires };
    this.#entries.pushBack(ownCopy(key), entry);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.firstKey();
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get(key: string, now: number): TransactionOrigin | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expires > now - (this.#epoch ?? now) ? entry : undefined;
  }

  sweep(now: number): void {
    const since = now - (this.#epoch ?? now);
    // Called on every request: reading the front is O(1), and nothing is done until it expires.
    for (let entry = this.#entries.first(); entry !== undefined; entry = this.#entries.first()) {
      if (entry.expires > since) return;
      this.#entries.delete(this.#entries.firstKey() as string);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}

export class TransactionOrigins {
  readonly #invite: ExpiringTable;
  readonly #other: ExpiringTable;

  constructor(maxEntries = DEFAULT_MAX_TRANSACTIONS) {
    this.#invite = new ExpiringTable(INVITE_LIFETIME_MS, maxEntries);
    this.#other = new ExpiringTable(NON_INVITE_LIFETIME_MS, maxEntries);
  }

  /** `method` is the request's (CSeq) method: INVITE transactions live longer. */
  remember(branch: string, method: string, origin: TransactionOrigin, now: number): void {
    (method === 'INVITE' ? this.#invite : this.#other).set(branch, origin, now);
  }

  /** `method` is the response's CSeq method. */
  originOf(branch: string, method: string, now: number): TransactionOrigin | undefined {
    return (method === 'INVITE' ? this.#invite : this.#other).get(branch, now);
  }

  get size(): number {
    return this.#invite.size + this.#other.size;
  }
}
