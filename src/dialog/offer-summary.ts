/**
 * What the offer/answer table keeps of an offer until its answer comes: per stream, the SDES
 * crypto it offered (tag, suite, key digests). Not the whole description: a pending offer lives
 * as long as the call, and a full parsed SDP per call (with the message text its strings point
 * into) would multiply what the garbage collector has to carry. Never keys, never lines.
 */
import type { CryptoAttribute, SessionDescription } from '../sdp/types.js';
import { ownCopy } from './own-copy.js';

export interface OfferedCrypto {
  readonly tag: number | null;
  readonly suite: string;
  /** Per-process digests of the offered keys (src/sdp/key-digest.ts). */
  readonly keyDigests: readonly string[];
}

export interface OfferedStream {
  /** 0-based m= index: `streams[i].index === i`. */
  readonly index: number;
  readonly type: string;
  /** 0 when the offerer disabled the stream (RFC 3264 §6). */
  readonly port: number;
  readonly crypto: readonly OfferedCrypto[];
}

export interface OfferSummary {
  readonly streams: readonly OfferedStream[];
}

/**
 * A summary kept as one flat array: per stream `index, type, port, cryptoCount`, then per crypto
 * `tag, suite, digestCount, ...digests`. A summary lives as long as its call, and each
 * young-generation GC copies (then promotes) every object it holds: the nested form was about ten
 * objects per offer, this is three. `streams` builds the nested form when an answer asks for it.
 */
class FlatOfferSummary implements OfferSummary {
  readonly #flat: readonly (string | number | null)[];

  constructor(flat: readonly (string | number | null)[]) {
    this.#flat = flat;
  }

  /**
   * Built on each read, not kept: a kept nested form (five objects and arrays) would live as long as
   * the call and cost more than the rest of its summary. The last one built is reused, so checks
   * that read the same answer's offer one after another build it once.
   */
  get streams(): readonly OfferedStream[] {
    if (lastExpanded.flat !== this.#flat) lastExpanded = { flat: this.#flat, streams: expand(this.#flat) };
    return lastExpanded.streams;
  }
}

/** The last summary FlatOfferSummary.streams expanded (one, whatever the number of calls). */
let lastExpanded: { flat: readonly (string | number | null)[] | null; streams: readonly OfferedStream[] } = {
  flat: null,
  streams: [],
};

export function summarizeOffer(description: SessionDescription): OfferSummary {
  const flat: (string | number | null)[] = [];
  for (const media of description.media) {
    flat.push(media.index, ownCopy(media.type), media.port, media.crypto.length);
    for (const crypto of media.crypto) {
      flat.push(crypto.tag, ownCopy(crypto.suite), digestCount(crypto));
      // A copy: the digest is a slice of a longer hash string, which it would keep alive.
      for (const key of crypto.keyParams) if (key.keyDigest !== null) flat.push(ownCopy(key.keyDigest));
    }
  }
  // A copy of exact size: push leaves spare capacity that would live as long as the call.
  return new FlatOfferSummary(flat.slice());
}

function digestCount(crypto: CryptoAttribute): number {
  let count = 0;
  for (const key of crypto.keyParams) if (key.keyDigest !== null) count++;
  return count;
}

/** The nested form of FlatOfferSummary's array (see there for the layout). */
function expand(flat: readonly (string | number | null)[]): OfferedStream[] {
  const streams: OfferedStream[] = [];
  let at = 0;
  while (at < flat.length) {
    const index = flat[at++] as number;
    const type = flat[at++] as string;
    const port = flat[at++] as number;
    const cryptoCount = flat[at++] as number;
    const crypto: OfferedCrypto[] = [];
    for (let c = 0; c < cryptoCount; c++) {
      const tag = flat[at++] as number | null;
      const suite = flat[at++] as string;
      const count = flat[at++] as number;
      crypto.push({ tag, suite, keyDigests: flat.slice(at, at + count) as string[] });
      at += count;
    }
    streams.push({ index, type, port, crypto });
  }
  return streams;
}
