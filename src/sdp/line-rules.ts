/**
 * The raw line pass is driven by this table, one rule per SDP line type, in the spirit of
 * sdp-transform's grammar: each rule has an example line, the RFC 8866 section, where it may appear,
 * whether it may repeat at one level, its place in the fixed line order, and a reader that checks the
 * value (and records what the media model needs).
 *
 * RFC 8866 §5 lists which lines are required and says they "MUST appear in exactly the order given":
 *   session: v o s i u e p c b (t r)+ z k a      media: m i c b k a
 * RFC 8866 §5: "The set of type letters is deliberately small and not intended to be extensible", so a
 * letter missing from this table makes the description malformed.
 */
import { parseConnectionField } from './connection-address.js';
import type { Level, LevelRecord } from './level-record.js';
import { parseMediaLine } from './media-line.js';
import { parseOrigin } from './origin.js';
import { isDigits, isToken } from './syntax.js';
import type { SdpProblemCode } from './types.js';

export type LineType =
  | 'v'
  | 'o'
  | 's'
  | 'i'
  | 'u'
  | 'e'
  | 'p'
  | 'c'
  | 'b'
  | 't'
  | 'r'
  | 'z'
  | 'k'
  | 'm'
  | 'a';

/**
 * - `no`: at most once per level;
 * - `yes`: any number of times;
 * - `multicast-layers`: once, except several multicast addresses at media level (RFC 8866 §5.7).
 */
export type Repeats = 'no' | 'yes' | 'multicast-layers';

/** Reads a line's value: returns why it breaks the grammar, or null; may record into the level. */
export type LineReader = (value: string, line: string, level: LevelRecord) => string | null;

export interface PlacementRule {
  /** How the rule is named in problem reasons: `c=`, `a=rtcp`. */
  readonly name: string;
  /** Rules that share a key exclude each other at one level (a=sendonly vs a=recvonly). */
  readonly key: string;
  readonly rfc: string;
  readonly levels: readonly Level[];
  readonly repeats: Repeats;
  /** The problem code a forbidden repeat raises (default `malformed-sdp`). */
  readonly repeatCode?: SdpProblemCode;
}

export interface LineRule extends PlacementRule {
  /** Rank in the RFC 8866 §5 order at session and media level (ignored where the line is not allowed). */
  readonly order: { readonly session: number; readonly media: number };
  /** Must appear at session level (RFC 8866 §5: v, o, s and at least one t). */
  readonly required: boolean;
  readonly read: LineReader;
}

const SESSION: readonly Level[] = ['session'];
const BOTH: readonly Level[] = ['session', 'media'];
const NOT_IN_MEDIA = -1;

