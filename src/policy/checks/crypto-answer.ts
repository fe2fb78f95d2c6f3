/**
 * crypto-answer-mismatch: an SDES answer accepts one of the offered a=crypto lines as offered
 * (RFC 4568 §7.1.2): the same tag on the same m= line, with the same suite, and one a=crypto per
 * accepted stream (an answer listing several leaves the keys in use ambiguous).
 * An answer with no crypto on a stream where SRTP was offered is not a mismatch: srtp-negotiated
 * (plain RTP) or srtp-keys (SAVP without keys) report it.
 * Needs the offer: an answer whose offer was not seen is not judged.
 */
import type { OfferedCrypto, OfferSummary } from '../../dialog/offer-summary.js';
import type { CryptoAttribute, MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import { describeCrypto, normalizeSuite } from './srtp-helpers.js';

function mismatchOf(crypto: CryptoAttribute, offered: readonly OfferedCrypto[]): string | null {
  if (crypto.tag === null) return 'has no valid tag to match an offered a=crypto';
  const match = offered.find((attribute) => attribute.tag === crypto.tag);
  if (match === undefined) {
    const tags = offered.map((attribute) => attribute.tag).filter((tag) => tag !== null);
    return `answers tag ${crypto.tag}, which was not offered on this m= line (offered: ${tags.length > 0 ? tags.join(', ') : 'none'})`;
  }
  if (normalizeSuite(match.suite) !== normalizeSuite(crypto.suite)) {
    return `answers tag ${crypto.tag} with ${crypto.suite}, but the offer's tag ${crypto.tag} is ${match.suite}`;
  }
  return null;
}

function judgeStream(media: MediaDescription, offer: OfferSummary): Observation[] {
  const offered = offer.streams[media.index]?.crypto ?? [];
  const found: Observation[] = [];
  // RFC 4568 §7.1.2: an answer carries exactly one a=crypto per accepted stream.
  const extra = media.crypto[1];
  if (extra !== undefined) {
    found.push(
      observation(
        'crypto-answer-mismatch',
        `${streamName(media)} answer carries ${media.crypto.length} a=crypto lines; an answer accepts exactly one`,
        media.index,
        extra.line,
      ),
    );
  }
  for (const crypto of media.crypto) {
    // RFC 4568 §7.1.2/§7.1.3: the answered tag and suite must be one the offer carried.
    const mismatch = mismatchOf(crypto, offered);
    if (mismatch === null) continue;
    found.push(
      observation(
        'crypto-answer-mismatch',
        `${streamName(media)} a=crypto ${describeCrypto(crypto)} ${mismatch}`,
        media.index,
        crypto.line,
      ),
    );
  }
  return found;
}

// RFC 4568 §7.1.2, §7.1.3: an answer accepts one offered a=crypto per stream, as offered.
export const cryptoAnswer: Check = {
  name: 'crypto-answer',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null || sdp.role !== 'answer' || sdp.offer === null) return [];
    const offer = sdp.offer;
    return activeMedia(sdp.description).flatMap((media) => judgeStream(media, offer));
  },
};
