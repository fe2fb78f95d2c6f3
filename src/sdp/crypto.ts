/**
 * SDES `a=crypto` (RFC 4568). sdp-transform keeps only the first session parameter and never looks
 * inside the key parameters, so we read the attribute ourselves, against RFC 4568 §9.1 and §9.2:
 *
 *   a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]
 *   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP
 *   a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIz...|2^20|1:4;inline:QUJj...|2^20|2:4 FEC_ORDER=FEC_SRTP
 *
 * The key itself is never kept: only its decoded length and a per-process keyed digest. A key the
 * negotiation log already replaced by its hash (`inline:redacted-<hex>`) is read as a key of unknown
 * length whose digest is that hash, so that judging the log again still sees key reuse.
 */
import { base64ByteLength, digestSdesKey, redactedKeyDigest } from './key-digest.js';
import { REDACTED, redactIfKeyed, redactSdesKeys } from './redact.js';
import { isDigits, isVisible, quote } from './syntax.js';
import type { CryptoAttribute, CryptoKeyParam } from './types.js';

export interface ParsedCrypto {
  readonly attribute: CryptoAttribute;
  /** The first way the line breaks the RFC 4568 grammar, or null. */
  readonly reason: string | null;
}

/**
 * `value` is what follows `a=crypto:`, as received; `line` is the line already passed through
 * redactCryptoLine, which is the only form of it that is ever kept.
 */
export function parseCryptoAttribute(value: string, line: string): ParsedCrypto {
  // The words of the value, split on 1*WSP as value.split(/[ \t]+/) would (a leading blank gives an
  // empty first word), walked in place: tag, crypto-suite, key-params, then session parameters.
  let reason: string | null = null;

  // RFC 4568 §9.1: tag = 1*9DIGIT
  let end = wordEnd(value, 0);
  const tag = readTag(value, 0, end);
  if (tag === null) reason ??= 'the tag must be 1 to 9 digits (RFC 4568 §9.1)';

  // crypto-suite = 1*(ALPHA / DIGIT / "_")
  let start = nextWord(value, end);
  end = wordEnd(value, start);
  const suiteText = start === -1 ? '' : value.slice(start, end);
  const suiteOk = isSuiteName(suiteText);
  if (!suiteOk) reason ??= 'the crypto-suite must be letters, digits and _ (RFC 4568 §9.1)';

  // key-params = key-param *(";" key-param)
  start = nextWord(value, end);
  end = wordEnd(value, start);
  const keyParams: CryptoKeyParam[] = [];
  if (start === end) {
    reason ??= 'a=crypto needs <tag> <crypto-suite> <key-params> (RFC 4568 §9.1)';
  } else {
    for (let paramStart = start; ; ) {
      let paramEnd = value.indexOf(';', paramStart);
      if (paramEnd === -1 || paramEnd > end) paramEnd = end;
      const parsed = value.startsWith('inline:', paramStart)
        ? parseInlineKey(value, paramStart + 7, paramEnd)
        : parseKeyParam(value.slice(paramStart, paramEnd));
      keyParams.push(parsed.param);
      if (parsed.reason !== null) reason ??= parsed.reason;
      if (paramEnd === end) break;
      paramStart = paramEnd + 1;
    }
  }

  const sessionParams: string[] = [];
  for (start = nextWord(value, end); start !== -1; start = nextWord(value, end)) {
    end = wordEnd(value, start);
    const word = value.slice(start, end);
    const paramReason = checkSessionParam(word);
    if (paramReason !== null) reason ??= paramReason;
    sessionParams.push(redactIfKeyed(word));
  }

  return {
    attribute: {
      tag,
      suite: suiteOk ? suiteText : redactIfKeyed(suiteText),
      keyParams,
      sessionParams,
      line,
      wellFormed: reason === null,
    },
    reason,
  };
}

/** Where the word at `from` ends (the next blank, or the end); `from` -1 (no word) gives -1. */
function wordEnd(text: string, from: number): number {
  if (from === -1) return -1;
  let at = from;
  while (at < text.length && !isWhitespace(text.charCodeAt(at))) at++;
  return at;
}

/** Where the word after the one ending at `end` starts, or -1 when the value ends there. */
function nextWord(text: string, end: number): number {
  if (end === -1 || end >= text.length) return -1;
  let at = end + 1;
  while (at < text.length && isWhitespace(text.charCodeAt(at))) at++;
  return at;
}

/** RFC 4568 §9.1 `tag = 1*9DIGIT`, read from `text.slice(start, end)`, or null. */
function readTag(text: string, start: number, end: number): number | null {
  if (end <= start || end - start > 9) return null;
  let tag = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return null;
    tag = tag * 10 + (code - 48);
  }
  return tag;
}

