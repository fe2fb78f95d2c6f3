/**
 * media-ip-out-of-range: carrier-side SDP must put media on an address inside the carrier's
 * published media ranges. Only unicast literals are judged: hold, multicast and FQDN addresses
 * have their own codes (address-kinds), and IPv6 under an IPv4-only profile has ipv6-media-address.
 */
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import {
  connectionUses,
  ipOf,
  isInMediaRanges,
  judgedSdp,
  liveMedia,
  mediaRangesText,
  observation,
  rangesCanJudge,
} from './media-helpers.js';

// Carrier profile: the published media ranges (Twilio: 168.86.128.0/18).
export const mediaRange: Check = {
  name: 'media-range',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || context.side !== 'carrier' || profile.mediaRanges.length === 0) return [];
    const found: Observation[] = [];
    for (const use of connectionUses(liveMedia(sdp.description))) {
      const ip = ipOf(use.connection);
      if (ip === null || !rangesCanJudge(profile, ip)) continue;
      // Twilio "Global Media IP Gateways" (twilio.com/docs/sip-trunking/ip-addresses): media only from 168.86.128.0/18.
      if (isInMediaRanges(profile, ip)) continue;
      found.push(
        observation(
          'media-ip-out-of-range',
          `${profile.carrier} SDP puts media on ${use.connection.address}, outside its published media ranges (${mediaRangesText(profile)})`,
          use.mediaIndex,
          use.connection.line,
        ),
      );
    }
    return found;
  },
};
