/**
 * SDES key material (`inline:<base64 key||salt>`, RFC 4568 §6.1) decrypts recorded SRTP.
 * It must never leave the process: every line of evidence, message and error passes here.
 * The negotiation log keeps messages whole, so there each key is replaced by its keyed hash
 * instead (replaceSdesKeys), which still names the key and holds nothing of it.
 */
import { redactedKeyDigest } from './key-digest.js';

const INLINE_KEY = /(inline:)[^|\s;]*/gi;

export const REDACTED = '[redacted]';

/** Replaces every `inline:` key||salt with `inline:[redacted]`, keeping lifetime and MKI. */
export function redactSdesKeys(text: string): string {
  return text.replace(INLINE_KEY, `$1${REDACTED}`);
}

/**
 * True when text still holds something that looks like an SDES inline key (for tests and guards).
 * `inline:[redacted]` and the negotiation log's `inline:redacted-<hex>` are not keys.
 */
export function containsSdesKey(text: string): boolean {
  INLINE_KEY.lastIndex = 0;
  for (const match of text.matchAll(INLINE_KEY)) {
    const key = match[0].slice('inline:'.length);
    if (key !== REDACTED && key.length > 0 && redactedKeyDigest(key) === null) return true;
  }
  return false;
}

const MAY_HOLD_KEY = /inline:/i;

/** True when text may hold an SDES key (it mentions `inline:` in any case): the cheap test before redacting. */
export function mayHoldSdesKey(text: string): boolean {
  return MAY_HOLD_KEY.test(text);
}

/**
 * mayHoldSdesKey without the regex, for one line (`line.slice(start, end)`): true when some `:` follows `inline` in any ASCII case
 * (a case-insensitive regex without the u flag folds ASCII letters only). The raw pass asks it of every
 * line of an SDP that mentions `inline:` somewhere.
 */