export const LINE_RULES: { readonly [T in LineType]: LineRule } = {
  // v=0
  v: {
    name: 'v=',
    key: 'v',
    rfc: 'RFC 8866 §5.1',
    levels: SESSION,
    repeats: 'no',
    order: { session: 0, media: NOT_IN_MEDIA },
    required: true,
    read: (value) => (value === '0' ? null : 'v= must be 0 (RFC 8866 §5.1)'),
  },
  // o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
  o: {
    name: 'o=',
    key: 'o',
    rfc: 'RFC 8866 §5.2',
    levels: SESSION,
    repeats: 'no',
    order: { session: 1, media: NOT_IN_MEDIA },
    required: true,
    read: (value, line, level) => {
      const parsed = parseOrigin(value, line);
      level.origin ??= parsed.address;
      return parsed.reason;
    },
  },
  // s=Call to John Smith
  s: {
    name: 's=',
    key: 's',
    rfc: 'RFC 8866 §5.3',
    levels: SESSION,
    repeats: 'no',
    order: { session: 2, media: NOT_IN_MEDIA },
    required: true,
    // FIXME: RFC 8866 §5.3 says s= "MUST NOT be empty" ("s= " or "s=-" when there is no name), but
    // plain-text renderings of RFC 4317's own examples carry `s=` and many stacks copy them: accepted.
    read: () => null,
  },
  // i=SDP Offer #1
  i: {
    name: 'i=',
    key: 'i',
    rfc: 'RFC 8866 §5.4',
    levels: BOTH,
    repeats: 'no',
    order: { session: 3, media: 1 },
    required: false,
    read: () => null,
  },
  // u=http://www.jdoe.example.com/home.html
  u: {
    name: 'u=',
    key: 'u',
    rfc: 'RFC 8866 §5.5',
    levels: SESSION,
    repeats: 'no',
    order: { session: 4, media: NOT_IN_MEDIA },
    required: false,
    read: (value) => (value.length > 0 ? null : 'u= must carry a URI (RFC 8866 §5.5)'),
  },
  // e=Jane Doe <jane@jdoe.example.com>
  e: {
    name: 'e=',
    key: 'e',
    rfc: 'RFC 8866 §5.6',
    levels: SESSION,
    repeats: 'yes',
    order: { session: 5, media: NOT_IN_MEDIA },
    required: false,
    read: (value) => (value.length > 0 ? null : 'e= must carry an email address (RFC 8866 §5.6)'),
  },
  // p=+1 617 555-6011
  p: {
    name: 'p=',
    key: 'p',
    rfc: 'RFC 8866 §5.6',
    levels: SESSION,
    repeats: 'yes',
    order: { session: 6, media: NOT_IN_MEDIA },
    required: false,
    read: (value) => (value.length > 0 ? null : 'p= must carry a phone number (RFC 8866 §5.6)'),
  },
  // c=IN IP4 198.51.100.1       c=IN IP4 233.252.0.1/127/3       c=IN IP6 2001:db8::2
  // RFC 8866 §5.7: "Multiple addresses or "c=" lines MAY be specified on a per media description basis
  // only if they provide multicast addresses for different layers in a hierarchical or layered encoding
  // scheme. Multiple addresses or "c=" lines MUST NOT be specified at the session level."
  c: {
    name: 'c=',
    key: 'c',
    rfc: 'RFC 8866 §5.7',
    levels: BOTH,
    repeats: 'multicast-layers',
    repeatCode: 'duplicate-connection-line',
    order: { session: 7, media: 2 },
    required: false,
    read: (value, line, level) => {
      const parsed = parseConnectionField(value, line);
      level.connections.push(parsed.address);
      return parsed.reason;
    },
  },
  // b=AS:64
  b: {
    name: 'b=',
    key: 'b',
    rfc: 'RFC 8866 §5.8',
    levels: BOTH,
    repeats: 'yes',
    order: { session: 8, media: 3 },
    required: false,
    read: (value) => {
      // bandwidth-field = %s"b" "=" bwtype ":" bandwidth ; bwtype = token ; bandwidth = 1*DIGIT
      const colon = value.indexOf(':');
      const ok = colon > 0 && isToken(value.slice(0, colon)) && isDigits(value.slice(colon + 1));
      return ok ? null : 'b= must be <bwtype>:<bandwidth> (RFC 8866 §5.8)';
    },
  },
  // t=0 0
  t: {
    name: 't=',
    key: 't',
    rfc: 'RFC 8866 §5.9',
    levels: SESSION,
    repeats: 'yes',
    order: { session: 9, media: NOT_IN_MEDIA },
    required: true,
    read: (value) => {
      // time-fields = start-time SP stop-time ; both 1*DIGIT (NTP seconds, 0 = unbounded)
      const space = value.indexOf(' ');
      const ok = space > 0 && isDigits(value.slice(0, space)) && isDigits(value.slice(space + 1));
      return ok ? null : 't= must be <start-time> <stop-time> in decimal seconds (RFC 8866 §5.9)';
    },
  },
  // r=604800 3600 0 90000       r=7d 1h 0 25h
  r: {
    name: 'r=',
    key: 'r',
    rfc: 'RFC 8866 §5.10',
    levels: SESSION,
    repeats: 'yes',
    order: { session: 9, media: NOT_IN_MEDIA },
    required: false,
    read: (value) => {
      const parts = value.split(' ');
      const ok = parts.length >= 3 && parts.every(isTypedTime);
      return ok ? null : 'r= must be <repeat interval> <active duration> <offsets...> (RFC 8866 §5.10)';
    },
  },
  // z=2882844526 -1h 2898848070 0
  z: {
    name: 'z=',
    key: 'z',
    rfc: 'RFC 8866 §5.11',
    levels: SESSION,
    repeats: 'no',
    order: { session: 10, media: NOT_IN_MEDIA },
    required: false,
    read: (value) => {
      const parts = value.split(' ');
      let ok = parts.length >= 2 && parts.length % 2 === 0;
      for (let i = 0; ok && i < parts.length; i += 2) {
        const offset = parts[i + 1] ?? '';
        ok = isDigits(parts[i] ?? '') && isTypedTime(offset.startsWith('-') ? offset.slice(1) : offset);
      }
      return ok ? null : 'z= must be pairs of <adjustment time> <offset> (RFC 8866 §5.11)';
    },
  },
  // k=prompt  (obsolete: RFC 8866 §5.12 says it MUST NOT be sent; evidence never shows its key)
  k: {
    name: 'k=',
    key: 'k',
    rfc: 'RFC 8866 §5.12',
    levels: BOTH,
    repeats: 'no',
    order: { session: 11, media: 4 },
    required: false,
    read: (value) => {
      const colon = value.indexOf(':');
      return isToken(colon === -1 ? value : value.slice(0, colon)) ? null : 'k= must be <method>[:<key>]';
    },
  },
  // a=rtpmap:0 PCMU/8000       a=sendrecv       (the attribute itself is read by ATTRIBUTE_RULES)
  a: {
    name: 'a=',
    key: 'a',
    rfc: 'RFC 8866 §5.13',
    levels: BOTH,
    repeats: 'yes',
    order: { session: 12, media: 5 },
    required: false,
    read: (value) => {
      // attribute = (attribute-name ":" attribute-value) / attribute-name ; attribute-name = token
      const colon = value.indexOf(':');
      const name = colon === -1 ? value : value.slice(0, colon);
      return isToken(name)
        ? null
        : 'a= must be <attribute-name>[:<value>] with a token name (RFC 8866 §5.13)';
    },
  },
  // m=audio 49170 RTP/AVP 0       m=video 51372/2 RTP/AVP 99
  m: {
    name: 'm=',
    key: 'm',
    rfc: 'RFC 8866 §5.14',
    levels: ['media'],
    repeats: 'yes',
    order: { session: NOT_IN_MEDIA, media: 0 },
    required: false,
    read: (value, _line, level) => {
      const parsed = parseMediaLine(value);
      level.media = parsed.media;
      return parsed.reason;
    },
  },
};

/** RFC 8866 §9: `typed-time = 1*DIGIT [fixed-len-time-unit]`, unit one of d h m s. */
function isTypedTime(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  const unit = last === 100 || last === 104 || last === 109 || last === 115;
  return isDigits(unit ? text.slice(0, -1) : text);
}
