/**
 * SDES `a=crypto` (RFC 4568). sdp-transform keeps only the first session parameter and never looks
 * inside the key parameters, so we read the attribute ourselves, against RFC 4568 §9.1 and §9.2:
 *
 *   a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]
 *   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP
 *   a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIz...|2^20|1:4;inline:QUJj...|2^20|2:4 FEC_ORDER=FEC_SRTP
 *
 * The key itself is never kept: only its decoded length and a per-process keyed digest.
 */
import { base64ByteLength, digestSdesKey } from './key-digest.js';
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
  const words = value.split(WHITESPACE_RUN);
  const [tagText = '', suiteText = '', keyParamsText = '', ...sessionWords] = words;
  const reasons: string[] = [];

  // RFC 4568 §9.1: tag = 1*9DIGIT
  const tag = isDigits(tagText, 9) ? Number(tagText) : null;
  if (tag === null) reasons.push('the tag must be 1 to 9 digits (RFC 4568 §9.1)');

  // crypto-suite = 1*(ALPHA / DIGIT / "_")
  if (!isSuiteName(suiteText)) reasons.push('the crypto-suite must be letters, digits and _ (RFC 4568 §9.1)');

  // key-params = key-param *(";" key-param)
  const keyParams: CryptoKeyParam[] = [];
  if (keyParamsText === '') {
    reasons.push('a=crypto needs <tag> <crypto-suite> <key-params> (RFC 4568 §9.1)');
  } else {
    for (const text of keyParamsText.split(';')) {
      const parsed = parseKeyParam(text);
      keyParams.push(parsed.param);
      if (parsed.reason !== null) reasons.push(parsed.reason);
    }
  }

  const sessionParams: string[] = [];
  for (const word of sessionWords) {
    const reason = checkSessionParam(word);
    if (reason !== null) reasons.push(reason);
    sessionParams.push(redactIfKeyed(word));
  }

  return {
    attribute: {
      tag,
      suite: isSuiteName(suiteText) ? suiteText : redactIfKeyed(suiteText),
      keyParams,
      sessionParams,
      line,
      wellFormed: reasons.length === 0,
    },
    reason: reasons[0] ?? null,
  };
}

/** RFC 4568 §9.1: `1*WSP` separates the fields. */
const WHITESPACE_RUN = /[ \t]+/;
const WHITESPACE_RUN_KEPT = /([ \t]+)/;

/**
 * An a=crypto line as it may be kept or logged: the key-info of every key-param replaced (keeping the
 * lifetime and MKI, like redactSdesKeys), a key-param without a method replaced whole, and FEC_KEY
 * redacted the same way. Unlike redactSdesKeys it does not need the `inline:` prefix to find the key, so
 * a line that lost its method still does not leak it.
 */
export function redactCryptoLine(line: string): string {
  const prefix = 'a=crypto:';
  if (!line.startsWith(prefix)) return redactSdesKeys(line);
  const pieces = line.slice(prefix.length).split(WHITESPACE_RUN_KEPT);
  // pieces: tag, space, suite, space, key-params, space, session-param, ...
  for (let i = 0; i < pieces.length; i += 2) {
    const piece = pieces[i] ?? '';
    if (i === 4) pieces[i] = redactKeyParams(piece);
    else if (i > 4 && piece.toUpperCase().startsWith('FEC_KEY=')) {
      pieces[i] = `${piece.slice(0, 8)}${redactKeyParams(piece.slice(8))}`;
    } else pieces[i] = redactIfKeyed(piece);
  }
  return `${prefix}${pieces.join('')}`;
}

function redactKeyParams(text: string): string {
  return text
    .split(';')
    .map((param) => {
      const colon = param.indexOf(':');
      if (colon <= 0) return REDACTED;
      const bar = param.indexOf('|', colon);
      // What follows the key should be a lifetime and an MKI; if it is not, it may hold another key.
      return `${param.slice(0, colon + 1)}${REDACTED}${bar === -1 ? '' : redactIfKeyed(param.slice(bar))}`;
    })
    .join(';');
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
  return parseInlineKey(info);
}

function parseInlineKey(info: string): ParsedKeyParam {
  const [key = '', ...rest] = info.split('|');
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
