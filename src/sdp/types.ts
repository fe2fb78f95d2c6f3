/**
 * The media model: what a check needs to know about each m= line, with the
 * media-level/session-level precedence already applied (RFC 8866 §5.7, §6.7).
 * Built from sdp-transform's object model plus our raw line pass, which sees the
 * duplicates and unknown lines that sdp-transform hides.
 */

/** Problems found in the SDP text itself; each becomes a finding with the same code. */
export type SdpProblemCode = 'duplicate-connection-line' | 'missing-connection-address' | 'malformed-sdp';

export interface SdpProblem {
  readonly code: SdpProblemCode;
  readonly reason: string;
  /** 0-based m= index the problem belongs to, or null for the session level. */
  readonly mediaIndex: number | null;
  /** The offending line (redacted), or null. */
  readonly evidence: string | null;
}

/**
 * What kind of address a c= line (or a=rtcp, or a candidate) carries.
 * - `ip4` / `ip6`: a unicast literal (IPv4-mapped IPv6 `::ffff:a.b.c.d` is reported as ip4 with the
 *   IPv4 address, and `mapped: true`).
 * - `hold`: 0.0.0.0 (RFC 3264 §8.4, the RFC 2543 way to put a stream on hold) or `::`.
 * - `multicast`: 224.0.0.0/4 or ff00::/8, with TTL and count from `/ttl/count` when given.
 * - `fqdn`: a domain name (allowed by RFC 8866 §5.7; range checks cannot judge it).
 * - `invalid`: anything else (e.g. `999.1.1.1`, `xxx.xxx.xxx.xxx`).
 */
export type AddressKind = 'ip4' | 'ip6' | 'hold' | 'multicast' | 'fqdn' | 'invalid';

export interface ConnectionAddress {
  /** `IN` */
  readonly netType: string;
  /** `IP4`, `IP6`, or an extension token as written. */
  readonly addrType: string;
  /** The address as written, without `/ttl/count`. */
  readonly written: string;
  /** Normalized address for comparisons: IPv4-mapped IPv6 unwrapped, IPv6 in canonical short form. */
  readonly address: string;
  readonly kind: AddressKind;
  /** True when an IPv4-mapped IPv6 address was unwrapped to IPv4. */
  readonly mapped: boolean;
  readonly ttl: number | null;
  readonly count: number | null;
  /** The source line, e.g. `c=IN IP4 168.86.140.10` (or the a=rtcp / a=candidate line). */
  readonly line: string;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface CryptoKeyParam {
  /** Key method; `inline` is the only one registered (RFC 4568 §6.1). */
  readonly method: string;
  /** Decoded length in bytes of the base64 key||salt, or null when it is not valid base64. */
  readonly keyLength: number | null;
  /**
   * A per-process keyed digest of the key||salt, for equality only (key reuse).
   * It is not the key, and it is not stable across processes.
   */
  readonly keyDigest: string | null;
  /** Lifetime as written (`2^31`, `1048576`), or null. */
  readonly lifetime: string | null;
  /** MKI value and length in bytes (`|1:4`), or null when absent. */
  readonly mki: { readonly value: string; readonly length: number } | null;
}

/** One `a=crypto:<tag> <suite> <key-params> [<session-params>]` attribute (RFC 4568 §9.1). */
export interface CryptoAttribute {
  readonly tag: number | null;
  readonly suite: string;
  readonly keyParams: readonly CryptoKeyParam[];
  /** Session parameters as written, e.g. `UNENCRYPTED_SRTCP`, `KDR=1`, `WSH=64`. */
  readonly sessionParams: readonly string[];
  /** The attribute line with key material redacted. */
  readonly line: string;
  /** False when the line does not match the RFC 4568 grammar (then suite/tag may be partial). */
  readonly wellFormed: boolean;
}

export interface Fingerprint {
  /** Hash function, lower-case: `sha-256`, `sha-1`, `md5`... (RFC 8122 §5). */
  readonly hash: string;
  readonly line: string;
}

export interface IceCandidate {
  readonly foundation: string;
  readonly component: number;
  readonly transport: string;
  readonly priority: number;
  readonly address: ConnectionAddress;
  readonly port: number;
  /** host, srflx, prflx, relay */
  readonly type: string;
  readonly line: string;
}

export interface Rtcp {
  /** RTCP port: a=rtcp port, else the RTP port when rtcp-mux, else RTP port + 1 (RFC 3550 §11). */
  readonly port: number;
  /** The address RTCP goes to: a=rtcp's address, else the media's connection address. */
  readonly address: ConnectionAddress | null;
  readonly mux: boolean;
  /** True when an a=rtcp attribute set the port (RFC 3605). */
  readonly explicit: boolean;
  /** The a=rtcp line, or null. */
  readonly line: string | null;
}

export interface MediaDescription {
  /** 0-based position among the m= lines. */
  readonly index: number;
  /** audio, video, image, application, text, message... */
  readonly type: string;
  /** 0 means the stream is rejected or disabled (RFC 3264 §6). */
  readonly port: number;
  /** From `m=audio 5000/2 ...` (RFC 8866 §5.14); 1 when absent. */
  readonly portCount: number;
  /** RTP/AVP, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F), udptl... */
  readonly proto: string;
  readonly formats: readonly string[];
  /** Effective connection address: media-level c= overrides session-level c=. */
  readonly connection: ConnectionAddress | null;
  readonly connectionLevel: 'media' | 'session' | null;
  /**
   * Every c= line at the level `connection` came from, in order (additive to the model).
   * More than one only for layered multicast (RFC 8866 §5.7) or a flagged duplicate: `connection` is
   * the first of them, and a check judging addresses should judge every one.
   */
  readonly connections: readonly ConnectionAddress[];
  readonly rtcp: Rtcp;
  /** Effective direction: media-level attribute, else session-level, else sendrecv (RFC 3264 §5.1). */
  readonly direction: Direction;
  readonly crypto: readonly CryptoAttribute[];
  /** Media-level fingerprints, else session-level ones (RFC 8122 §5). */
  readonly fingerprints: readonly Fingerprint[];
  /** a=setup (RFC 4145), media level else session level, or null. */
  readonly setup: string | null;
  readonly candidates: readonly IceCandidate[];
  /** `a=direction:active|passive|both` (RFC 4145 §4 style COMEDIA, used by nathelper), or null. */
  readonly comediaDirection: string | null;
  /** The m= line as written. */
  readonly line: string;
}

export interface SessionDescription {
  /** o= address, or null. */
  readonly origin: ConnectionAddress | null;
  /** Session-level c=, or null. */
  readonly connection: ConnectionAddress | null;
  /** Every session-level c= line, in order (additive); more than one is a flagged duplicate. */
  readonly connections: readonly ConnectionAddress[];
  readonly media: readonly MediaDescription[];
  readonly problems: readonly SdpProblem[];
  /**
   * Set when the SDP passed a limit (sdp-limits.ts) and was not modelled: which limit and why, for
   * the caller to count the hit. Its one problem says the same for people.
   */
  readonly overLimit?: SdpOverLimit;
}

/** An SDP limit passed: its name and what for people ("2001 lines in the SDP, over the limit of 2000"). */
export interface SdpOverLimit {
  readonly limit: 'sdp-lines' | 'ice-candidates';
  readonly reason: string;
}
