/**
 * What one SIP message may cost the reader (config `proxy.limits.message`). The reader counts
 * while it indexes and stops indexing at the first limit passed: a message with 1,000 Via header
 * fields costs no more than its bytes, and is refused as `over-limit`, naming the limit.
 *
 * The defaults sit far above anything a real trunk sends: Max-Forwards 70 (RFC 3261 §8.1.1.6)
 * bounds a real Via path, and a real INVITE has a few dozen header fields.
 *
 * src/proxy/limits.ts uses the same interface for its `message` section (this layer must not
 * import src/proxy).
 */

/** Limits on one SIP message, checked by the reader and the SDP model on every transport. */
export interface MessageLimits {
  /** Header fields in one message (each line of a folded or comma-joined header counts once). */
  readonly maxHeaders: number;
  /** Via header field values (Max-Forwards 70 bounds a real path). */
  readonly maxVias: number;
  /** Bytes in one header line, folding included. */
  readonly maxHeaderLineBytes: number;
  /** Nesting of multipart bodies (multipart inside multipart). */
  readonly maxMultipartDepth: number;
  /** Parts in one multipart body. */
  readonly maxMultipartParts: number;
  /** Lines in one SDP body. */
  readonly maxSdpLines: number;
  /** a=candidate lines under one m= line (RFC 8839). */
  readonly maxIceCandidates: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxHeaders: 256,
  maxVias: 70,
  maxHeaderLineBytes: 8192,
  maxMultipartDepth: 4,
  maxMultipartParts: 16,
  maxSdpLines: 2000,
  maxIceCandidates: 64,
};

/** The message limits by the name a hit is counted under (the `limit` label of the metric). */
export type MessageLimitName =
  | 'headers'
  | 'vias'
  | 'header-line-bytes'
  | 'multipart-depth'
  | 'multipart-parts'
  | 'sdp-lines'
  | 'ice-candidates';

/** A limit passed: which one, and what for people (e.g. "71 Via header field values, over the limit of 70"). */
export interface OverLimit {
  readonly limit: MessageLimitName;
  readonly reason: string;
}

/** The reason text every limit hit uses: the count, what was counted, and the limit. */
export function overLimit(limit: MessageLimitName, count: number, what: string, max: number): OverLimit {
  return { limit, reason: `${count} ${what}, over the limit of ${max}` };
}