/**
 * An a=crypto line as it may be kept or logged: the key-info of every key-param replaced (keeping the
 * lifetime and MKI, like redactSdesKeys), a key-param without a method replaced whole, and FEC_KEY
 * redacted the same way. Unlike redactSdesKeys it does not need the `inline:` prefix to find the key, so
 * a line that lost its method still does not leak it.
 */
export function redactCryptoLine(line: string): string {
  const prefix = 'a=crypto:';
  if (!line.startsWith(prefix)) return redactSdesKeys(line);
  // One walk over the words (split on 1*WSP, as parseCryptoAttribute does), copying the line between
  // the spans that change: usually one span, the key, so the result is three pieces of the line.
  const redaction = new Redaction(line);
  const length = line.length;
  let start = prefix.length;
  for (let word = 0; ; word++) {
    let end = start;
    while (end < length && !isWhitespace(line.charCodeAt(end))) end++;
    // words: tag, suite, key-params, session-param, ...
    if (word === 2) redactKeyParams(redaction, start, end);
    else if (word > 2 && end - start >= 8 && line.slice(start, start + 8).toUpperCase() === 'FEC_KEY=') {
      redactKeyParams(redaction, start + 8, end);
    } else redaction.ifKeyed(start, end);
    if (end === length) break;
    start = end + 1;
    while (start < length && isWhitespace(line.charCodeAt(start))) start++;
  }
  return redaction.result();
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9;
}

/** A line with some of its spans replaced, in increasing order. */
class Redaction {
  readonly line: string;
  #copied = 0;
  #out = '';

  constructor(line: string) {
    this.line = line;
  }

  replace(start: number, end: number, replacement: string): void {
    this.#out += this.line.slice(this.#copied, start) + replacement;
    this.#copied = end;
  }

  /** redactIfKeyed on one span (a key needs a `:`, so a span without one is left as it is). */
  ifKeyed(start: number, end: number): void {
    const colon = this.line.indexOf(':', start);
    if (colon === -1 || colon >= end) return;
    const text = this.line.slice(start, end);
    const redacted = redactIfKeyed(text);
    if (redacted !== text) this.replace(start, end, redacted);
  }

  result(): string {
    return this.#copied === 0 ? this.line : this.#out + this.line.slice(this.#copied);
  }
}

/**
 * key-params in `line.slice(start, end)`: the key-info of each `;`-separated param replaced up to its
 * first `|` (what follows should be a lifetime and an MKI; if it is not, it may hold another key), a
 * param without a method replaced whole.
 */
function redactKeyParams(redaction: Redaction, start: number, end: number): void {
  const line = redaction.line;
  let paramStart = start;
  for (;;) {
    let paramEnd = line.indexOf(';', paramStart);
    if (paramEnd === -1 || paramEnd > end) paramEnd = end;
    let colon = line.indexOf(':', paramStart);
    if (colon >= paramEnd) colon = -1;
    if (colon <= paramStart) {
      redaction.replace(paramStart, paramEnd, REDACTED);
    } else {
      let bar = line.indexOf('|', colon);
      if (bar >= paramEnd) bar = -1;
      redaction.replace(colon + 1, bar === -1 ? paramEnd : bar, REDACTED);
      if (bar !== -1) redaction.ifKeyed(bar, paramEnd);
    }
    if (paramEnd === end) return;
    paramStart = paramEnd + 1;
  }
}

function isSuiteName(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ok =
      (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95;
    if (!ok) return false;
  }
  return true;
}

interface ParsedKeyParam {
  readonly param: CryptoKeyParam;
  readonly reason: string | null;
}

/**
 * RFC 4568 §9.1: `key-param = key-method ":" key-info`; `key-method = "inline" / key-method-ext`.
 * §9.2 for SRTP: `key-info = key-salt ["|" lifetime] ["|" mki]`, `lifetime = ["2^"] 1*(DIGIT)`,
 * `mki = mki-value ":" mki-length`, `mki-length = 1*3DIGIT ; range 1..128`.
 * ABNF literals are case-insensitive (RFC 5234 §2.3), so `INLINE:` is `inline:`.
 */
function parseKeyParam(text: string): ParsedKeyParam {
  const colon = text.indexOf(':');
  const method = colon > 0 ? text.slice(0, colon).toLowerCase() : '';
  if (colon <= 0 || !isSuiteName(method)) {
    return {
      param: emptyKeyParam(redactIfKeyed(method)),
      reason: 'a key-param must be <key-method>:<key-info>',
    };
  }
  const info = text.slice(colon + 1);
  if (method !== 'inline') {
    // key-method-ext: registered methods other than inline do not exist; keep nothing of the info.
    const reason = isVisible(info) ? null : 'the key-info must be visible characters (RFC 4568 §9.1)';
    return { param: emptyKeyParam(method), reason };
  }
  return parseInlineKey(text, colon + 1, text.length);
}

