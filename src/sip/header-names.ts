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
import { COMPACT_FORMS, canonicalHeaderName } from './compact-forms.js';

/** Names common enough on trunks to deserve the fast path; anything else still works. */
const WELL_KNOWN = [
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

/** Candidates by `length * 128 + first letter (lower-case)`. */
const BY_SHAPE = new Map<number, string[]>();
for (const name of WELL_KNOWN) {
  const key = name.length * 128 + name.charCodeAt(0);
  const list = BY_SHAPE.get(key);
  if (list === undefined) BY_SHAPE.set(key, [name]);
  else list.push(name);
}

/** Compact forms by lower-case letter code. */
const COMPACT_BY_CODE: (string | undefined)[] = [];
for (const [letter, name] of Object.entries(COMPACT_FORMS)) COMPACT_BY_CODE[letter.charCodeAt(0)] = name;

function lower(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code | 0x20 : code;
}

/** The canonical name of the header name at `text[start, end)`. */
export function canonicalNameAt(text: string, start: number, end: number): string {
  const length = end - start;
  if (length === 1 && text.charCodeAt(start) < 0x80) {
    const code = lower(text.charCodeAt(start));
    return COMPACT_BY_CODE[code] ?? String.fromCharCode(code);
  }
  const candidates = BY_SHAPE.get(length * 128 + lower(text.charCodeAt(start)));
  if (candidates !== undefined) {
    for (const candidate of candidates) {
      let i = 1;
      while (i < length && lower(text.charCodeAt(start + i)) === candidate.charCodeAt(i)) i++;
      if (i === length) return candidate;
    }
  }
  return canonicalHeaderName(text.slice(start, end));
}
