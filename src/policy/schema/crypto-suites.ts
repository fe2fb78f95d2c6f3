/**
 * The SDES crypto suite names a rules or config file may list: the IANA "SDP Security
 * Descriptions" registry (https://www.iana.org/assignments/sdp-security-descriptions).
 * A name outside it in a profile or policy is a typo, and a typo here would silently
 * turn a suite allow-list into "nothing allowed".
 */
export const IANA_CRYPTO_SUITES = [
  // RFC 4568
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'F8_128_HMAC_SHA1_80',
  // RFC 5669
  'SEED_CTR_128_HMAC_SHA1_80',
  'SEED_128_CCM_80',
  'SEED_128_GCM_96',
  // RFC 6188
  'AES_192_CM_HMAC_SHA1_80',
  'AES_192_CM_HMAC_SHA1_32',
  'AES_256_CM_HMAC_SHA1_80',
  'AES_256_CM_HMAC_SHA1_32',
  // RFC 7714
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
] as const;

export type CryptoSuite = (typeof IANA_CRYPTO_SUITES)[number];
