/**
 * srtp-not-negotiated: the media protection the policy asks for, judged on both sides for every
 * active RTP audio/video/text stream (T.38 `image udptl` and data channels are not RTP).
 * - policy `required`: a stream on RTP/AVP(F) is plain RTP, even when it carries a=crypto: that is
 *   best-effort SRTP (OSRTP, RFC 8643), which the answerer may ignore, so SRTP is not guaranteed.
 *   An answer falling back to RTP/AVP when SRTP was offered lands here too (not a crypto mismatch).
 * - policy `forbidden`: a stream using SRTP (a SAVP profile, or a=crypto) is what a non-secure
 *   Twilio trunk rejects.
 */
import type { MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import type { SrtpPolicy } from '../profile.js';
import {
  activeMedia,
  carriesRtpMedia,
  isSrtpProto,
  judgedSdp,
  observation,
  streamName,
} from './media-helpers.js';

function judgeRequired(media: MediaDescription): Observation | null {
  // RFC 3711 §3 / Twilio Secure Media: "SRTP MUST carry media"; RFC 8643 §3: OSRTP is opportunistic only.
  if (isSrtpProto(media.proto)) return null;
  const opportunistic =
    media.crypto.length > 0
      ? ` with a=crypto: best-effort SRTP (OSRTP, RFC 8643) that the far end may ignore, so SRTP is not guaranteed`
      : '';
  return observation(
    'srtp-not-negotiated',
    `${streamName(media)} uses plain ${media.proto}${opportunistic}; the policy requires SRTP`,
    media.index,
    media.line,
  );
}

function judgeForbidden(media: MediaDescription, carrier: string): Observation | null {
  // Twilio Secure Media disabled: "SRTP-encrypted calls are rejected".
  if (!isSrtpProto(media.proto) && media.crypto.length === 0) return null;
  const how = isSrtpProto(media.proto) ? media.proto : `${media.proto} with a=crypto`;
  return observation(
    'srtp-not-negotiated',
    `${streamName(media)} uses SRTP (${how}) but the policy forbids SRTP: a non-secure ${carrier} trunk rejects SRTP calls`,
    media.index,
    media.crypto[0]?.line ?? media.line,
  );
}

// RFC 3711; RFC 8643 (OSRTP is best effort); carrier profile (Twilio Secure Media).
export const srtpNegotiated: Check = {
  name: 'srtp-negotiated',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const policy: SrtpPolicy = context.config.policy.srtp;
    if (sdp === null || policy === 'optional') return [];
    const found: Observation[] = [];
    for (const media of activeMedia(sdp.description)) {
      if (!carriesRtpMedia(media)) continue;
      const problem =
        policy === 'required' ? judgeRequired(media) : judgeForbidden(media, context.config.profile.carrier);
      if (problem !== null) found.push(problem);
    }
    return found;
  },
};
