/**
 * The a= attributes the media model reads, one rule each, same shape as LINE_RULES: example line, the
 * RFC, where it may appear, whether it may repeat at one level, and a reader.
 *
 * RFC 8866 §5.13: an attribute the receiver does not understand is ignored, so attributes that are not
 * in this table only get the generic a= check (a token name).
 */
import { parseCandidate } from './candidate.js';
import { parseCryptoAttribute } from './crypto.js';
import { parseFingerprint } from './fingerprint.js';
import type { Level, LevelRecord } from './level-record.js';
import type { PlacementRule } from './line-rules.js';
import { parseRtcpAttribute } from './rtcp.js';
import { quote } from './syntax.js';
import type { Direction } from './types.js';

/** Reads an attribute value (null for a property attribute such as `a=rtcp-mux`). */
export type AttributeReader = (value: string | null, line: string, level: LevelRecord) => string | null;

export interface AttributeRule extends PlacementRule {
  readonly read: AttributeReader;
}

const MEDIA: readonly Level[] = ['media'];
const BOTH: readonly Level[] = ['session', 'media'];

/**
 * RFC 8866 §6.7 (recvonly, sendrecv, sendonly, inactive) may be session or media level, and RFC 3264
 * §5.1 lets an offer carry one of them per stream: they share one key, so a second one at the same
 * level is flagged. The value kept is the first.
 */
function directionRule(direction: Direction): AttributeRule {
  return {
    name: `a=${direction}`,
    key: 'direction-mode',
    rfc: 'RFC 8866 §6.7',
    levels: BOTH,
    repeats: 'no',
    read: (value, _line, level) => {
      level.direction ??= direction;
      return value === null ? null : `a=${direction} takes no value (RFC 8866 §6.7)`;
    },
  };
}

const SETUP_ROLES = new Set(['active', 'passive', 'actpass', 'holdconn']);
const COMEDIA_DIRECTIONS = new Set(['active', 'passive', 'both']);

export const ATTRIBUTE_RULES: Readonly<Record<string, AttributeRule>> = {
  // a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32
  // RFC 4568 §9.1 defines it at media level. The tag is how the answer names the offered attribute it
  // accepts (§4, §7.1.2), so two attributes with one tag in a section make that choice ambiguous.
  crypto: {
    name: 'a=crypto',
    key: 'crypto',
    rfc: 'RFC 4568 §9.1',
    levels: MEDIA,
    repeats: 'yes',
    read: (value, line, level) => {
      const parsed = parseCryptoAttribute(value ?? '', line);
      const tag = parsed.attribute.tag;
      let duplicateTag = false;
      for (let i = 0; tag !== null && i < level.crypto.length; i++)
        duplicateTag ||= level.crypto[i]!.tag === tag;
      level.crypto.push(parsed.attribute);
      if (duplicateTag) return `a=crypto tag ${tag} appears twice in one media section (RFC 4568 §4)`;
      return parsed.reason;
    },
  },
  // a=fingerprint:sha-256 21:21:07:E8:3C:D0:3B:45:87:9A:31:86:DE:4F:C1:BA:E1:0E:96:BA:41:36:6E:3A:3F:C6:C8:92:95:5B:71:5F
  fingerprint: {
    name: 'a=fingerprint',
    key: 'fingerprint',
    rfc: 'RFC 8122 §5',
    levels: BOTH,
    repeats: 'yes',
    read: (value, line, level) => {
      const parsed = parseFingerprint(value ?? '', line);
      if (parsed.fingerprint !== null) level.fingerprints.push(parsed.fingerprint);
      return parsed.reason;
    },
  },
  // a=setup:actpass
  // RFC 4145 §4: `setup-attr = "a=setup:" role`, `role = "active" / "passive" / "actpass" / "holdconn"`.
  setup: {
    name: 'a=setup',
    key: 'setup',
    rfc: 'RFC 4145 §4',
    levels: BOTH,
    repeats: 'no',
    read: (value, _line, level) => {
      const role = (value ?? '').toLowerCase();
      if (!SETUP_ROLES.has(role))
        return `a=setup role ${quote(value ?? '')} is not active, passive, actpass or holdconn`;
      level.setup ??= role;
      return null;
    },
  },
  // a=rtcp:53020 IN IP4 126.16.64.4
  // RFC 3605 §2.1: "The RTCP attribute MAY be used as a media level attribute; it MUST NOT be used as a
  // session level attribute."
  rtcp: {
    name: 'a=rtcp',
    key: 'rtcp',
    rfc: 'RFC 3605 §2.1',
    levels: MEDIA,
    repeats: 'no',
    read: (value, line, level) => {
      const parsed = parseRtcpAttribute(value ?? '', line);
      level.rtcp ??= parsed.attribute;
      return parsed.reason;
    },
  },
  // a=rtcp-mux
  // RFC 5761 §5.1.1: a media-level property attribute.
  'rtcp-mux': {
    name: 'a=rtcp-mux',
    key: 'rtcp-mux',
    rfc: 'RFC 5761 §5.1.1',
    levels: MEDIA,
    repeats: 'no',
    read: (value, _line, level) => {
      level.rtcpMux = true;
      return value === null ? null : 'a=rtcp-mux takes no value (RFC 5761 §5.1.1)';
    },
  },
  // a=candidate:4675497418 1 udp 2130706431 10.90.200.217 18822 typ host generation 0
  candidate: {
    name: 'a=candidate',
    key: 'candidate',
    rfc: 'RFC 8839 §5.1',
    levels: MEDIA,
    repeats: 'yes',
    read: (value, line, level) => {
      const parsed = parseCandidate(value ?? '', line);
      if (parsed.candidate !== null) level.candidates.push(parsed.candidate);
      return parsed.reason;
    },
  },
  // a=direction:active
  // COMEDIA (draft-ietf-mmusic-sdp-comedia, the predecessor of RFC 4145's a=setup): `a=direction:
  // active|passive|both`; nathelper and old SBCs still act on it.
  direction: {
    name: 'a=direction',
    key: 'comedia-direction',
    rfc: 'draft-ietf-mmusic-sdp-comedia',
    levels: BOTH,
    repeats: 'no',
    read: (value, _line, level) => {
      const direction = (value ?? '').toLowerCase();
      if (!COMEDIA_DIRECTIONS.has(direction)) {
        return `a=direction ${quote(value ?? '')} is not active, passive or both`;
      }
      level.comediaDirection ??= direction;
      return null;
    },
  },
  // a=sendrecv   a=sendonly   a=recvonly   a=inactive
  sendrecv: directionRule('sendrecv'),
  sendonly: directionRule('sendonly'),
  recvonly: directionRule('recvonly'),
  inactive: directionRule('inactive'),
};
