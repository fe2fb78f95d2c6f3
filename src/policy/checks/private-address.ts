/**
 * private-media-address: media on a private (RFC 1918), shared (RFC 6598 CGNAT), loopback,
 * link-local or unique-local address that the policy does not list as a trusted network: the far
 * end cannot reach it, a sign of a NAT the UA does not know about (Kamailio nathelper
 * nat_uac_test flag 8 looks at the same c= addresses). Judged on both sides, over c=, a=rtcp
 * addresses and host candidates; each distinct address once per SDP.
 */
import type { Check } from '../check.js';
import { nonPublicClass } from '../cidr.js';
import type { Observation } from '../finding.js';
import { ipOf, isInsideAny, judgedSdp, namedAddresses, observation, whereOf } from './media-helpers.js';

// RFC 1918, RFC 6598 (non-public ranges); Kamailio nathelper nat_uac_test flag 8.
export const privateAddress: Check = {
  name: 'private-address',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const { trustedNetworks } = context.config.policy;
    const found: Observation[] = [];
    const named = namedAddresses(sdp.description, { candidates: 'host' });
    for (const item of named) {
      const ip = ipOf(item.address);
      if (ip === null) continue;
      // RFC 1918 §3, RFC 6598 §7, RFC 4193: not routable across the trunk; nathelper flag 8.
      const addressClass = nonPublicClass(ip);
      if (addressClass === null || isInsideAny(trustedNetworks, ip)) continue;
      found.push(
        observation(
          'private-media-address',
          `${whereOf(item)} puts media on ${item.address.address}, a ${addressClass} address outside the trusted networks`,
          item.mediaIndex,
          item.line,
        ),
      );
    }
    return found;
  },
};
