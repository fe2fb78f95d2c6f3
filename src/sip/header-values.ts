/**
 * Comma-separated header values.
 *
 * RFC 3261 §7.3.1: "Multiple header field rows with the same field-name MAY be present in a
 * message if and only if the entire field-value for that header field is defined as a
 * comma-separated list (that is, if follows the grammar defined in Section 7.3)." ... "it MUST
 * be possible to combine the multiple header field rows into one "field-name: field-value" pair,
 * without changing the semantics of the message, by appending each subsequent field-value to the
 * first, each separated by a comma."
 */

/**
 * Headers whose grammar is NOT a comma-separated list: their commas are data (`Date: Sat, 13
 * Nov 2010 ...`, a display name, digest credentials `Digest realm="a", nonce="b"`), so
 * `headerValues()` gives one value per occurrence for them instead of splitting.
 */
export const SINGLE_VALUE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'call-id',
  'content-disposition',
  'content-length',
  'content-type',
  'cseq',
  'date',
  'event',
  'expires',
  'from',
  'identity',
  'identity-info',
  'max-forwards',
  'mime-version',
  'min-expires',
  'min-se',
  'organization',
  'priority',
  'proxy-authenticate',
  'proxy-authorization',
  'rack',
  'refer-to',
  'referred-by',
  'reply-to',
  'retry-after',
  'rseq',
  'server',
  'session-expires',
  'subject',
  'subscription-state',
  'timestamp',
  'to',
  'user-agent',
  'www-authenticate',
]);

/**
 * Splits one field value on commas that are outside quoted strings and outside `<...>`; each
 * element is trimmed of SP/HTAB/CR/LF. Empty elements are kept (`a,,b` gives `a`, ``, `b`):
 * the grammar checks report them, and callers that only want values filter them out.
 * An unterminated quoted string swallows the rest of the value (it is reported elsewhere).
 */
export function splitHeaderValue(value: string): string[] {
  // Fast path: most values (Call-ID, CSeq, a single Via) have no comma at all.
  if (!value.includes(',')) return [trimLws(value)];
  const out: string[] = [];
  let start = 0;
  for (const comma of valueSeparators(value)) {
    out.push(trimLws(value.slice(start, comma)));
    start = comma + 1;
  }
  out.push(trimLws(value.slice(start)));
  return out;
}

/**
 * Offsets of the first `limit` commas that separate values: commas inside a quoted string
 * (`"Doe, John"`) or inside `<...>` (`<sip:a;x=",">`) are data. splitHeaderValue splits here, and
 * the proxy's splice removes a value by the same offsets, so the two always agree.
 */
export function valueSeparators(text: string, limit = Number.POSITIVE_INFINITY): number[] {
  const found: number[] = [];
  let inQuote = false;
  let angle = 0;
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const code = text.charCodeAt(i);
    if (inQuote) {
      // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) escapes the next character.
      if (code === 0x5c) i++;
      else if (code === 0x22) inQuote = false;
    } else if (code === 0x22) {
      inQuote = true;
    } else if (code === 0x3c) {
      angle++;
    } else if (code === 0x3e) {
      if (angle > 0) angle--;
    } else if (code === 0x2c && angle === 0) {
      found.push(i);
    }
  }
  return found;
}

/**
 * Trims SP, HTAB, CR and LF only. `String.prototype.trim` would also strip U+00A0 and U+0085,
 * which in the latin1 view are UTF-8 continuation bytes (0xA0, 0x85) of real characters.
 */
export function trimLws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isLws(text.charCodeAt(start))) start++;
  while (end > start && isLws(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isLws(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}
