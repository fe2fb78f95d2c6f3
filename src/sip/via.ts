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
  // Fast path for the spelling nearly everyone sends; the general one allows SWS around "/".
  let transportStart = value.startsWith('SIP/2.0/') ? skipWhitespace(value, 8) : -1;
  if (transportStart < 0) {
    let i = skipWhitespace(value, 0);
    const nameEnd = tokenEnd(value, i);
    const protocolName = value.slice(i, nameEnd);
    i = skipWhitespace(value, nameEnd);
    if (protocolName === '' || value.charCodeAt(i) !== 0x2f)
      return unreadable(value, 'no sent-protocol (SIP/2.0/transport)');
    i = skipWhitespace(value, i + 1);
    const versionEnd = tokenEnd(value, i);
    const protocolVersion = value.slice(i, versionEnd);
    i = skipWhitespace(value, versionEnd);
    if (protocolVersion === '' || value.charCodeAt(i) !== 0x2f)
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
  if (!isWhitespace(value.charCodeAt(i)))
    return unreadable(value, 'no LWS between sent-protocol and sent-by');
  i = skipWhitespace(value, i);

  // sent-by: host [ COLON port ]; an IPv6 reference keeps its brackets.
  let host: string;
  if (value.charCodeAt(i) === 0x5b) {
    const close = value.indexOf(']', i);
    if (close < 0) return unreadable(value, "IPv6 reference in sent-by has no closing ']'");
    host = value.slice(i, close + 1);
    i = close + 1;
  } else {
    const hostStart = i;
    while (i < value.length && isHostChar(value.charCodeAt(i))) i++;
    host = value.slice(hostStart, i);
  }
  if (host === '') return unreadable(value, 'no sent-by host');
  let port: number | null = null;
  let j = skipWhitespace(value, i);
  if (value.charCodeAt(j) === 0x3a) {
    j = skipWhitespace(value, j + 1);
    const portStart = j;
    while (j < value.length && isDigit(value.charCodeAt(j))) j++;
    const portText = value.slice(portStart, j);
    if (portText === '' || portText.length > 5 || Number(portText) > 65535) {
      problems.push(`Via sent-by port '${portText}' is not a port number`);
    } else {
      port = Number(portText);
    }
    i = j;
  }

  let branch: string | null = null;
  let received: string | null = null;
  let rport: number | true | null = null;
  let maddr: string | null = null;
  i = skipWhitespace(value, i);
  while (i < value.length) {
    if (value.charCodeAt(i) !== 0x3b) {
      problems.push(
        `unexpected '${value.slice(i, i + 20)}' after the Via sent-by (parameters start with ';')`,
      );
      break;
    }
    i = skipWhitespace(value, i + 1);
    const nameEnd = tokenEnd(value, i);
    const name = value.slice(i, nameEnd);
    i = skipWhitespace(value, nameEnd);
    let paramValue: string | null = null;
    if (value.charCodeAt(i) === 0x3d) {
      i = skipWhitespace(value, i + 1);
      const read = readParamValue(value, i);
      paramValue = read.text;
      i = skipWhitespace(value, read.end);
    }
    if (name === '') {
      // RFC 4475 §3.1.2.1 (badinv01.dat): `;;` is an extraneous separator, not a parameter.
      problems.push("empty Via parameter (extraneous ';')");
      if (paramValue === null && value.charCodeAt(i) !== 0x3b && i < value.length) i++;
      continue;
    }
    const key = name.toLowerCase();
    if (key === 'branch') {
      if (paramValue === null || paramValue === '') problems.push('Via branch has no value');
      if (branch !== null) problems.push('Via parameter branch appears twice');
      branch ??= paramValue;
    } else if (key === 'received') {
      if (paramValue === null || paramValue === '') problems.push('Via received has no value');
      if (received !== null) problems.push('Via parameter received appears twice');
      received ??= paramValue;
    } else if (key === 'maddr') {
      if (maddr !== null) problems.push('Via parameter maddr appears twice');
      maddr ??= paramValue;
    } else if (key === 'rport') {
      if (rport !== null) problems.push('Via parameter rport appears twice');
      if (paramValue === null) rport ??= true;
      else if (/^\d{1,5}$/.test(paramValue) && Number(paramValue) <= 65535) rport ??= Number(paramValue);
      else problems.push(`Via rport '${paramValue}' is not a port number`);
    }
  }
  return {
    via: { transport: transport.toUpperCase(), host, port, branch, received, rport, maddr },
    problems,
  };
}

function unreadable(value: string, why: string): ViaReading {
  return { via: null, problems: [`Via '${value.slice(0, 80)}' cannot be read: ${why}`] };
}

function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  return i;
}

/** gen-value = token / host / quoted-string; host may be an IPv6 reference or a bare IPv6 (received). */
function readParamValue(text: string, from: number): { text: string; end: number } {
  if (text.charCodeAt(from) === 0x22) {
    const end = quotedStringEnd(text, from);
    return end < 0 ? { text: text.slice(from), end: text.length } : { text: text.slice(from, end), end };
  }
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x3b || code === 0x2c || isWhitespace(code)) break;
    i++;
  }
  return { text: text.slice(from, i), end: i };
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
