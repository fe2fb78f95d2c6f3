/**
 * rtcp-port-out-of-range and rtcp-ip-out-of-range: where carrier-side SDP asks for RTCP.
 * RTCP goes to the a=rtcp port (RFC 3605), else RTP+1 (RFC 3550 §11); with rtcp-mux it shares the
 * RTP port, which media-ports already judges. The address is judged only when a=rtcp writes one:
 * otherwise it is the c= address, which media-range judges.
 */
import type { MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import type { CarrierProfile, PortSpan } from '../profile.js';
import {
  explicitRtcpAddress,
  formatPorts,
  formatSpan,
  ipOf,
  isInMediaRanges,
  isInsideSpan,
  isRtpProto,
  judgedSdp,
  liveMedia,
  mediaRangesText,
  observation,
  type PortRange,
  rangesCanJudge,
  rtpPorts,
  streamName,
} from './media-helpers.js';

/** The RTCP ports of a stream: the a=rtcp port, else each RTP port + 1 (RFC 8866 §5.14). */
function rtcpPorts(media: MediaDescription): PortRange {
  if (media.rtcp.explicit) return { first: media.rtcp.port, last: media.rtcp.port };
  const rtp = rtpPorts(media);
  return { first: rtp.first + 1, last: rtp.last + 1 };
}

function judgePort(media: MediaDescription, span: PortSpan, carrier: string): Observation | null {
  const ports = rtcpPorts(media);
  // RFC 3605 §2.1 / RFC 3550 §11: RTCP on a=rtcp's port or RTP+1; carrier profile port span.
  if (isInsideSpan(ports, span)) return null;
  const how = media.rtcp.explicit ? 'a=rtcp' : 'RTP port + 1';
  const what = ports.first === ports.last ? `port ${ports.first}` : `ports ${formatPorts(ports)}`;
  return observation(
    'rtcp-port-out-of-range',
    `${streamName(media)} asks for RTCP on ${what} (${how}), outside ${carrier}'s published media port span ${formatSpan(span)}`,
    media.index,
    media.rtcp.line ?? media.line,
  );
}

function judgeAddress(media: MediaDescription, profile: CarrierProfile): Observation | null {
  const address = explicitRtcpAddress(media);
  const ip = address === null ? null : ipOf(address);
  if (address === null || ip === null || !rangesCanJudge(profile, ip)) return null;
  // RFC 3605 §2.1: a=rtcp may name another address; it must still be inside the carrier's media ranges.
  if (isInMediaRanges(profile, ip)) return null;
  return observation(
    'rtcp-ip-out-of-range',
    `${streamName(media)} sends RTCP to ${address.address} (a=rtcp), outside ${profile.carrier}'s published media ranges (${mediaRangesText(profile)})`,
    media.index,
    address.line,
  );
}

// RFC 3605 §2.1 (a=rtcp), RFC 3550 §11 (RTP port + 1); carrier profile (ranges, port span).
export const rtcpRange: Check = {
  name: 'rtcp-range',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || context.side !== 'carrier') return [];
    const found: Observation[] = [];
    for (const media of liveMedia(sdp.description)) {
      if (!isRtpProto(media.proto)) continue;
      if (profile.mediaPorts !== null && !media.rtcp.mux) {
        const port = judgePort(media, profile.mediaPorts, profile.carrier);
        if (port !== null) found.push(port);
      }
      if (profile.mediaRanges.length > 0) {
        const address = judgeAddress(media, profile);
        if (address !== null) found.push(address);
      }
    }
    return found;
  },
};
