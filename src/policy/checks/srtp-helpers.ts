/**
 * SDES crypto suite facts the crypto checks share: the IANA registry, the key||salt length each
 * suite needs, and the classes of suites that weaken SRTP.
 * https://www.iana.org/assignments/sdp-security-descriptions (srtp-crypto-suite registry).
 */
import type { CryptoAttribute, MediaDescription } from '../../sdp/types.js';

/**
 * The registered SRTP crypto suites (RFC 4568 §6.2, RFC 5669, RFC 6188 §7.1, RFC 7714 §12), each
 * with the decoded length in bytes of its `inline:` key||salt, or null where this file does not
 * know it for certain (then only an empty key is judged).
 */
const REGISTERED_SUITES: ReadonlyMap<string, number | null> = new Map([
  // RFC 4568 §6.2.1-6.2.3: 128-bit master key + 112-bit master salt = 30 bytes.
  ['AES_CM_128_HMAC_SHA1_80', 30],
  ['AES_CM_128_HMAC_SHA1_32', 30],
  ['F8_128_HMAC_SHA1_80', 30],
  // RFC 5669: SEED suites (key lengths not asserted here).
  ['SEED_CTR_128_HMAC_SHA1_80', null],
  ['SEED_128_CCM_80', null],
  ['SEED_128_GCM_96', null],
  // RFC 6188 §7.1: 192-bit key + 112-bit salt = 38 bytes; 256-bit key + 112-bit salt = 46 bytes.
  ['AES_192_CM_HMAC_SHA1_80', 38],
  ['AES_192_CM_HMAC_SHA1_32', 38],
  ['AES_256_CM_HMAC_SHA1_80', 46],
  ['AES_256_CM_HMAC_SHA1_32', 46],
  // RFC 7714 §12: 128- or 256-bit key + 96-bit salt = 28 or 44 bytes.
  ['AEAD_AES_128_GCM', 28],
  ['AEAD_AES_256_GCM', 44],
]);

/** Suite names are ABNF literals, which are case-insensitive (RFC 5234 §2.3). */
export function normalizeSuite(suite: string): string {
  return suite.toUpperCase();
}

export function isRegisteredSuite(suite: string): boolean {
  return REGISTERED_SUITES.has(normalizeSuite(suite));
}

/** The key||salt length the suite needs, in bytes, or null when unknown. */
export function expectedKeyLength(suite: string): number | null {
  return REGISTERED_SUITES.get(normalizeSuite(suite)) ?? null;
}

// Module constants: a regex literal inside a function is a new RegExp object per call.
const NULL_SUITE = /^NULL(_|$)/i;
const SHORT_TAG_SUITE = /_HMAC_SHA1_32$/i;

/** NULL_HMAC_SHA1_80 and friends: implementation-specific, not registered, no encryption (RFC 3711 §4.1.1). */
export function isNullSuite(suite: string): boolean {
  return NULL_SUITE.test(suite);
}

/** A 32-bit authentication tag (RFC 3711 §9.5): `*_HMAC_SHA1_32`. */
export function hasShortTag(suite: string): boolean {
  return SHORT_TAG_SUITE.test(suite) && !isNullSuite(suite);
}

/** True when the suite is in the list (case-insensitively). */
export function suiteIsListed(suite: string, list: readonly string[]): boolean {
  const wanted = normalizeSuite(suite);
  return list.some((listed) => normalizeSuite(listed) === wanted);
}

/** `tag 1 AES_CM_128_HMAC_SHA1_80`: how messages name one a=crypto line. */
export function describeCrypto(crypto: Pick<CryptoAttribute, 'tag' | 'suite'>): string {
  return crypto.tag === null ? crypto.suite : `tag ${crypto.tag} ${crypto.suite}`;
}

/** True when the stream carries an SDES `inline:` key. */
export function hasInlineKey(media: MediaDescription): boolean {
  return media.crypto.some((crypto) => crypto.keyParams.some((key) => key.method.toLowerCase() === 'inline'));
}
