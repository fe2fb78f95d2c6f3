/**
 * Canonical header names read straight from the head text, without copying the name first.
 *
 * On the hot path every header line needs its canonical name (lower-case, compact forms
 * expanded: RFC 3261 §7.3.3). Slicing and lower-casing ~20 names per message, or hashing each
 * fresh slice into a cache, costs more than the rest of the header index. Instead the name is
 * compared in place, case-insensitively (RFC 3261 §7.3.1: "field names are always
 * case-insensitive"), against the well-known names of the same length and first letter; only
 * unknown names are copied.
 */
import { COMPACT_FORMS } from './compact-forms.js';

/**
 * Names common enough on trunks to deserve the fast path; anything else still works. The
 * targets of every compact form are here too. All are tokens (RFC 3261 §25.1).
 */
export const WELL_KNOWN: readonly string[] = [
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'authorization',
  'call-id',
  'call-info',
  'contact',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-type',
  'cseq',
  'date',
  'diversion',
  'event',
  'expires',
  'from',
  'history-info',
  'identity',
  'max-forwards',
  'mime-version',
  'min-expires',
  'min-se',
  'organization',
  'p-asserted-identity',
  'p-charging-vector',
  'p-preferred-identity',
  'path',
  'priority',
  'privacy',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-require',
  'rack',
  'reason',
  'record-route',
  'refer-to',
  'referred-by',
  'remote-party-id',
  'reply-to',
  'require',
  'retry-after',
  'route',
  'rseq',
  'server',
  'service-route',
  'session-expires',
  'subject',
  'subscription-state',
  'supported',
  'timestamp',
  'to',
  'unsupported',
  'user-agent',
  'via',
  'warning',
  'www-authenticate',
];

/**
 * Every name with an index (KNOWN_NAMES[i]): the well-known names, then the targets of compact
 * forms that are not among them. Only the well-known ones are compared in place.
 */
export const KNOWN_NAMES: readonly string[] = [
  ...WELL_KNOWN,
  ...Object.values(COMPACT_FORMS).filter((name) => !WELL_KNOWN.includes(name)),
];

/**
 * Indexes into WELL_KNOWN by `length * 128 + first letter (lower-case)`. The key of a name
 * whose first byte is above 0x7F overlaps the next length's: such a name can match a
 * well-known name one longer on its other letters (kept as it has always behaved).
 */
const BY_SHAPE: (number[] | undefined)[] = [];
WELL_KNOWN.forEach((name, index) => {
  const key = name.length * 128 + name.charCodeAt(0);
  const list = BY_SHAPE[key];
  if (list === undefined) BY_SHAPE[key] = [index];
  else list.push(index);
});

/** The KNOWN_NAMES index of each compact form, by lower-case letter code. */
const COMPACT_BY_CODE: (number | undefined)[] = [];
for (const [letter, name] of Object.entries(COMPACT_FORMS)) {
  COMPACT_BY_CODE[letter.charCodeAt(0)] = KNOWN_NAMES.indexOf(name);
}

function lower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

/**
 * The index in KNOWN_NAMES of the header name at `text[start, end)` (a compact form gives its
 * full name), read in place case-insensitively; -1 for any other name.
 */
export function knownNameAt(text: string, start: number, end: number): number {
  const length = end - start;
  const first = text.charCodeAt(start);
  // Every known name is ASCII; a first byte above 0x7F would also alias another length's shape
  // bucket (length * 128 + code), e.g. "\xF4" would read as "To".
  if (first >= 0x80) return -1;
  if (length === 1) return COMPACT_BY_CODE[lower(first)] ?? -1;
  const candidates = BY_SHAPE[length * 128 + lower(first)];
  if (candidates !== undefined) {
    for (let c = 0; c < candidates.length; c++) {
      const index = candidates[c] as number;
      const candidate = KNOWN_NAMES[index] as string;
      let i = 1;
      while (i < length && lower(text.charCodeAt(start + i)) === candidate.charCodeAt(i)) i++;
      if (i === length) return index;
    }
  }
  return -1;
}
