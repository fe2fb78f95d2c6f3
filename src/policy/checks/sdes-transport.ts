/**
 * sdes-over-insecure-transport: SDES puts the SRTP master keys in the SDP itself, so the SIP
 * message carrying them must be protected on the wire (RFC 4568 §8.3: TLS or S/MIME); over UDP
 * or TCP anyone on the path can decrypt the media. Reported once per SDP, listing the streams.
 */
import { isSecureTransport } from '../../sip/envelope.js';
import type { Check } from '../check.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import { hasInlineKey } from './srtp-helpers.js';

// RFC 4568 §8.3: SDES keys travel only under TLS or S/MIME; Twilio error 32209.
export const sdesTransport: Check = {
  name: 'sdes-transport',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { transport } = context.envelope;
    if (sdp === null || !context.config.policy.sdesRequiresTls || isSecureTransport(transport)) return [];
    const keyed = activeMedia(sdp.description).filter(hasInlineKey);
    const first = keyed[0];
    if (first === undefined) return [];
    // RFC 4568 §8.3: keys in SDP need a confidentiality-protected signaling path (Twilio error 32209).
    return [
      observation(
        'sdes-over-insecure-transport',
        `SDES keys for ${keyed.map(streamName).join(', ')} travelled over ${transport.toUpperCase()}, not TLS: anyone on the path can decrypt the media`,
        first.index,
        first.crypto.find((crypto) => crypto.keyParams.length > 0)?.line ?? null,
      ),
    ];
  },
};