/** The key-info of an inline key-param: `text.slice(start, end)`. */
function parseInlineKey(text: string, start: number, end: number): ParsedKeyParam {
  const bar = text.indexOf('|', start);
  const hasRest = bar !== -1 && bar < end;
  const key = text.slice(start, hasRest ? bar : end);
  const rest = hasRest ? text.slice(bar + 1, end).split('|') : NO_FIELDS;
  let lifetime: string | null = null;
  let mki: CryptoKeyParam['mki'] = null;
  let reason: string | null = null;

  for (const field of rest) {
    if (mki !== null) {
      reason ??= 'nothing may follow the MKI in an inline key (RFC 4568 §9.2)';
    } else if (field.includes(':')) {
      const [value = '', length = ''] = field.split(':');
      const mkiLength = isDigits(length, 3) ? Number(length) : 0;
      if (!isDigits(value) || mkiLength < 1 || mkiLength > 128) {
        reason ??= 'the MKI must be <value>:<length> with a length of 1-128 bytes (RFC 4568 §9.2)';
      }
      mki = { value: isDigits(value) ? value : redactIfKeyed(value), length: mkiLength };
    } else if (lifetime === null && isLifetime(field)) {
      lifetime = field;
    } else {
      reason ??= `${quote(redactIfKeyed(field))} is neither a lifetime nor an MKI (RFC 4568 §9.2)`;
    }
  }

  // A key the negotiation log replaced by its keyed hash: its length is unknown, its digest is the hash.
  const redacted = redactedKeyDigest(key);
  if (redacted !== null) {
    return { param: { method: 'inline', keyLength: null, keyDigest: redacted, lifetime, mki }, reason };
  }
  const keyLength = base64ByteLength(key);
  if (keyLength === null) reason ??= 'the inline key||salt is not base64 (RFC 4568 §9.2)';
  return {
    param: {
      method: 'inline',
      keyLength,
      keyDigest: key.length > 0 ? digestSdesKey(key) : null,
      lifetime,
      mki,
    },
    reason,
  };
}

const NO_FIELDS: readonly string[] = [];

function isLifetime(text: string): boolean {
  return isDigits(text.startsWith('2^') ? text.slice(2) : text);
}

function emptyKeyParam(method: string): CryptoKeyParam {
  return { method, keyLength: null, keyDigest: null, lifetime: null, mki: null };
}

/**
 * RFC 4568 §9.2 SRTP session parameters. Names are matched case-insensitively (ABNF); anything else is a
 * `srtp-session-extension = ["-"] 1*(VCHAR)`, valid as long as it is visible characters.
 */
const SESSION_PARAM_VALUES: Readonly<Record<string, (value: string | null) => string | null>> = {
  // KDR=1*2(DIGIT) ; range 0..24, power of two
  KDR: (value) =>
    value !== null && isDigits(value, 2) && Number(value) <= 24 ? null : 'KDR must be 0-24 (RFC 4568 §6.3.1)',
  UNENCRYPTED_SRTP: flagParam,
  UNENCRYPTED_SRTCP: flagParam,
  UNAUTHENTICATED_SRTP: flagParam,
  // FEC_ORDER=FEC_SRTP / SRTP_FEC
  FEC_ORDER: (value) =>
    value === 'FEC_SRTP' || value === 'SRTP_FEC'
      ? null
      : 'FEC_ORDER must be FEC_SRTP or SRTP_FEC (RFC 4568 §6.3.4)',
  // FEC_KEY=key-params
  FEC_KEY: (value) => {
    if (value === null) return 'FEC_KEY needs key-params (RFC 4568 §6.3.5)';
    for (const text of value.split(';')) {
      const reason = parseKeyParam(text).reason;
      if (reason !== null) return `FEC_KEY: ${reason}`;
    }
    return null;
  },
  // WSH=2*(DIGIT) ; minimum value is 64
  WSH: (value) =>
    value !== null && isDigits(value, 10) && Number(value) >= 64
      ? null
      : 'WSH must be 64 or more (RFC 4568 §6.3.6)',
};

function flagParam(value: string | null): string | null {
  return value === null ? null : 'this session parameter takes no value (RFC 4568 §9.2)';
}

function checkSessionParam(word: string): string | null {
  const equals = word.indexOf('=');
  const name = (equals === -1 ? word : word.slice(0, equals)).toUpperCase();
  const rule = SESSION_PARAM_VALUES[name];
  if (rule !== undefined) return rule(equals === -1 ? null : word.slice(equals + 1));
  return isVisible(word) ? null : 'a session parameter must be visible characters (RFC 4568 §9.1)';
}
