/**
 * What kind of connection address a live stream's c= (or a=rtcp) names, when it is not a plain
 * unicast literal:
 * - media-hold: c=0.0.0.0 (or ::), the RFC 2543 hold; RFC 3264 §8.4 says it must still be
 *   understood. Only this info finding: it is not a range, port or private-address violation.
 *   Not when the stream is an ICE placeholder (port 9 with c=0.0.0.0, JSEP / trickle ICE):
 *   that stream is waiting for candidates, not on hold.
 * - fqdn-media-address: a domain name (RFC 8866 §5.7 allows it): range checks cannot judge it and
 *   the media path depends on DNS.
 * - multicast-media-address: 224.0.0.0/4 or ff00::/8, nonsense on a unicast trunk.
 * Each distinct c= line is reported once (a session-level c= with mediaIndex null). ICE
 * candidates are not judged here: FQDN and mDNS `.local` candidates belong to ICE's own rules.
 */
import type { AddressKind, ConnectionAddress } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { FindingCode } from '../codes.js';
import type { Observation } from '../finding.js';
import {
  activeMedia,
  connectionUses,
  describeConnectionUse,
  explicitRtcpAddress,
  isIcePlaceholder,
  judgedSdp,
  liveMedia,
  observation,
  streamName,
} from './media-helpers.js';

interface KindRule {
  readonly code: FindingCode;
  readonly describe: (address: ConnectionAddress) => string;
}

const KIND_RULES: Partial<Record<AddressKind, KindRule>> = {
  // RFC 3264 §8.4: c=0.0.0.0 puts the stream on hold (RFC 2543 style).
  hold: {
    code: 'media-hold',
    describe: (address) => `${address.written}: the stream is on hold (RFC 2543 style, RFC 3264 §8.4)`,
  },
  // RFC 8866 §5.7: a connection address may be an FQDN; nothing can range-check it.
  fqdn: {
    code: 'fqdn-media-address',
    describe: (address) =>
      `the domain name ${address.written}: media depends on DNS and cannot be checked against ranges`,
  },
  // RFC 8866 §5.7: multicast connection addresses (with TTL) are not for a unicast trunk.
  multicast: {
    code: 'multicast-media-address',
    describe: (address) =>
      `the multicast address ${address.written}${address.ttl === null ? '' : ` (TTL ${address.ttl})`}`,
  },
};

// RFC 3264 §8.4 (c=0.0.0.0 hold); RFC 8866 §5.7 (domain-name and multicast connection addresses).
export const addressKinds: Check = {
  name: 'address-kinds',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const found: Observation[] = [];
    // Held streams are included here (and only here) among the address checks.
    for (const use of connectionUses(activeMedia(sdp.description))) {
      const rule = KIND_RULES[use.connection.kind];
      if (rule === undefined) continue;
      // A c=0.0.0.0 that only ICE placeholders (port 9) use is not a hold.
      if (use.connection.kind === 'hold' && use.media.every(isIcePlaceholder)) continue;
      found.push(
        observation(
          rule.code,
          `${describeConnectionUse(use)} names ${rule.describe(use.connection)}`,
          use.mediaIndex,
          use.connection.line,
        ),
      );
    }
    for (const media of liveMedia(sdp.description)) {
      const address = explicitRtcpAddress(media);
      if (address === null || address.kind === 'hold') continue;
      const rule = KIND_RULES[address.kind];
      if (rule === undefined) continue;
      found.push(
        observation(
          rule.code,
          `${streamName(media)} a=rtcp names ${rule.describe(address)}`,
          media.index,
          address.line,
        ),
      );
    }
    return found;
  },
};
