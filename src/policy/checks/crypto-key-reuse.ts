/**
 * crypto-key-reuse: the same SDES master key twice means the same keystream twice (RFC 3711
 * §9.1: "a keystream must never be reused"; a two-time pad). Keys are compared by their
 * per-process digest, never by value. Three ways it happens:
 * - an answer echoing a key of its offer (both directions encrypt with one keystream);
 * - one SDP putting the same key on two m= lines (the same key on several a=crypto lines of
 *   one m= line is fine: they are alternatives and only one is chosen);
 * - a key seen recently in another call (context.recentKeys, under a different Call-ID).
 *   The same Call-ID is a retransmission or a re-INVITE that keeps its keys, which RFC 4568
 *   §7.1.4 allows.
 * Each key is reported once per SDP, with the first of these reasons that applies.
 */
import type { OfferSummary } from '../../dialog/offer-summary.js';
import type { CryptoAttribute, MediaDescription } from '../../sdp/types.js';
import type { Check, CheckContext } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import { describeCrypto } from './srtp-helpers.js';

interface KeyUse {
  readonly media: Pick<MediaDescription, 'type' | 'index'>;
  readonly digest: string;
  readonly line: string;
  /** The a=crypto it is on; described (describeCrypto) only when a reuse is reported. */
  readonly crypto: Pick<CryptoAttribute, 'tag' | 'suite'>;
}

function keyUses(streams: readonly MediaDescription[]): KeyUse[] {
  const uses: KeyUse[] = [];
  for (const media of streams) {
    for (const crypto of media.crypto) {
      for (const key of crypto.keyParams) {
        if (key.keyDigest === null) continue;
        uses.push({ media, digest: key.keyDigest, line: crypto.line, crypto });
      }
    }
  }
  return uses;
}

/** Where each key first appears in the SDP: digest -> first use. */
function firstUses(uses: readonly KeyUse[]): Map<string, KeyUse> {
  const first = new Map<string, KeyUse>();
  for (const use of uses) if (!first.has(use.digest)) first.set(use.digest, use);
  return first;
}

function reuseOf(
  use: KeyUse,
  first: ReadonlyMap<string, KeyUse>,
  offerKeys: ReadonlyMap<string, KeyUse>,
  context: CheckContext,
): string | null {
  // RFC 3711 §9.1: the answerer must not send with the offerer's key (two-time pad).
  const offered = offerKeys.get(use.digest);
  if (offered !== undefined) {
    return `reuses the key the offer gave ${streamName(offered.media)} (${describeCrypto(offered.crypto)}): both directions would share one keystream`;
  }
  // RFC 3711 §9.1: two streams under one master key reuse the keystream.
  const earlier = first.get(use.digest);
  if (earlier !== undefined && earlier.media.index !== use.media.index) {
    return `uses the same key as ${streamName(earlier.media)} (${describeCrypto(earlier.crypto)}) in this SDP`;
  }
  // RFC 4568 §6.1 / RFC 3711 §9.1: a fresh master key per session.
  const otherCall = context.recentKeys.get(use.digest);
  if (otherCall !== undefined && otherCall !== context.message.callId) {
    return `uses a key already seen in another call (Call-ID ${otherCall})`;
  }
  return null;
}

/** The offer's keys when there is no offer (shared, never written). */
const NO_KEYS: ReadonlyMap<string, KeyUse> = new Map();

/** Where each key of the offer first appears (active streams only: RFC 3264 §6). */
function offerKeysOf(offer: OfferSummary | null): ReadonlyMap<string, KeyUse> {
  if (offer === null) return NO_KEYS;
  const first = new Map<string, KeyUse>();
  for (const stream of offer.streams) {
    if (stream.port === 0) continue;
    for (const crypto of stream.crypto) {
      for (const digest of crypto.keyDigests) {
        if (!first.has(digest)) first.set(digest, { media: stream, digest, line: '', crypto });
      }
    }
  }
  return first;
}

// RFC 3711 §9.1 (a keystream must never be reused); RFC 4568 §6.1, §7.1.4.
export const cryptoKeyReuse: Check = {
  name: 'crypto-key-reuse',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const uses = keyUses(activeMedia(sdp.description));
    if (uses.length === 0) return [];
    const first = firstUses(uses);
    const offerKeys = offerKeysOf(sdp.role === 'answer' ? sdp.offer : null);
    // Created at the first report: most SDPs reuse nothing.
    let reported: Set<string> | null = null;
    const found: Observation[] = [];
    for (const use of uses) {
      if (reported?.has(use.digest)) continue;
      const reuse = reuseOf(use, first, offerKeys, context);
      if (reuse === null) continue;
      reported ??= new Set<string>();
      reported.add(use.digest);
      found.push(
        observation(
          'crypto-key-reuse',
          `${streamName(use.media)} a=crypto ${describeCrypto(use.crypto)} ${reuse}`,
          use.media.index,
          use.line,
        ),
      );
    }
    return found;
  },
};
