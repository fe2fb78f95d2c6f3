/**
 * The media endpoints the carrier actually negotiated, per address prefix (IPv4 /24, IPv6 /48): a
 * user can compare what the firewall allows (the published range, e.g. 168.86.128.0/18) with what
 * the carrier used. Behind `GET /api/media-endpoints`, the dashboard's "Carrier media endpoints"
 * panel and `mediaEndpoints` in `trunkguard check --format json`.
 *
 * What counts: carrier-side SDP offers and answers; per live m= line (port not 0, not on hold) its
 * effective connection address (unicast IPv4/IPv6 literals only) and RTP port. Per prefix: first and
 * last seen (message time), messages, distinct calls, a histogram of RTP ports in buckets of 1000,
 * and the published media range holding the addresses (the first one seen decides), or `outside`
 * when the profile publishes ranges of that family and none holds them: the same evidence as
 * media-ip-out-of-range, summarised.
 *
 * Bounded (DESIGN.md principle 7): at most `maxPrefixes` prefixes (observations for further ones are
 * counted in `overflow`); calls are counted by a 32-bit hash of the Call-ID, at most
 * `maxCallsPerPrefix` per prefix and `maxCallIds` in all: past either, `calls` stops growing and
 * `callsCapped` says it is a lower bound. No Call-ID text is kept.
 */

import { type IpAddress, ipOf, liveMedia } from '../policy/checks/media-helpers.js';
import type { JudgedMessage } from '../policy/engine.js';
import type { CarrierProfile } from '../policy/profile.js';
import type { ProxyObserver } from '../proxy/observer.js';

export interface MediaEndpointsOptions {
  /** Prefixes kept at most. */
  readonly maxPrefixes: number;
  /** Distinct calls counted per prefix; past it, `callsCapped`. */
  readonly maxCallsPerPrefix: number;
  /** Call hashes kept over all prefixes. */
  readonly maxCallIds: number;
}

export const DEFAULT_MEDIA_ENDPOINTS_OPTIONS: MediaEndpointsOptions = {
  maxPrefixes: 10_000,
  maxCallsPerPrefix: 1000,
  maxCallIds: 200_000,
};

/** Width of a port histogram bucket. */
export const PORT_BUCKET = 1000;

export interface MediaPrefixView {
  /** `168.86.128.0/24`, `2001:db8:1::/48`. */
  readonly prefix: string;
  /** The published media range holding the addresses seen, or null. */
  readonly inPublishedRange: string | null;
  /** True when the profile publishes ranges of this family and none holds the addresses. */
  readonly outside: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Distinct Call-IDs (a lower bound when `callsCapped`). */
  readonly calls: number;
  readonly callsCapped: boolean;
  /** Carrier-side offers and answers that put media in the prefix. */
  readonly messages: number;
  /** RTP ports by bucket (`"10000-10999": n`), one count per m= line, buckets in port order. */
  readonly ports: Readonly<Record<string, number>>;
}

export interface MediaEndpointsSnapshot {
  readonly profile: string;
  /** The profile's published media ranges. */
  readonly published: readonly string[];
  /** Most messages first (then by prefix). */
  readonly prefixes: readonly MediaPrefixView[];
  /** Prefixes flagged outside. */
  readonly outside: number;
  /** Address observations not kept because `maxPrefixes` prefixes were already kept. */
  readonly overflow: number;
}

interface PrefixEntry {
  readonly prefix: string;
  readonly inPublishedRange: string | null;
  readonly outside: boolean;
  firstSeen: string;
  firstMs: number;
  lastSeen: string;
  lastMs: number;
  messages: number;
  readonly callHashes: Set<number>;
  callsCapped: boolean;
  /** Bucket start port → count. */
  readonly ports: Map<number, number>;
}

export class MediaEndpoints implements ProxyObserver {
  readonly profile: CarrierProfile;
  readonly options: MediaEndpointsOptions;
  readonly #prefixes = new Map<string, PrefixEntry>();
  #callIds = 0;
  #overflow = 0;

  constructor(profile: CarrierProfile, options: Partial<MediaEndpointsOptions> = {}) {
    this.profile = profile;
    this.options = { ...DEFAULT_MEDIA_ENDPOINTS_OPTIONS, ...options };
  }

  judged(judged: JudgedMessage): void {
    this.record(judged);
  }

