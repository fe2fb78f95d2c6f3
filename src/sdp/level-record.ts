/**
 * What the raw pass records for one level: the session section, or one m= section.
 * Single-valued lines keep their FIRST occurrence (a repeat is flagged, never silently replaced);
 * repeatable ones keep every occurrence in order.
 */

import type { MediaLine } from './media-line.js';
import type { RtcpAttribute } from './rtcp.js';
import type { ConnectionAddress, CryptoAttribute, Direction, Fingerprint, IceCandidate } from './types.js';

export type Level = 'session' | 'media';

export interface LevelRecord {
  readonly level: Level;
  /** 0-based m= index, or null for the session level. */
  readonly mediaIndex: number | null;
  /** The m= line (redacted), or null at session level. */
  readonly mediaText: string | null;
  media: MediaLine | null;
  origin: ConnectionAddress | null;
  readonly connections: ConnectionAddress[];
  direction: Direction | null;
  setup: string | null;
  comediaDirection: string | null;
  rtcp: RtcpAttribute | null;
  rtcpMux: boolean;
  readonly crypto: CryptoAttribute[];
  readonly fingerprints: Fingerprint[];
  readonly candidates: IceCandidate[];
  /**
   * The rule keys seen at this level, for "at most once per level": one bit per key (raw-lines.ts
   * numbers the keys of LINE_RULES and ATTRIBUTE_RULES once, at load).
   */
  seen: number;
  /** Order rank of the last line, for RFC 8866 §5's fixed line order. */
  lastOrder: number;
}

export function newLevelRecord(mediaIndex: number | null, mediaText: string | null): LevelRecord {
  return {
    level: mediaIndex === null ? 'session' : 'media',
    mediaIndex,
    mediaText,
    media: null,
    origin: null,
    connections: [],
    direction: null,
    setup: null,
    comediaDirection: null,
    rtcp: null,
    rtcpMux: false,
    crypto: [],
    fingerprints: [],
    candidates: [],
    seen: 0,
    lastOrder: -1,
  };
}
