/**
 * A keyed digest of SDES key material, so checks can see key reuse (the same key||salt offered in two
 * calls, or echoed back in an answer) without the key ever being kept.
 *
 * The HMAC secret is random per process: the digest cannot be brute-forced offline from a log line,
 * and it is only comparable within one process (which is all key-reuse detection needs).
 */
import { hash, randomBytes } from 'node:crypto';

/** The digest's secret prefix: random per process, never written anywhere. */
const DIGEST_SECRET = randomBytes(32).toString('hex');

/**
 * 16 hex characters (64 bits) of SHA-256 over a per-process secret followed by the key as written
 * (base64). A secret-prefix hash is enough here: the digest is only compared for equality and the
 * input has a fixed form, so HMAC's length-extension protection buys nothing, and the one-shot
 * `crypto.hash` costs a third of `createHmac` on the forwarding path.
 */
export function digestSdesKey(base64Key: string): string {
  return hash('sha256', DIGEST_SECRET + base64Key).slice(0, 16);
}

/**
 * A key the negotiation log replaced by its keyed hash: `inline:redacted-<hex>` (see
 * src/report/negotiation-log.ts). It names the same key wherever the same secret hashed it (across
 * calls, restarts and files), so when such a log is judged again, key reuse is still seen; it says
 * nothing of the key itself. The hash is at least REDACTED_KEY_HEX hex digits; longer when the key was
 * longer, so that the message keeps its size.
 */
export const REDACTED_KEY_PREFIX = 'redacted-';

/** Hex digits of the hash that identify the key; more, when present, only keep the key's length. */
export const REDACTED_KEY_HEX = 24;

const REDACTED_KEY = /^redacted-[0-9a-f]{24,}$/;

/**
 * The digest of a redacted key (`redacted-` and the first 24 hex digits of its hash), or null when
 * `keyInfo` is not one. Hashes are compared by these 24 digits, whatever length the key had.
 */
export function redactedKeyDigest(keyInfo: string): string | null {
  if (!keyInfo.startsWith(REDACTED_KEY_PREFIX) || !REDACTED_KEY.test(keyInfo)) return null;
  return keyInfo.slice(0, REDACTED_KEY_PREFIX.length + REDACTED_KEY_HEX);
}

/** True when a key digest is that of a redacted key (its length and base64 form are unknown). */
export function isRedactedKeyDigest(digest: string): boolean {
  return digest.startsWith(REDACTED_KEY_PREFIX);
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
