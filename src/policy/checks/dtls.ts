/**
 * DTLS-SRTP keying (RFC 5763, RFC 8842):
 * - dtls-missing-fingerprint: a DTLS/TLS media transport (UDP/TLS/RTP/SAVP[F], TCP/DTLS/...)
 *   without a=fingerprint (nothing to authenticate the DTLS handshake with) or without a=setup
 *   (no agreed DTLS role). One finding per stream, naming what is missing.
 * - dtls-weak-fingerprint: an a=fingerprint hashed with md2, md5 or sha-1. Session-level
 *   fingerprints apply to every stream; each distinct line is reported once per SDP.
 */
import type { Fingerprint, MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, isDtlsProto, judgedSdp, observation, streamName } from './media-helpers.js';

// RFC 8122 §5 / RFC 8827 §6.5: SHA-256 or stronger; md2 and md5 are legacy, sha-1 is broken.
const WEAK_HASHES: ReadonlySet<string> = new Set(['md2', 'md5', 'sha-1', 'sha1']);

function missingKeying(media: MediaDescription): Observation | null {
  if (!isDtlsProto(media.proto)) return null;
  const missing: string[] = [];
  // RFC 8842 §5.1: a=fingerprint MUST be present; RFC 5763 §5.
  if (media.fingerprints.length === 0) missing.push('a=fingerprint');
  // RFC 8842 §5.3 / RFC 5763 §5: a=setup MUST be present to pick the DTLS role.
  if (media.setup === null) missing.push('a=setup');
  if (missing.length === 0) return null;
  return observation(
    'dtls-missing-fingerprint',
    `${streamName(media)} uses ${media.proto} without ${missing.join(' and ')}: the DTLS-SRTP handshake cannot be authenticated and keyed`,
    media.index,
    media.line,
  );
}

function weakFingerprints(streams: readonly MediaDescription[]): Observation[] {
  const seen = new Set<string>();
  const found: Observation[] = [];
  for (const media of streams) {
    for (const fingerprint of media.fingerprints) {
      if (!isWeak(fingerprint) || seen.has(fingerprint.line)) continue;
      seen.add(fingerprint.line);
      found.push(
        observation(
          'dtls-weak-fingerprint',
          `${streamName(media)} a=fingerprint uses ${fingerprint.hash}, a weak hash for certificate fingerprints (use sha-256)`,
          media.index,
          fingerprint.line,
        ),
      );
    }
  }
  return found;
}

function isWeak(fingerprint: Fingerprint): boolean {
  return WEAK_HASHES.has(fingerprint.hash.toLowerCase());
}

// RFC 5763 §5, RFC 8842 §5 (a=fingerprint, a=setup); RFC 8122 §5, RFC 8827 §6.5 (hash strength).
export const dtls: Check = {
  name: 'dtls',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const streams = activeMedia(sdp.description);
    const missing = streams.map(missingKeying).filter((found): found is Observation => found !== null);
    return [...missing, ...weakFingerprints(streams)];
  },
};
