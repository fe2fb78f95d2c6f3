/**
 * The resource limits a proxy facing the internet needs (config `proxy.limits`): what one
 * message, one connection and one source may cost. Each limit hit is counted in
 * `trunkguard_limit_hits_total{limit}` and logged once per `reportSeconds` (LimitHits in
 * src/report/limit-hits.ts), never once per packet.
 *
 * The defaults sit far above anything a real trunk sends and far below what hurts the process.
 */

import { DEFAULT_MESSAGE_LIMITS, type MessageLimitName, type MessageLimits } from '../sip/message-limits.js';

/** Limits on one SIP message, checked by the reader and the SDP model (defined by src/sip, which enforces them). */
export { DEFAULT_MESSAGE_LIMITS, type MessageLimits };

/** Limits on TCP and TLS connections (accepted and opened). */
export interface ConnectionLimits {
  /** Connections open at once, all sources together. */
  readonly max: number;
  /** Connections open at once from one source IP address. */
  readonly perSource: number;
  /** A connection with no traffic for this long is closed (RFC 5626 keep-alives arrive far sooner). */
  readonly idleSeconds: number;
  /** Once a message's first byte arrived, the rest must arrive within this (slow-drip senders are cut off). */
  readonly messageSeconds: number;
  /** Bytes one connection may have waiting to be framed (a message in progress). */
  readonly maxBufferedBytes: number;
}

/** The per-source request-rate detector (like Kamailio's pike). */
export interface FloodLimits {
  /** Requests per second one source IP may send, averaged over windowSeconds; 0 turns detection off. */
  readonly requestsPerSecond: number;
  readonly windowSeconds: number;
  /** Drop every message from a flooding source (or a scanner) for blockSeconds. */
  readonly block: boolean;
  readonly blockSeconds: number;
  /**
   * Sources never counted nor blocked (CIDRs or addresses), on top of the configured next hops
   * (carrier, customer), the carrier profile's signaling ranges and carrierPeers, which a busy
   * trunk legitimately sends many requests from (src/proxy/guard/exemptions.ts).
   */
  readonly exempt: readonly string[];
  /** Most sources tracked at once (least recently seen forgotten first). */
  readonly maxSources: number;
}

export interface LimitSettings {
  readonly message: MessageLimits;
  readonly connections: ConnectionLimits;
  readonly flood: FloodLimits;
  /** Limit hits are logged once per this many seconds per limit (the first at once, then a count). */
  readonly reportSeconds: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  max: 4096,
  perSource: 128,
  idleSeconds: 600,
  messageSeconds: 10,
  maxBufferedBytes: 131_072,
};

export const DEFAULT_FLOOD_LIMITS: FloodLimits = {
  requestsPerSecond: 50,
  windowSeconds: 2,
  block: false,
  blockSeconds: 300,
  exempt: [],
  maxSources: 100_000,
};

export const DEFAULT_LIMITS: LimitSettings = {
  message: DEFAULT_MESSAGE_LIMITS,
  connections: DEFAULT_CONNECTION_LIMITS,
  flood: DEFAULT_FLOOD_LIMITS,
  reportSeconds: 10,
};

/** The names limit hits are counted and logged under (the `limit` label of the metric). */
export type LimitName =
  | 'message-bytes'
  | MessageLimitName
  | 'connections'
  | 'connections-per-source'
  | 'connection-idle'
  | 'message-time'
  | 'buffered-bytes'
  | 'tls-handshake-time'
  | 'flood-sources'
  | 'request-flood'
  | 'blocked-source';

/** Merges a partial `proxy.limits` from the config over the defaults. */
export function mergeLimits(raw: RawLimits | undefined): LimitSettings {
  return {
    message: { ...DEFAULT_MESSAGE_LIMITS, ...raw?.message },
    connections: { ...DEFAULT_CONNECTION_LIMITS, ...raw?.connections },
    flood: { ...DEFAULT_FLOOD_LIMITS, ...raw?.flood },
    reportSeconds: raw?.reportSeconds ?? DEFAULT_LIMITS.reportSeconds,
  };
}

/** `proxy.limits` as the schema accepted it: every field optional. */
export interface RawLimits {
  readonly message?: Partial<MessageLimits>;
  readonly connections?: Partial<ConnectionLimits>;
  readonly flood?: Partial<FloodLimits>;
  readonly reportSeconds?: number;
}
