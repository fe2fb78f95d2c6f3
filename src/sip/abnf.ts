/**
 * The few RFC 3261 §25.1 basic rules every other reader file needs: token characters,
 * whitespace, quoted strings. Character tests are table lookups: they run per byte on the hot path.
 */

/**
 * RFC 3261 §25.1:
 * "token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" )"
 */
const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  const extra = "-.!%*_+`'~";
  for (let code = 0; code < 128; code++) {
    const isAlnum =
      (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
    if (isAlnum) table[code] = 1;
  }
  for (const char of extra) table[char.charCodeAt(0)] = 1;
  return table;
})();

export const SP = 0x20;
export const HTAB = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** True when `text` is a non-empty RFC 3261 token. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    if (!isTokenChar(text.charCodeAt(i))) return false;
  }
  return true;
}

/** SP, HTAB, CR or LF: what LWS/SWS is made of once folded lines are joined. */
export function isWhitespace(code: number): boolean {
  return code === SP || code === HTAB || code === CR || code === LF;
}

/** Index of the first non-whitespace character at or after `from` (or `text.length`). */
export function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Given `text[start] === '"'`, the index just past the closing quote, or -1 when the quoted
 * string never ends. RFC 3261 §25.1:
 * "quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE" and
 * "quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)": a backslash escapes the next character.
 */
export function quotedStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) i++;
    else if (code === 0x22) return i + 1;
  }
  return -1;
}

/** True when any character is outside ASCII (the latin1 view then holds UTF-8 bytes). */
export function hasHighBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return true;
  }
  return false;
}

/**
 * The latin1 view keeps byte offsets exact; text shown to people is UTF-8 (RFC 3261 §7.3.1:
 * TEXT-UTF8). Pure ASCII (the usual case) is returned as is without a copy.
 */
export function latin1ToUtf8(text: string): string {
  return hasHighBytes(text) ? Buffer.from(text, 'latin1').toString('utf8') : text;
}

/** Evidence strings are bounded: a problem must never carry a 60 KB header line into a log. */
export const MAX_EVIDENCE = 300;

export function clip(text: string, max = MAX_EVIDENCE): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
