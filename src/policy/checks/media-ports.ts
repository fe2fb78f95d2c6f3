/**
 * media-port-out-of-range: the RTP ports of each live stream must lie inside the published span:
 * the carrier's for carrier-side SDP, the customer's own (policy.customerPorts) for customer-side
 * SDP when configured. A port count (`m=audio 5000/2`) is judged over its whole span.
 */
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import type { PortSpan } from '../profile.js';
import {
  formatPorts,
  formatSpan,
  isInsideSpan,
  judgedSdp,
  liveMedia,
  observation,
  rtpPorts,
  streamName,
} from './media-helpers.js';

// Carrier profile: the published RTP port span (Twilio: UDP 10000-60000); policy.customerPorts.
export const mediaPorts: Check = {
  name: 'media-ports',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const { profile, policy } = context.config;
    const span: PortSpan | null = context.side === 'carrier' ? profile.mediaPorts : policy.customerPorts;
    if (span === null) return [];
    const whose = context.side === 'carrier' ? `${profile.carrier}'s published` : "the customer's configured";
    const found: Observation[] = [];
    for (const media of liveMedia(sdp.description)) {
      const ports = rtpPorts(media);
      // Carrier profile port span (Twilio: UDP 10000-60000); RFC 8866 §5.14 for the port count.
      if (isInsideSpan(ports, span)) continue;
      const what = ports.first === ports.last ? `port ${ports.first}` : `ports ${formatPorts(ports)}`;
      found.push(
        observation(
          'media-port-out-of-range',
          `${streamName(media)} uses RTP ${what}, outside ${whose} media port span ${formatSpan(span)}`,
          media.index,
          media.line,
        ),
      );
    }
    return found;
  },
};
