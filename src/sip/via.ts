/**
 * One Via value (one via-parm): sent-protocol, sent-by and parameters.
 *
 * RFC 3261 §25.1:
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *   via-received  = "received" EQUAL (IPv4address / IPv6address)
 * with SLASH = SWS "/" SWS, SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS: whitespace may surround
 * every separator (RFC 4475 wsinv.dat has `SIP  /   2.0 /UDP`).
 * RFC 3581 (rport), its grammar: "response-port = "rport" [EQUAL 1*DIGIT]".
 * RFC 5118 §4.5: `received=[2001:db8::9:255]` (brackets) and `received=2001:db8::9:255` are
 * both met in practice and both read; the value is kept as written.
 */
import { isTokenChar, isWhitespace, quotedStringEnd, skipWhitespace } from './abnf.js';
import type { ViaParams } from './message.js';

export interface ViaReading {
  /** Null only when no sent-protocol and sent-by could be found. */
  readonly via: ViaParams | null;
  /** What breaks the grammar, one reason each. */
  readonly problems: readonly string[];
}

export function parseVia(value: string): ViaReading {
  const problems: string[] = [];
  const length = value.length;
  // Fast path for the spelling nearly everyone sends; the general one allows SWS around "/".
  let transportStart = value.startsWith('SIP/2.0/') ? skipWhitespace(value, 8) : -1;
  if (transportStart < 0) {
    let i = skipWhitespace(value, 0);
    const nameEnd = tokenEnd(value, i);
    const protocolName = value.slice(i, nameEnd);
    i = skipWhitespace(value, nameEnd);
    if (protocolName === '' || codeAt(value, i) !== 0x2f)
      return unreadable(value, 'no sent-protocol (SIP/2.0/transport)');
    i = skipWhitespace(value, i + 1);
    const versionEnd = tokenEnd(value, i);
    const protocolVersion = value.slice(i, versionEnd);
    i = skipWhitespace(value, versionEnd);
    if (protocolVersion === '' || codeAt(value, i) !== 0x2f)
      return unreadable(value, 'no sent-protocol (SIP/2.0/transport)');
    if (protocolName.toUpperCase() !== 'SIP' || protocolVersion !== '2.0') {
      problems.push(`Via sent-protocol is '${protocolName}/${protocolVersion}', not SIP/2.0`);
    }
    transportStart = skipWhitespace(value, i + 1);
  }
  const transportEnd = tokenEnd(value, transportStart);
  if (transportEnd === transportStart) return unreadable(value, 'no transport in sent-protocol');
  const transport = value.slice(transportStart, transportEnd);
  let i = transportEnd;
  if (!isWhitespace(codeAt(value, i))) return unreadable(value, 'no LWS between sent-protocol and sent-by');
  i = skipWhitespace(value, i);

  // sent-by: host [ COLON port ]; an IPv6 reference keeps its brackets.
  let host: string;
  if (codeAt(value, i) === 0x5b) {
    const close = value.indexOf(']', i);
    if (close < 0) return unreadable(value, "IPv6 reference in sent-by has no closing ']'");
    host = value.slice(i, close + 1);
    i = close + 1;
  } else {
    const hostStart = i;
    while (i < length && isHostChar(value.charCodeAt(i))) i++;
    host = value.slice(hostStart, i);
  }
  if (host === '') return unreadable(value, 'no sent-by host');
  let port: number | null = null;
  let j = skipWhitespace(value, i);
  if (codeAt(value, j) === 0x3a) {
    j = skipWhitespace(value, j + 1);
    const portStart = j;
    while (j < length && isDigit(value.charCodeAt(j))) j++;
    const portNumber = j - portStart <= 5 ? digitsValue(value, portStart, j) : -1;
    if (j === portStart || portNumber < 0 || portNumber > 65535) {
      problems.push(`Via sent-by port '${value.slice(portStart, j)}' is not a port number`);
    } else {
      port = portNumber;
    }
    i = j;
  }

  let branch: string | null = null;
  let received: string | null = null;
  let rport: number | true | null = null;
  let maddr: string | null = null;
  i = skipWhitespace(value, i);
  while (i < length) {
    if (value.charCodeAt(i) !== 0x3b) {
      problems.push(
        `unexpected '${value.slice(i, i + 20)}' after the Via sent-by (parameters start with ';')`,
      );
      break;
    }
    i = skipWhitespace(value, i + 1);
    const nameStart = i;
    const nameEnd = tokenEnd(value, i);
    i = skipWhitespace(value, nameEnd);
    // gen-value = token / host / quoted-string; host may be an IPv6 reference or a bare IPv6
    // (received). Only the bounds are kept: the value is copied for the parameters used below.
    let hasValue = false;
    let valueStart = 0;
    let valueEnd = 0;
    if (codeAt(value, i) === 0x3d) {
      i = skipWhitespace(value, i + 1);
      hasValue = true;
      valueStart = i;
      if (codeAt(value, i) === 0x22) {
        const end = quotedStringEnd(value, i);
        valueEnd = end < 0 ? length : end;
      } else {
        // A native scan: branch values are long.
        PARAM_VALUE.lastIndex = i;
        PARAM_VALUE.test(value);
        valueEnd = PARAM_VALUE.lastIndex;
      }
      i = skipWhitespace(value, valueEnd);
    }
    if (nameEnd === nameStart) {
      // RFC 4475 §3.1.2.1 (badinv01.dat): `;;` is an extraneous separator, not a parameter.
      problems.push("empty Via parameter (extraneous ';')");
      if (!hasValue && codeAt(value, i) !== 0x3b && i < length) i++;
      continue;
    }
    const key = paramKey(value, nameStart, nameEnd);
    if (key === BRANCH) {
      const paramValue = hasValue ? value.slice(valueStart, valueEnd) : null;
      if (paramValue === null || paramValue === '') problems.push('Via branch has no value');
      if (branch !== null) problems.push('Via parameter branch appears twice');
      branch ??= paramValue;
    } else if (key === RECEIVED) {
      const paramValue = hasValue ? value.slice(valueStart, valueEnd) : null;
      if (paramValue === null || paramValue === '') problems.push('Via received has no value');
      if (received !== null) problems.push('Via parameter received appears twice');
      received ??= paramValue;
    } else if (key === MADDR) {
      if (maddr !== null) problems.push('Via parameter maddr appears twice');
      maddr ??= hasValue ? value.slice(valueStart, valueEnd) : null;
    } else if (key === RPORT) {
      if (rport !== null) problems.push('Via parameter rport appears twice');
      if (!hasValue) rport ??= true;
      else {
        // response-port = "rport" [EQUAL 1*DIGIT], held to a port number.
        const number = valueEnd - valueStart <= 5 ? digitsValue(value, valueStart, valueEnd) : -1;
        if (number >= 0 && number <= 65535) rport ??= number;
        else problems.push(`Via rport '${value.slice(valueStart, valueEnd)}' is not a port number`);
      }
    }
  }
  return {
    via: { transport: upperCase(transport), host, port, branch, received, rport, maddr },
    problems,
  };
}