  /** Counts a judged message's carrier-side media (the proxy, the HEP collector and `check` call this). */
  record(judged: JudgedMessage): void {
    if (judged.side !== 'carrier') return;
    /** Prefixes this message already counted (one message counts once per prefix). */
    let counted: Set<PrefixEntry> | null = null;
    for (const sdp of judged.sdps) {
      if (sdp.role !== 'offer' && sdp.role !== 'answer') continue;
      for (const media of liveMedia(sdp.description)) {
        const connection = media.connection;
        if (connection === null) continue;
        const ip = ipOf(connection);
        if (ip === null) continue;
        const entry = this.#entry(ip, judged.envelope.time);
        if (entry === null) {
          this.#overflow++;
          continue;
        }
        const bucket = Math.floor(media.port / PORT_BUCKET) * PORT_BUCKET;
        entry.ports.set(bucket, (entry.ports.get(bucket) ?? 0) + 1);
        counted ??= new Set();
        if (counted.has(entry)) continue;
        counted.add(entry);
        this.#count(entry, judged);
      }
    }
  }

  snapshot(): MediaEndpointsSnapshot {
    const entries = [...this.#prefixes.values()].sort(
      (a, b) => b.messages - a.messages || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0),
    );
    let outside = 0;
    const prefixes = entries.map((entry): MediaPrefixView => {
      if (entry.outside) outside++;
      const ports: Record<string, number> = {};
      for (const bucket of [...entry.ports.keys()].sort((a, b) => a - b))
        ports[`${bucket}-${bucket + PORT_BUCKET - 1}`] = entry.ports.get(bucket)!;
      return {
        prefix: entry.prefix,
        inPublishedRange: entry.inPublishedRange,
        outside: entry.outside,
        firstSeen: entry.firstSeen,
        lastSeen: entry.lastSeen,
        calls: entry.callHashes.size,
        callsCapped: entry.callsCapped,
        messages: entry.messages,
        ports,
      };
    });
    return {
      profile: this.profile.name,
      published: this.profile.mediaRanges.map((range) => range.cidr.text),
      prefixes,
      outside,
      overflow: this.#overflow,
    };
  }

  get size(): number {
    return this.#prefixes.size;
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The prefix's entry, created when there is room; null when the table is full. */
  #entry(ip: IpAddress, time: string): PrefixEntry | null {
    const prefix = prefixOf(ip);
    const known = this.#prefixes.get(prefix);
    if (known !== undefined) return known;
    if (this.#prefixes.size >= this.options.maxPrefixes) return null;
    const ranges = this.profile.mediaRanges;
    const holding = ranges.find(
      (range) => range.cidr.network.kind() === ip.kind() && ip.match(range.cidr.network, range.cidr.prefix),
    );
    const judgeable = ranges.some((range) => range.cidr.network.kind() === ip.kind());
    const ms = Date.parse(time);
    const entry: PrefixEntry = {
      prefix,
      inPublishedRange: holding?.cidr.text ?? null,
      outside: judgeable && holding === undefined,
      firstSeen: time,
      firstMs: ms,
      lastSeen: time,
      lastMs: ms,
      messages: 0,
      callHashes: new Set(),
      callsCapped: false,
      ports: new Map(),
    };
    this.#prefixes.set(prefix, entry);
    return entry;
  }

  #count(entry: PrefixEntry, judged: JudgedMessage): void {
    entry.messages++;
    const time = judged.envelope.time;
    const ms = Date.parse(time);
    // Sources may deliver out of order (HEP from several agents): keep the earliest and the latest.
    if (ms < entry.firstMs || Number.isNaN(entry.firstMs)) {
      entry.firstMs = ms;
      entry.firstSeen = time;
    }
    if (ms > entry.lastMs || Number.isNaN(entry.lastMs)) {
      entry.lastMs = ms;
      entry.lastSeen = time;
    }
    const callId = judged.message?.callId;
    if (!callId || entry.callsCapped) return;
    const hash = fnv1a(callId);
    if (entry.callHashes.has(hash)) return;
    if (entry.callHashes.size >= this.options.maxCallsPerPrefix || this.#callIds >= this.options.maxCallIds) {
      entry.callsCapped = true;
      return;
    }
    entry.callHashes.add(hash);
    this.#callIds++;
  }
}

/** The /24 (IPv4) or /48 (IPv6) an address lies in, as CIDR text. */
export function prefixOf(ip: IpAddress): string {
  if (ip.kind() === 'ipv4') {
    const [a, b, c] = (ip as { octets: number[] }).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (ip as { parts: number[] }).parts;
  const hextets = parts.slice(0, 3).map((part) => part.toString(16));
  // Trailing zero hextets fold into `::` as the canonical short form would write them.
  while (hextets.length > 0 && hextets[hextets.length - 1] === '0') hextets.pop();
  return `${hextets.length === 0 ? '' : hextets.join(':')}::/48`;
}

/** 32-bit FNV-1a of a string's UTF-16 code units: Call-IDs are counted, not kept. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
