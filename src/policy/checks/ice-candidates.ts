/**
 * ice-candidate-out-of-range: every carrier-side ICE candidate (host, srflx, prflx, relay: each
 * is an address media may use) must be inside the carrier's media ranges and port span.
 *
 * Candidates a profile cannot judge are skipped: FQDN and mDNS `.local` candidates (no address to
 * compare), IPv6 ones under an IPv4-only profile (ipv6-media-address reports those), and the
 * port of a TCP active candidate, which is the placeholder 9 (RFC 6544 §4.5). When the profile
 * says ICE-chosen ports are not bound by the static span (iceExemptFromPortSpan), only the
 * address is judged. Candidates of held streams and ICE placeholders (c=0.0.0.0) are judged too:
 * they are real addresses, unlike the c= of such a stream.
 */
import type { IceCandidate, MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import type { CarrierProfile } from '../profile.js';
import {
  activeMedia,
  formatSpan,
  ipOf,
  isInMediaRanges,
  judgedSdp,
  mediaRangesText,
  observation,
  rangesCanJudge,
  streamName,
} from './media-helpers.js';

function isTcpActive(candidate: IceCandidate): boolean {
  return candidate.transport.toLowerCase() === 'tcp' && /\btcptype\s+active\b/i.test(candidate.line);
}

/** What is wrong with one candidate, or an empty list. */
function problemsOf(candidate: IceCandidate, profile: CarrierProfile): string[] {
  const problems: string[] = [];
  const ip = ipOf(candidate.address);
  if (profile.mediaRanges.length > 0 && ip !== null && rangesCanJudge(profile, ip)) {
    if (!isInMediaRanges(profile, ip)) {
      problems.push(
        `address ${candidate.address.address} is outside ${profile.carrier}'s published media ranges (${mediaRangesText(profile)})`,
      );
    }
  }
  const span = profile.mediaPorts;
  const portJudged =
    span !== null && !profile.iceExemptFromPortSpan && ip !== null && !isTcpActive(candidate);
  if (portJudged && (candidate.port < span.min || candidate.port > span.max)) {
    problems.push(
      `port ${candidate.port} is outside ${profile.carrier}'s published media port span ${formatSpan(span)}`,
    );
  }
  return problems;
}

function judgeStream(media: MediaDescription, profile: CarrierProfile): Observation[] {
  const found: Observation[] = [];
  for (const candidate of media.candidates) {
    // RFC 8839 §5.1 (candidate attribute); carrier profile media ranges and port span.
    const problems = problemsOf(candidate, profile);
    if (problems.length === 0) continue;
    found.push(
      observation(
        'ice-candidate-out-of-range',
        `${streamName(media)} ${candidate.type} candidate ${candidate.address.address}:${candidate.port} (component ${candidate.component}): ${problems.join('; ')}`,
        media.index,
        candidate.line,
      ),
    );
  }
  return found;
}

// RFC 8839 §5.1 (candidate addresses); carrier profile (media ranges, port span).
export const iceCandidates: Check = {
  name: 'ice-candidates',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    const { profile } = context.config;
    if (sdp === null || context.side !== 'carrier') return [];
    if (profile.mediaRanges.length === 0 && profile.mediaPorts === null) return [];
    return activeMedia(sdp.description).flatMap((media) => judgeStream(media, profile));
  },
};
