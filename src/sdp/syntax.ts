/**
 * The few terminal rules of the SDP grammar (RFC 8866 §9) that every line reader shares.
 * Loops over char codes instead of regexes: they run for every field of every line.
 */

/** `1*DIGIT`, optionally with a maximum length. */
export function isDigits(text: string, maxLength = Number.POSITIVE_INFINITY): boolean {
  if (text.length === 0 || text.length > maxLength) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** isDigits over `text.slice(start, end)`, without the slice. */
export function isDigitsRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/**
 * RFC 8866 §9: `token = 1*(token-char)`,
 * `token-char = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "{" / "|" / "}" / "~"`
 * (the ABNF spells it as %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E).
 */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || TOKEN_CHARS[code] !== 1) return false;
  }
  return true;
}

/** isToken over `text.slice(start, end)`, without the slice. */
export function isTokenRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || TOKEN_CHARS[code] !== 1) return false;
  }
  return true;
}

const TOKEN_CHARS = buildTokenChars();

function buildTokenChars(): Uint8Array {
  const table = new Uint8Array(0x7f);
  for (let code = 0x21; code <= 0x7e; code++) {
    const excluded = code === 0x22 || code === 0x28 || code === 0x29 || code === 0x2c || code === 0x2f;
    const separator = (code >= 0x3a && code <= 0x40) || code === 0x5b || code === 0x5c || code === 0x5d;
    table[code] = excluded || separator ? 0 : 1;
  }
  return table;
}

/** RFC 5234 VCHAR: visible (printing) characters, %x21-7E. */
export function isVisible(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/** isVisible over `text.slice(start, end)`, without the slice. */
export function isVisibleRange(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

/**
 * What a lenient (atoi-style) receiver would read from a field like `5000x` or `5000/2`: the leading
 * digits, or null when there are none. We judge what such a receiver would use, and flag the line.
 */
export function leadingInteger(text: string): number | null {
  let end = 0;
  while (end < text.length && end < 15) {
    const code = text.charCodeAt(end);
    if (code < 48 || code > 57) break;
    end++;
  }
  return end === 0 ? null : Number(text.slice(0, end));
}

/** RFC 8866 §9 `port = 1*DIGIT`; a UDP/TCP port is 0-65535. */
export function toPort(text: string): number | null {
  if (!isDigits(text, 5)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** Puts a piece of input into a reason, shortened, so reasons stay one readable line. */
export function quote(text: string, max = 48): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return `'${shown}'`;
}