export function lineMayHoldSdesKey(line: string, start = 0, end = line.length): boolean {
  for (
    let colon = line.indexOf(':', start + 6);
    colon !== -1 && colon < end;
    colon = line.indexOf(':', colon + 1)
  ) {
    if (
      (line.charCodeAt(colon - 6) | 0x20) === 105 /* i */ &&
      (line.charCodeAt(colon - 5) | 0x20) === 110 /* n */ &&
      (line.charCodeAt(colon - 4) | 0x20) === 108 /* l */ &&
      (line.charCodeAt(colon - 3) | 0x20) === 105 /* i */ &&
      (line.charCodeAt(colon - 2) | 0x20) === 110 /* n */ &&
      (line.charCodeAt(colon - 1) | 0x20) === 101 /* e */
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Like redactSdesKeys, but skips the replace when there is nothing to redact: a broken line can carry
 * a key anywhere (a mangled a=crypto, a key pasted into m=), so every piece of input the media model
 * keeps passes here, and most pieces hold no key.
 */
export function redactIfKeyed(text: string): string {
  return MAY_HOLD_KEY.test(text) ? redactSdesKeys(text) : text;
}

/**
 * Every SDES key in `text` (a SIP message or an SDP, any line ending) replaced by `replace(key)`, the
 * rest of the text as it was: the negotiation log's redaction, which must leave a message that reads
 * the same when judged again. What counts as a key is what redactCryptoLine hides:
 * - on an a=crypto line, the key-info of each key-param (RFC 4568 §9.1 `key-method ":" key-info`) up to
 *   its first `|` (lifetime and MKI stay), a key-param without a method whole, and FEC_KEY's key-params;
 * - anywhere else (a key pasted into another line, a header), what follows `inline:` up to `|`, `;` or
 *   a blank, as redactSdesKeys.
 * Keys already replaced (`redacted-<hex>`) and empty keys are left as they are.
 */
export function replaceSdesKeys(text: string, replace: (key: string) => string): string {
  if (!MAY_HOLD_KEY.test(text) && !MAY_HOLD_CRYPTO.test(text)) return text;
  const out = new KeyReplacement(text, replace);
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const contentEnd = end > start && text.charCodeAt(end - 1) === 13 /* \r */ ? end - 1 : end;
    if (contentEnd - start >= CRYPTO_PREFIX.length && isCryptoLine(text, start)) {
      replaceCryptoLineKeys(out, start + CRYPTO_PREFIX.length, contentEnd);
    } else if (lineMayHoldSdesKey(text, start, contentEnd)) {
      replaceInlineKeys(out, start, contentEnd);
    }
    start = end + 1;
  }
  return out.result();
}

const CRYPTO_PREFIX = 'a=crypto:';
const MAY_HOLD_CRYPTO = /a=crypto:/i;

function isCryptoLine(text: string, start: number): boolean {
  return text.slice(start, start + CRYPTO_PREFIX.length).toLowerCase() === CRYPTO_PREFIX;
}

/** A text with spans replaced, in increasing order. */
class KeyReplacement {
  readonly text: string;
  readonly #replace: (key: string) => string;
  #copied = 0;
  #out = '';

  constructor(text: string, replace: (key: string) => string) {
    this.text = text;
    this.#replace = replace;
  }

  /** Replaces the key `text.slice(start, end)`, unless it is empty or already replaced. */
  key(start: number, end: number): void {
    if (end <= start || start < this.#copied) return;
    const key = this.text.slice(start, end);
    if (redactedKeyDigest(key) !== null) return;
    this.#out += this.text.slice(this.#copied, start) + this.#replace(key);
    this.#copied = end;
  }

  result(): string {
    return this.#copied === 0 ? this.text : this.#out + this.text.slice(this.#copied);
  }
}

/** `inline:<key>` anywhere in `text.slice(start, end)`. */
function replaceInlineKeys(out: KeyReplacement, start: number, end: number): void {
  const text = out.text;
  for (let colon = text.indexOf(':', start + 6); colon !== -1 && colon < end; ) {
    if (text.slice(colon - 6, colon).toLowerCase() === 'inline') {
      let keyEnd = colon + 1;
      while (keyEnd < end && !isKeyEnd(text.charCodeAt(keyEnd))) keyEnd++;
      out.key(colon + 1, keyEnd);
      colon = text.indexOf(':', keyEnd);
    } else {
      colon = text.indexOf(':', colon + 1);
    }
  }
}

/** What ends an inline key: `|`, `;` or a blank (the class redactSdesKeys stops at). */
function isKeyEnd(code: number): boolean {
  return code === 124 /* | */ || code === 59 /* ; */ || code === 32 || (code >= 9 && code <= 13);
}

/** The words after `a=crypto:` in `text.slice(start, end)`: tag, suite, key-params, session params. */
function replaceCryptoLineKeys(out: KeyReplacement, start: number, end: number): void {
  const text = out.text;
  for (let word = 0, wordStart = start; wordStart < end; word++) {
    let wordEnd = wordStart;
    while (wordEnd < end && !isBlank(text.charCodeAt(wordEnd))) wordEnd++;
    if (word === 2) replaceKeyParams(out, wordStart, wordEnd);
    else if (word > 2 && text.slice(wordStart, wordStart + 8).toUpperCase() === 'FEC_KEY=') {
      replaceKeyParams(out, wordStart + 8, wordEnd);
    } else replaceInlineKeys(out, wordStart, wordEnd);
    wordStart = wordEnd;
    while (wordStart < end && isBlank(text.charCodeAt(wordStart))) wordStart++;
  }
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** `;`-separated key-params: the key-info up to its first `|`, or the whole param without a method. */
function replaceKeyParams(out: KeyReplacement, start: number, end: number): void {
  const text = out.text;
  for (let paramStart = start; paramStart <= end; ) {
    let paramEnd = text.indexOf(';', paramStart);
    if (paramEnd === -1 || paramEnd > end) paramEnd = end;
    let colon = text.indexOf(':', paramStart);
    if (colon >= paramEnd) colon = -1;
    if (colon <= paramStart) {
      out.key(paramStart, paramEnd);
    } else {
      let bar = text.indexOf('|', colon);
      if (bar === -1 || bar >= paramEnd) bar = paramEnd;
      out.key(colon + 1, bar);
      // What follows should be a lifetime and an MKI; a key pasted there is still a key.
      replaceInlineKeys(out, bar, paramEnd);
    }
    paramStart = paramEnd + 1;
  }
}
