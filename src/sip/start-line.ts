/**
 * The start line: Request-Line or Status-Line, read strictly (RFC 3261 §7.1, §7.2, §25.1).
 * A start line that does not parse means the message cannot be read at all: the reader
 * rejects it with a reason (a server answers such a request 400, or 505 for the version).
 */
import { isToken } from './abnf.js';
import type { ReadFailure } from './message.js';

export type StartLine =
  | {
      readonly kind: 'request';
      readonly method: string;
      readonly requestUri: string;
      readonly version: string;
    }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string; readonly version: string };

export type StartLineResult =
  | {
      readonly ok: true;
      readonly line: StartLine;
      /** A deviation tolerated because it is harmless (reported as a `malformed-message` problem). */
      readonly problem: string | null;
    }
  | {
      readonly ok: false;
      readonly failure: Extract<ReadFailure, 'start-line' | 'sip-version'>;
      readonly reason: string;
    };

/** RFC 3261 §25.1: "SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT" (case-insensitive, §7.1). */
const SIP_VERSION = /^SIP\/\d+\.\d+$/i;
const SIP_2_0 = /^SIP\/2\.0$/i;

/** `line` is the start line without its line end, in the latin1 view of the bytes. */
export function parseStartLine(line: string): StartLineResult {
  if (line.length === 0) return fail('start-line', 'empty start line');
  // A response starts with the SIP-Version; a Method is a token and can never contain "/".
  if (startsWithSipSlash(line)) return parseStatusLine(line);
  return parseRequestLine(line);
}

/**
 * RFC 3261 §7.1: "Request-Line = Method SP Request-URI SP SIP-Version CRLF" ... "The
 * Request-Line ends with CRLF. No CR or LF are allowed except in the end-of-line CRLF
 * sequence. No linear whitespace (LWS) is allowed in any of the elements."
 */
function parseRequestLine(line: string): StartLineResult {
  // Exactly two SPs, neither at an end nor adjacent; everything else gets a precise reason.
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 <= sp1 + 1 || sp2 === line.length - 1 || line.indexOf(' ', sp2 + 1) >= 0) {
    return fail('start-line', requestLineShapeProblem(line));
  }
  const method = line.slice(0, sp1);
  const requestUri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) return fail('start-line', `Method '${clipShort(method)}' is not a token`);
  const uriProblem = requestUriSyntaxProblem(requestUri);
  if (uriProblem !== null) return fail('start-line', uriProblem);
  const versionProblem = versionFailure(version);
  if (versionProblem !== null) return versionProblem;
  return { ok: true, line: { kind: 'request', method, requestUri, version }, problem: null };
}

/** Why a Request-Line is not three elements separated by single SPs (RFC 4475 lwsstart, trws, lwsruri). */
function requestLineShapeProblem(line: string): string {
  if (line.includes('\t')) return 'Request-Line contains HTAB; elements are separated by single SP';
  if (line.startsWith(' ')) return 'Request-Line starts with SP';
  if (line.endsWith(' ')) return 'Request-Line ends with trailing SP after the SIP-Version';
  if (line.includes('  '))
    return 'Request-Line elements are separated by more than one SP (RFC 3261 §7.1: single SP)';
  const parts = line.split(' ');
  if (parts.length < 3) {
    const last = parts[parts.length - 1] ?? '';
    return SIP_VERSION.test(last)
      ? 'Request-Line has no Request-URI'
      : `Request-Line has no SIP-Version: '${clipShort(line)}'`;
  }
  // More than three single-SP separated elements: whitespace inside one, the Request-URI.
  return `Request-URI contains whitespace ('${clipShort(parts.slice(1, -1).join(' '))}'); RFC 3261 §7.1 allows no LWS in it`;
}

/**
 * RFC 3261 §7.1: "The Request-URI MUST NOT contain unescaped spaces or control characters and
 * MUST NOT be enclosed in "<>"." RFC 3986 §3.1: "scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )".
 */
function requestUriSyntaxProblem(uri: string): string | null {
  if (URI_PLAIN.test(uri)) return null;
  if (uri.charCodeAt(0) === 0x3c || uri.charCodeAt(uri.length - 1) === 0x3e) {
    return `Request-URI '${clipShort(uri)}' is enclosed in "<>" (RFC 3261 §7.1: MUST NOT be)`;
  }
  const colon = uri.indexOf(':');
  if (colon < 1 || !isAlpha(uri.charCodeAt(0))) return `Request-URI '${clipShort(uri)}' has no URI scheme`;
  for (let i = 1; i < colon; i++) {
    const code = uri.charCodeAt(i);
    if (!(isAlpha(code) || isDigit(code) || code === 0x2b || code === 0x2d || code === 0x2e)) {
      return `Request-URI '${clipShort(uri)}' has no URI scheme`;
    }
  }
  for (let i = colon + 1; i < uri.length; i++) {
    const code = uri.charCodeAt(i);
    if (code < 0x80 && NOT_IN_URI[code] === 0) continue;
    if (code <= 0x20 || code >= 0x7f) {
      return `Request-URI contains ${code === 0x20 ? 'SP' : `byte 0x${hex(code)}`}, which must be %-escaped`;
    }
    return `Request-URI contains '${String.fromCharCode(code)}', which must be %-escaped`;
  }
  return null;
}

