/**
 * A keyed digest of SDES key material, so checks can see key reuse (the same key||salt offered in two
 * calls, or echoed back in an answer) without the key ever being kept.
 *
 * The HMAC secret is random per process: the digest cannot be brute-forced offline from a log line,
 * and it is only comparable within one process (which is all key-reuse detection needs).
 */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';

const DIGEST_SECRET = createSecretKey(randomBytes(32));

/** 16 hex characters (64 bits) of HMAC-SHA-256 over the key as written (base64). */
export function digestSdesKey(base64Key: string): string {
  return createHmac('sha256', DIGEST_SECRET).update(base64Key).digest('hex').slice(0, 16);
}

/**
 * Decoded length of a base64 string (RFC 4648 §4, the alphabet RFC 4568 §9.1 names), or null when it is
 * not base64. Padding is optional, as several SRTP stacks omit it; a lone trailing sextet is not valid.
 */
export function base64ByteLength(text: string): number | null {
  let end = text.length;
  let padding = 0;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */ && padding < 2) {
    end--;
    padding++;
  }
  if (end === 0) return null;
  for (let i = 0; i < end; i++) {
    if (!isBase64Char(text.charCodeAt(i))) return null;
  }
  if (padding > 0 && text.length % 4 !== 0) return null;
  if (end % 4 === 1) return null;
  return Math.floor((end * 6) / 8);
}

function isBase64Char(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 43 /* + */ ||
    code === 47 /* / */
  );
}
