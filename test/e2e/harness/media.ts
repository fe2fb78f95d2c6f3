/**
 * The media SIPp's scenarios put in their SDP (test/fixtures/sipp/*.xml read them as `-key`s):
 * where the carrier's answer and the customer's offer say media goes, plain or with SDES.
 */

/** Inside Twilio's media range (168.86.128.0/18, UDP 10000-60000). */
export const TWILIO_MEDIA = { media_ip: '168.86.128.20', media_port: '20000', proto: 'RTP/AVP' } as const;
/** Outside it (TEST-NET-3, RFC 5737). */
export const OUT_OF_RANGE_MEDIA = {
  media_ip: '203.0.113.50',
  media_port: '20000',
  proto: 'RTP/AVP',
} as const;
/**
 * The customer's offer: plain RTP on its own signaling address, as a PBX with its own address
 * offers (the test configs trust 127.0.0.0/8: the peers all run on loopback).
 */
export const CUSTOMER_MEDIA = { media_ip: '127.0.0.1', media_port: '30000', proto: 'RTP/AVP' } as const;

/** The same media as SDES-SRTP (RFC 4568) with `key` (base64 key||salt) as its one crypto line. */
export function withSdes(
  media: { readonly media_ip: string; readonly media_port: string },
  key: string,
): Record<string, string> {
  return {
    media_ip: media.media_ip,
    media_port: media.media_port,
    proto: 'RTP/SAVP',
    crypto: `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`,
  };
}
