/**
 * Media types (Content-Type values) and their parameters.
 *
 * RFC 3261 §25.1: "media-type = m-type SLASH m-subtype *(SEMI m-parameter)" and
 * "m-parameter = m-attribute EQUAL m-value", "m-value = token / quoted-string". Type, subtype
 * and attribute names are case-insensitive (RFC 2045 §5.1); values are kept as written, a
 * quoted-string unquoted (RFC 2046 §5.1.1 boundaries are often quoted: `boundary="a b"`).
 */
import { isTokenChar, quotedStringEnd, skipWhitespace } from './abnf.js';

export interface MediaType {
  /** `type/subtype`, lower-case, e.g. `application/sdp`. */
  readonly type: string;
  /** Parameters by lower-case name; the first occurrence wins and duplicates are listed. */
  readonly params: ReadonlyMap<string, string>;
  readonly duplicateParams: readonly string[];
}

/** Null when the value has no `type/subtype`. */
export function parseMediaType(value: string): MediaType | null {
  const typeSubtype = readTypeSubtype(value);
  if (typeSubtype === null) return null;
  let i = typeSubtype.end;
  const params = new Map<string, string>();
  const duplicateParams: string[] = [];
  i = skipWhitespace(value, i);
  while (i < value.length && value[i] === ';') {
    i = skipWhitespace(value, i + 1);
    const nameStart = i;
    while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
    const name = value.slice(nameStart, i).toLowerCase();
    i = skipWhitespace(value, i);
    let paramValue = '';
    if (value[i] === '=') {
      i = skipWhitespace(value, i + 1);
      if (value[i] === '"') {
        const end = quotedStringEnd(value, i);
        const close = end < 0 ? value.length : end - 1;
        paramValue = value.slice(i + 1, close).replace(/\\(.)/g, '$1');
        i = end < 0 ? value.length : end;
      } else {
        const valueStart = i;
        while (i < value.length && value[i] !== ';' && value[i] !== ' ' && value[i] !== '\t') i++;
        paramValue = value.slice(valueStart, i);
      }
    }
    if (name !== '') {
      if (params.has(name)) duplicateParams.push(name);
      else params.set(name, paramValue);
    }
    i = skipWhitespace(value, i);
  }
  return { type: typeSubtype.type, params, duplicateParams };
}

/** Just the lower-case `type/subtype` (no parameter parsing): what `SipMessage.contentType` needs. */
export function mediaTypeName(value: string): string | null {
  return readTypeSubtype(value)?.type ?? null;
}

function readTypeSubtype(value: string): { type: string; end: number } | null {
  let i = skipWhitespace(value, 0);
  const typeStart = i;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  const typeEnd = i;
  i = skipWhitespace(value, i);
  if (typeEnd === typeStart || value.charCodeAt(i) !== 0x2f) return null;
  i = skipWhitespace(value, i + 1);
  const subStart = i;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  if (i === subStart) return null;
  const type = `${value.slice(typeStart, typeEnd)}/${value.slice(subStart, i)}`.toLowerCase();
  return { type, end: skipWhitespace(value, i) };
}
