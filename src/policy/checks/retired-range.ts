/**
 * deprecated-media-range: a carrier-side SDP address inside a range the carrier has retired.
 *
 * Only SDP addresses are looked at (c=, a=rtcp addresses, ICE candidates), never the signaling
 * source: each retired Twilio regional block contains that region's still-valid signaling /30
 * (54.172.60.0/23 contains 54.172.60.0/30), so judging the source would fire on every call.
 *
 * Such an address is also outside the current ranges, so media-range (and rtcp-range,
 * ice-candidates) report media-ip-out-of-range for it as well. Both are emitted on purpose:
 * they feed different alert rules ("the carrier moved and this config is stale" versus "media
 * goes somewhere unexpected"), and suppressing either would hide one of those rules.
 */

import type { Check } from '../check.js';
import { findContaining } from '../cidr.js';
import type { Observation } from '../finding.js';
import type { RetiredMediaRange } from '../profile.js';
import {
  formatSpan,
  ipOf,
  isInMediaRanges,
  judgedSdp,
  namedAddresses,
  observation,
  whereOf,
} from './media-helpers.js';

function describeRange(range: RetiredMediaRange): string {
  const label = range.label === null ? range.cidr.text : `${range.label} ${range.cidr.text}`;
  const until = range.until === null ? 'retired' : `retired ${range.until}`;
  const ports = range.ports === null ? '' : `, ports ${formatSpan(range.ports)}`;
  return `${label} (${until}${ports})`;
}

// Carrier profile: Twilio retired regional media ranges (2024-02-21).
export const retiredRange: Check = {
  name: 'retired-range',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || context.side !== 'carrier' || profile.retiredMedia.length === 0) return [];
    const found: Observation[] = [];
    const named = namedAddresses(sdp.description, { candidates: 'all' });
    for (const item of named) {
      const ip = ipOf(item.address);
      if (ip === null) continue;
      // Carrier profile retired ranges (Twilio legacy regional media ranges, retired by 2024-02-21).
      const retired = findContaining(profile.retiredMedia, ip);
      // An address the carrier publishes again today is current, whatever it once belonged to.
      if (retired === undefined || isInMediaRanges(profile, ip)) continue;
      found.push(
        observation(
          'deprecated-media-range',
          `${whereOf(item)} puts media on ${item.address.address}, inside ${profile.carrier}'s retired media range ${describeRange(retired)}`,
          item.mediaIndex,
          item.line,
        ),
      );
    }
    return found;
  },
};