/**
 * A scheme, ':', then only characters allowed unescaped (not NOT_IN_URI, nothing above 0x7E):
 * what requestUriSyntaxProblem accepts, checked in one native pass.
 */
const URI_PLAIN = /^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20"<>\\^`{|}\x7f-\uffff]*$/;

/** Controls, SP, DEL and the characters RFC 3986 never allows unescaped in a URI: " < > \ ^ ` { | }. */
const NOT_IN_URI = (() => {
  const table = new Uint8Array(128);
  for (let code = 0; code <= 0x20; code++) table[code] = 1;
  table[0x7f] = 1;
  for (const char of '"<>\\^`{|}') table[char.charCodeAt(0)] = 1;
  return table;
})();

/** `SIP/`, case-insensitively, without a regex or a copy. */
function startsWithSipSlash(line: string): boolean {
  return (
    (line.charCodeAt(0) | 0x20) === 0x73 &&
    (line.charCodeAt(1) | 0x20) === 0x69 &&
    (line.charCodeAt(2) | 0x20) === 0x70 &&
    line.charCodeAt(3) === 0x2f
  );
}

function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** RFC 3261 §7.2: "Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF". */
function parseStatusLine(line: string): StartLineResult {
  const firstSp = line.indexOf(' ');
  if (firstSp < 0) return fail('start-line', `Status-Line has no Status-Code: '${clipShort(line)}'`);
  const version = line.slice(0, firstSp);
  const versionProblem = versionFailure(version);
  if (versionProblem !== null) return versionProblem;
  const secondSp = line.indexOf(' ', firstSp + 1);
  const code = secondSp < 0 ? line.slice(firstSp + 1) : line.slice(firstSp + 1, secondSp);
  // RFC 3261 §25.1: "Status-Code = Informational / ... / extension-code" and "extension-code = 3DIGIT".
  if (!/^\d{3}$/.test(code)) {
    return fail('start-line', `Status-Code '${clipShort(code)}' is not 3 digits (RFC 3261 §7.2)`);
  }
  const status = Number(code);
  // RFC 3261 §7.2: the first digit is the class, 1xx to 6xx; nothing defines 0xx or 7xx-9xx.
  if (status < 100 || status > 699) return fail('start-line', `Status-Code ${code} is outside 100-699`);
  // RFC 3261 §25.1: "Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB)".
  const control = firstControl(line, true);
  if (control >= 0) {
    return fail('start-line', `Status-Line contains control character 0x${hex(line.charCodeAt(control))}`);
  }
  if (secondSp < 0) {
    // "SIP/2.0 100" without the SP before an empty Reason-Phrase: harmless, and common enough
    // that refusing to read it would blind the inspector. Reported, not rejected.
    return {
      ok: true,
      line: { kind: 'response', status, reason: '', version },
      problem: 'Status-Line lacks the SP before the (empty) Reason-Phrase (RFC 3261 §7.2)',
    };
  }
  // Reason-Phrase may be empty ("SIP/2.0 100 ", RFC 4475 §3.1.1.13) and may hold UTF-8.
  return {
    ok: true,
    line: { kind: 'response', status, reason: line.slice(secondSp + 1), version },
    problem: null,
  };
}

/**
 * RFC 3261 §7.1: "To be compliant with this specification, applications sending SIP messages
 * MUST include a SIP-Version of "SIP/2.0"." Anything else is a version this reader does not
 * speak (a server answers 505 Version Not Supported, RFC 3261 §21.5.6; RFC 4475 §3.1.2.16).
 */
function versionFailure(version: string): StartLineResult | null {
  if (version === 'SIP/2.0' || SIP_2_0.test(version)) return null;
  if (SIP_VERSION.test(version)) {
    return fail(
      'sip-version',
      `unsupported SIP version '${version}' (only SIP/2.0; answer 505 Version Not Supported)`,
    );
  }
  return fail('start-line', `'${clipShort(version)}' is not a SIP-Version`);
}

function firstControl(line: string, allowTab: boolean): number {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if ((code < 0x20 && !(allowTab && code === 0x09)) || code === 0x7f) return i;
  }
  return -1;
}

function fail(failure: 'start-line' | 'sip-version', reason: string): StartLineResult {
  return { ok: false, failure, reason };
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0');
}

function clipShort(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 80)}…`;
}
