/**
 * name-addr / addr-spec values: To, From, Contact, Route, Record-Route, Reply-To, Refer-To...
 *
 * RFC 3261 §25.1:
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS)/ quoted-string
 *   LAQUOT = SWS "<"   and   RAQUOT = ">" SWS
 * so whitespace may come before "<" and after ">", never inside them.
 *
 * RFC 3261 §20.10: "Even if the "display-name" is empty, the "name-addr" form MUST be used if
 * the "addr-spec" contains a comma, semicolon, or question mark." ... "If no "<" and ">" are
 * present, all parameters after the URI are header parameters, not URI parameters."
 */
import { isTokenChar, isWhitespace, quotedStringEnd, skipWhitespace } from './abnf.js';
import { trimLws } from './header-values.js';

export type Param = readonly [name: string, value: string | null];

export interface NameAddrReading {
  /** The display name as written (quotes kept), or null. */
  readonly displayName: string | null;
  /** The URI inside `<>`, or the addr-spec up to the first ';'. Empty when unreadable. */
  readonly uri: string;
  readonly bracketed: boolean;
  /** Header parameters after the URI (after `>`, or after the first ';' of an addr-spec). */
  readonly params: readonly Param[];
  /** What breaks the grammar, one reason each. */
  readonly problems: readonly string[];
}

export function parseNameAddr(value: string): NameAddrReading {
  const problems: string[] = [];
  let i = skipWhitespace(value, 0);
  if (i === value.length) return unreadable('empty value');
  if (value.charCodeAt(i) === 0x22) {
    const end = quotedStringEnd(value, i);
    if (end < 0) return unreadable('unterminated quoted string in the display name');
    const displayName = value.slice(i, end);
    i = skipWhitespace(value, end);
    if (value.charCodeAt(i) !== 0x3c) return unreadable("quoted display name not followed by '<addr-spec>'");
    return bracketed(value, i, displayName, problems);
  }
  const lt = value.indexOf('<', i);
  if (lt >= 0) {
    // The display name is value[i, lt) trimmed of LWS (i is past any leading LWS already).
    let nameEnd = lt;
    while (nameEnd > i && isWhitespace(value.charCodeAt(nameEnd - 1))) nameEnd--;
    for (let k = i; k < nameEnd; k++) {
      const code = value.charCodeAt(k);
      if (!isTokenChar(code) && !isWhitespace(code)) {
        const displayName = value.slice(i, nameEnd);
        problems.push(
          `unquoted display name '${displayName.slice(0, 60)}' contains '${value[k]}': outside tokens it must be a quoted-string`,
        );
        break;
      }
    }
    return bracketed(value, lt, nameEnd === i ? null : value.slice(i, nameEnd), problems);
  }
  // addr-spec form: the URI ends at the first ';' (what follows are header parameters).
  const semi = value.indexOf(';', i);
  const uri = trimLws(value.slice(i, semi < 0 ? value.length : semi));
  if (hasLws(uri)) problems.push(`whitespace inside the URI '${uri.slice(0, 60)}'`);
  for (const char of ['?', ',']) {
    if (uri.includes(char)) {
      problems.push(
        `URI '${uri.slice(0, 60)}' contains '${char}' but is not enclosed in '<>' (RFC 3261 §20.10)`,
      );
    }
  }
  const params = semi < 0 ? [] : readParams(value, semi, problems);
  return { displayName: null, uri, bracketed: false, params, problems };
}

function bracketed(
  value: string,
  lt: number,
  displayName: string | null,
  problems: string[],
): NameAddrReading {
  const gt = value.indexOf('>', lt);
  if (gt < 0)
    return { displayName, uri: '', bracketed: true, params: [], problems: [...problems, "'<' without '>'"] };
  const uri = value.slice(lt + 1, gt);
  if (hasLws(uri)) {
    problems.push(
      `whitespace inside '<${uri.slice(0, 60)}>' (RFC 3261 §25.1: LAQUOT = SWS "<", RAQUOT = ">" SWS)`,
    );
  }
  const trimmed = uri.trim();
  if (trimmed === '') problems.push("empty URI in '<>'");
  const i = skipWhitespace(value, gt + 1);
  let params: Param[] = [];
  if (i < value.length) {
    const code = value.charCodeAt(i);
    if (code === 0x3b) params = readParams(value, i, problems);
    else if (code === 0x2c) problems.push("a second value after ',' where one name-addr is allowed");
    else problems.push(`unexpected '${value.slice(i, i + 20)}' after '>'`);
  }
  return { displayName, uri: trimmed, bracketed: true, params, problems };
}

const LWS = /[ \t\r\n]/;

/** True when `text` holds SP, HTAB, CR or LF anywhere (one native scan beats a JS loop here). */
function hasLws(text: string): boolean {
  return LWS.test(text);
}

/** `*( SEMI generic-param )` from `value[from] === ';'`. */
function readParams(value: string, from: number, problems: string[]): Param[] {
  const params: Param[] = [];
  const length = value.length;
  let i = from;
  let reportedEmpty = false;
  while (i < length) {
    if (value.charCodeAt(i) !== 0x3b) {
      problems.push(`unexpected '${value.slice(i, i + 20)}' in parameters`);
      break;
    }
    i = skipWhitespace(value, i + 1);
    const nameStart = i;
    while (i < length && isTokenChar(value.charCodeAt(i))) i++;
    const nameEnd = i;
    i = skipWhitespace(value, i);
    let paramValue: string | null = null;
    if (value.charCodeAt(i) === 0x3d) {
      i = skipWhitespace(value, i + 1);
      if (value.charCodeAt(i) === 0x22) {
        const end = quotedStringEnd(value, i);
        if (end < 0) {
          problems.push('unterminated quoted string in a parameter value');
          paramValue = value.slice(i);
          i = length;
        } else {
          paramValue = value.slice(i, end);
          i = end;
        }
      } else {
        const valueStart = i;
        while (i < length) {
          const code = value.charCodeAt(i);
          if (code === 0x3b || isWhitespace(code)) break;
          i++;
        }
        paramValue = value.slice(valueStart, i);
      }
      i = skipWhitespace(value, i);
    }
    if (nameEnd === nameStart) {
      // RFC 4475 §3.1.2.1 (badinv01.dat): `;;;;` are extraneous separators.
      if (!reportedEmpty) problems.push("empty parameter (extraneous ';')");
      reportedEmpty = true;
      if (paramValue === null && i < length && value.charCodeAt(i) !== 0x3b) {
        problems.push(`unexpected '${value.slice(i, i + 20)}' in parameters`);
        break;
      }
      continue;
    }
    params.push([lowerToken(value, nameStart, nameEnd), paramValue]);
  }
  return params;
}

/** `text[start, end)` (token characters, so ASCII) lower-cased, copied once. */
function lowerToken(text: string, start: number, end: number): string {
  for (let k = start; k < end; k++) {
    const code = text.charCodeAt(k);
    if (code >= 0x41 && code <= 0x5a) return text.slice(start, end).toLowerCase();
  }
  return text.slice(start, end);
}

function unreadable(why: string): NameAddrReading {
  return { displayName: null, uri: '', bracketed: false, params: [], problems: [why] };
}
