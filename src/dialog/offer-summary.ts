/**
 * What the offer/answer table keeps of an offer until its answer comes: per stream, the SDES
 * crypto it offered (tag, suite, key digests). Not the whole description: a pending offer lives
 * as long as the call, and a full parsed SDP per call (with the message text its strings point
 * into) would multiply what the garbage collector has to carry. Never keys, never lines.
 */
import type { SessionDescription } from '../sdp/types.js';

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

export function summarizeOffer(description: SessionDescription): OfferSummary {
  return {
    streams: description.media.map((media) => ({
      index: media.index,
      type: ownCopy(media.type),
      port: media.port,
      crypto: media.crypto.map((crypto) => ({
        tag: crypto.tag,
        suite: ownCopy(crypto.suite),
        keyDigests: crypto.keyParams.flatMap((key) => (key.keyDigest === null ? [] : [key.keyDigest])),
      })),
    })),
  };
}

/** Common values, kept as one shared string each. */
const SHARED = new Map(
  [
    'audio',
    'video',
    'text',
    'image',
    'application',
    'AES_CM_128_HMAC_SHA1_80',
    'AES_CM_128_HMAC_SHA1_32',
    'AES_256_CM_HMAC_SHA1_80',
    'AES_256_CM_HMAC_SHA1_32',
    'AES_192_CM_HMAC_SHA1_80',
    'AES_192_CM_HMAC_SHA1_32',
    'AEAD_AES_128_GCM',
    'AEAD_AES_256_GCM',
    'F8_128_HMAC_SHA1_80',
  ].map((value) => [value, value]),
);

/**
 * A string that does not point into the text it was cut from: V8 keeps a slice's parent string
 * alive, so a kept suite name (or Call-ID) would otherwise keep the whole SDP (or SIP head) text.
 */
export function ownCopy(value: string): string {
  return SHARED.get(value) ?? Buffer.from(value, 'utf8').toString('utf8');
}
