/**
 * Strings the judge keeps beyond one message (Call-IDs in the offer/answer table and the recent-keys
 * map, suites in offer summaries, the media a live call negotiated) are copied out of the message
 * text first.
 */

/** Common values, kept as one shared string each. */
const SHARED = new Map(
  [
    'audio',
    'video',
    'text',
    'image',
    'application',
    'AES_CM_128_HMAC_SHA1_80',
    'AES_CM_128_HMAC_SHA1_32',
    'AES_256_CM_HMAC_SHA1_80',
    'AES_256_CM_HMAC_SHA1_32',
    'AES_192_CM_HMAC_SHA1_80',
    'AES_192_CM_HMAC_SHA1_32',
    'AEAD_AES_128_GCM',
    'AEAD_AES_256_GCM',
    'F8_128_HMAC_SHA1_80',
    'RTP/AVP',
    'RTP/SAVP',
    'RTP/AVPF',
    'RTP/SAVPF',
    'UDP/TLS/RTP/SAVP',
    'UDP/TLS/RTP/SAVPF',
    'sendrecv',
    'sendonly',
    'recvonly',
    'inactive',
  ].map((value) => [value, value]),
);

/**
 * A string that does not point into the text it was cut from: V8 keeps a slice's parent string
 * alive, so a kept suite name (or Call-ID) would otherwise keep the whole SDP (or SIP head) text.
 */
export function ownCopy(value: string): string {
  return SHARED.get(value) ?? Buffer.from(value, 'utf8').toString('utf8');
}
