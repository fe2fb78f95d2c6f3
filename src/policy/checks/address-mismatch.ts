/**
 * media-address-mismatch: customer-side SDP whose public c= address differs from the address the
 * signaling came from (Kamailio nathelper nat_uac_test flag 32 compares the same two). Often a
 * NAT rewriting signaling but not SDP; also normal for an SBC with a separate media address,
 * hence the low severity. Reported once per SDP, naming every differing address.
 *
 * Not reported when the c= address is inside policy.trustedNetworks: the operator has declared
 * that network reachable as written. Carrier peers are not exempt: customer SDP naming a carrier
 * address as its own media address is worth a look. Skipped when the source is not an IP (traces
 * that carry host names) and for private addresses, which private-address reports.
 */
import type { Check } from '../check.js';
import { nonPublicClass, parseIp, sameIp } from '../cidr.js';
import {
  type ConnectionUse,
  connectionUses,
  ipOf,
  isInsideAny,
  judgedSdp,
  liveMedia,
  observation,
} from './media-helpers.js';

// RFC 3264 §5 (c= is where media is to be sent); Kamailio nathelper nat_uac_test flag 32.
export const addressMismatch: Check = {
  name: 'address-mismatch',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const source = parseIp(context.envelope.src.host);
    if (sdp === null || context.side !== 'customer' || source === null) return [];
    const { trustedNetworks } = context.config.policy;
    const differing: ConnectionUse[] = [];
    for (const use of connectionUses(liveMedia(sdp.description))) {
      const ip = ipOf(use.connection);
      if (ip === null || nonPublicClass(ip) !== null || isInsideAny(trustedNetworks, ip)) continue;
      // Kamailio nathelper nat_uac_test flag 32 (SDP c= vs source address); RFC 3264 §5.
      if (sameIp(ip, source)) continue;
      differing.push(use);
    }
    const first = differing[0];
    if (first === undefined) return [];
    const addresses = [...new Set(differing.map((use) => use.connection.address))].join(', ');
    return [
      observation(
        'media-address-mismatch',
        `customer SDP puts media on ${addresses} but the signaling came from ${source.toString()} (NAT not applied to SDP, or an SBC with a separate media address)`,
        first.mediaIndex,
        first.connection.line,
      ),
    ];
  },
};