const OTHER = 0;
const BRANCH = 1;
const RECEIVED = 2;
const MADDR = 3;
const RPORT = 4;

/** Which of the parameters read here `text[start, end)` names, case-insensitively, without a copy. */
function paramKey(text: string, start: number, end: number): number {
  switch (end - start) {
    case 6:
      return equalsLower(text, start, 'branch') ? BRANCH : OTHER;
    case 8:
      return equalsLower(text, start, 'received') ? RECEIVED : OTHER;
    case 5:
      if (equalsLower(text, start, 'maddr')) return MADDR;
      return equalsLower(text, start, 'rport') ? RPORT : OTHER;
    default:
      return OTHER;
  }
}

/** `lower` is lower-case ASCII; token characters only differ from it by ASCII case. */
function equalsLower(text: string, start: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    let code = text.charCodeAt(start + k);
    if (code >= 0x41 && code <= 0x5a) code |= 0x20;
    if (code !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** The value of `text[start, end)` when it is 1*DIGIT, else -1. Callers bound the length. */
function digitsValue(text: string, start: number, end: number): number {
  if (end === start) return -1;
  let number = 0;
  for (let k = start; k < end; k++) {
    const code = text.charCodeAt(k);
    if (code < 0x30 || code > 0x39) return -1;
    number = number * 10 + (code - 0x30);
  }
  return number;
}

function unreadable(value: string, why: string): ViaReading {
  return { via: null, problems: [`Via '${value.slice(0, 80)}' cannot be read: ${why}`] };
}

/** Up to the next ';', ',' or whitespace (sticky: matches at lastIndex, possibly nothing). */
const PARAM_VALUE = /[^;, \t\r\n]*/y;

/** Token characters are ASCII: upper-cased in place of a copy when already upper-case (UDP, TCP...). */
function upperCase(token: string): string {
  for (let k = 0; k < token.length; k++) {
    const code = token.charCodeAt(k);
    if (code >= 0x61 && code <= 0x7a) return token.toUpperCase();
  }
  return token;
}

/** The character code at `i`, or -1 past the end (no out-of-bounds read for the JIT to undo). */
function codeAt(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) : -1;
}

function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  return i;
}

/** hostname / IPv4address characters (alphanum, '-', '.'), plus '_' seen in real hostnames. */
function isHostChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f
  );
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
