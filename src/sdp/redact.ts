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
