/**
 * crypto-mki-unsupported: an SDES key parameter with an MKI (`inline:<key>|2^31|1:4`, RFC 4568
 * §6.1) where the carrier does not support MKI. Every SDP the proxy sees goes to or comes from
 * the carrier, so both sides are judged. Silent when the profile publishes no SRTP facts.
 */
import type { MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import { describeCrypto } from './srtp-helpers.js';

function judgeStream(media: MediaDescription, carrier: string): Observation[] {
  const found: Observation[] = [];
  for (const crypto of media.crypto) {
    const withMki = crypto.keyParams.find((key) => key.mki !== null);
    // Twilio Secure Media: "MKI is not supported"; RFC 4568 §6.1 (MKI in key-params).
    if (withMki?.mki == null) continue;
    found.push(
      observation(
        'crypto-mki-unsupported',
        `${streamName(media)} a=crypto ${describeCrypto(crypto)} carries an MKI (${withMki.mki.length}-byte), which ${carrier} does not support`,
        media.index,
        crypto.line,
      ),
    );
  }
  return found;
}

// RFC 4568 §6.1 (MKI); carrier profile (Twilio Secure Media: MKI not supported).
export const cryptoMki: Check = {
  name: 'crypto-mki',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || profile.srtp === null || profile.srtp.mki) return [];
    return activeMedia(sdp.description).flatMap((media) => judgeStream(media, profile.carrier));
  },
};
