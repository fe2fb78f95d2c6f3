/**
 * DTLS `a=fingerprint` (RFC 8122 §5):
 *
 *   a=fingerprint:sha-256 21:21:07:E8:3C:D0:3B:45:87:9A:31:86:DE:4F:C1:BA:E1:0E:96:BA:41:36:6E:3A:3F:C6:C8:92:95:5B:71:5F
 *
 * `fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint`, `hash-func = "sha-1" / "sha-224"
 * / "sha-256" / "sha-384" / "sha-512" / "md5" / "md2" / token`, `fingerprint = 2UHEX *(":" 2UHEX)`.
 * RFC 8122 lets an endpoint send several fingerprints (one per certificate hash); sdp-transform keeps
 * only the last one of a level, so we collect them.
 */
import { isToken, quote } from './syntax.js';
import type { Fingerprint } from './types.js';

export interface ParsedFingerprint {
  /** Null only when there is no hash-func to report. */
  readonly fingerprint: Fingerprint | null;
  readonly reason: string | null;
}

export function parseFingerprint(value: string, line: string): ParsedFingerprint {
  const space = value.indexOf(' ');
  const hashText = space === -1 ? value : value.slice(0, space);
  const digest = space === -1 ? '' : value.slice(space + 1);
  if (!isToken(hashText)) {
    return { fingerprint: null, reason: 'a=fingerprint needs <hash-func> <fingerprint> (RFC 8122 §5)' };
  }
  // Lower-cased: stacks write `SHA-256` and `sha-256` for the same hash function.
  const fingerprint: Fingerprint = { hash: hashText.toLowerCase(), line };
  const reason = isHexPairs(digest)
    ? null
    : `the fingerprint after ${quote(hashText)} must be hex pairs separated by colons (RFC 8122 §5)`;
  return { fingerprint, reason };
}

/**
 * `2UHEX *(":" 2UHEX)`. The RFC says upper-case hex; lower-case is common in the field and harmless,
 * so it is accepted.
 */
function isHexPairs(text: string): boolean {
  if (text.length < 2 || (text.length + 1) % 3 !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (code !== 58 /* : */) return false;
    } else if (!isHexDigit(code)) {
      return false;
    }
  }
  return true;
}

function isHexDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
