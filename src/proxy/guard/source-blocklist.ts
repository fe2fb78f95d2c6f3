/**
 * Sources whose messages are dropped until a time: a flooding source or a scanner, when
 * `flood.block` is on. One Map entry per blocked address; since every block lasts the same
 * blockSeconds, insertion order is expiry order, so expiring is a walk from the front that stops
 * at the first block still running. The list is capped (maxSources): past it the block that
 * would end first is lifted early.
 */

export type BlockReason = 'request-flood' | 'scanner-user-agent';

export interface Block {
  readonly source: string;
  readonly reason: BlockReason;
  readonly since: number;
  readonly until: number;
}

/** A block that ended: by time, or lifted early to keep the list within its cap. */
export interface Unblock {
  readonly block: Block;
  /** Messages dropped while it lasted. */
  readonly dropped: number;
  readonly why: 'expired' | 'evicted';
}

interface Entry {
  readonly block: Block;
  dropped: number;
}

export class SourceBlocklist {
  readonly #blocks = new Map<string, Entry>();

  constructor(private readonly maxSources: number) {}

  get size(): number {
    return this.#blocks.size;
  }

  /** Blocks `source` until `until` (ms); returns what was lifted to make room. A source already blocked keeps its block. */
  block(
    source: string,
    reason: BlockReason,
    now: number,
    until: number,
  ): { block: Block | null; lifted: Unblock[] } {
    if (this.#blocks.has(source)) return { block: null, lifted: [] };
    const block: Block = { source, reason, since: now, until };
    this.#blocks.set(source, { block, dropped: 0 });
    const lifted: Unblock[] = [];
    while (this.#blocks.size > this.maxSources) {
      const [oldest, entry] = this.#blocks.entries().next().value as [string, Entry];
      this.#blocks.delete(oldest);
      lifted.push({ block: entry.block, dropped: entry.dropped, why: 'evicted' });
    }
    return { block, lifted };
  }

  /**
   * On the arrival path, before anything is read: true (and the message counted) when `source`
   * is blocked at `now`. A block found over is lifted and returned through `ended`.
   */
  drops(source: string, now: number, ended: (unblock: Unblock) => void): boolean {
    const entry = this.#blocks.get(source);
    if (entry === undefined) return false;
    if (now < entry.block.until) {
      entry.dropped++;
      return true;
    }
    this.#blocks.delete(source);
    ended({ block: entry.block, dropped: entry.dropped, why: 'expired' });
    return false;
  }

  /** Lifts every block that is over at `now` (from the periodic sweep). */
  expire(now: number): Unblock[] {
    const ended: Unblock[] = [];
    for (const [source, entry] of this.#blocks) {
      if (now < entry.block.until) break; // the rest end later: insertion order is expiry order
      this.#blocks.delete(source);
      ended.push({ block: entry.block, dropped: entry.dropped, why: 'expired' });
    }
    return ended;
  }
}
