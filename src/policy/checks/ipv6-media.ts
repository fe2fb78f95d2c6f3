/**
 * ipv6-media-address: carrier-side IPv6 media where the profile publishes IPv4 ranges only.
 *
 * For such an address this is the only finding: the range checks stay silent because an
 * IPv4-only profile has nothing to compare an IPv6 address with, and "outside the range" would
 * claim a fact the carrier never published. A profile with no ranges at all judges nothing.
 */
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import { ipOf, judgedSdp, namedAddresses, observation, rangesCanJudge, whereOf } from './media-helpers.js';

// Carrier profile: the media ranges the carrier publishes, none of them IPv6.
export const ipv6Media: Check = {
  name: 'ipv6-media',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || context.side !== 'carrier' || profile.mediaRanges.length === 0) return [];
    const found: Observation[] = [];
    const named = namedAddresses(sdp.description, { candidates: 'all' });
    for (const item of named) {
      const ip = ipOf(item.address);
      // Carrier profile: the published media ranges are IPv4 only.
      if (ip === null || ip.kind() !== 'ipv6' || rangesCanJudge(profile, ip)) continue;
      found.push(
        observation(
          'ipv6-media-address',
          `${whereOf(item)} puts media on IPv6 ${item.address.address}, but ${profile.carrier}'s profile publishes IPv4 media ranges only`,
          item.mediaIndex,
          item.line,
        ),
      );
    }
    return found;
  },
};
