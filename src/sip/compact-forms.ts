/**
 * Compact header names.
 *
 * RFC 3261 §7.3.3: "SIP provides a mechanism to represent common header field names in an
 * abbreviated form." ... "Implementations MUST accept both the long and short forms of each
 * header name."
 *
 * The letters come from the IANA "Header Fields" registry (compact column): RFC 3261 (i m e l c
 * f s k t v), RFC 3265/6665 (o u), RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 3841 (a j d),
 * RFC 4474/8224 (y, and the retired n).
 */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/**
 * Canonical names already computed, keyed by the name as written. Real traffic uses a few
 * dozen spellings, so a lookup replaces a lower-casing copy per header on the hot path. The
 * cache stops growing at a fixed size so that random header names cannot inflate it.
 */
const CANONICAL_CACHE = new Map<string, string>();
const CANONICAL_CACHE_MAX = 512;

/**
 * The canonical name of a header: lower-case full form. Header names are case-insensitive
 * (RFC 3261 §7.3.1: "field names are always case-insensitive"), so `VIA`, `Via` and `v` all give `via`.
 */
export function canonicalHeaderName(rawName: string): string {
  const cached = CANONICAL_CACHE.get(rawName);
  if (cached !== undefined) return cached;
  const lower = rawName.toLowerCase();
  const name = lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
  if (CANONICAL_CACHE.size < CANONICAL_CACHE_MAX) CANONICAL_CACHE.set(rawName, name);
  return name;
}
