/**
 * SDES key material (`inline:<base64 key||salt>`, RFC 4568 §6.1) decrypts recorded SRTP.
 * It must never leave the process: every line of evidence, message and error passes here.
 */

const INLINE_KEY = /(inline:)[^|\s;]*/gi;

export const REDACTED = '[redacted]';

/** Replaces every `inline:` key||salt with `inline:[redacted]`, keeping lifetime and MKI. */
export function redactSdesKeys(text: string): string {
  return text.replace(INLINE_KEY, `$1${REDACTED}`);
}

/** True when text still holds something that looks like an SDES inline key (for tests and guards). */
export function containsSdesKey(text: string): boolean {
  INLINE_KEY.lastIndex = 0;
  for (const match of text.matchAll(INLINE_KEY)) {
    const key = match[0].slice('inline:'.length);
    if (key !== REDACTED && key.length > 0) return true;
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
