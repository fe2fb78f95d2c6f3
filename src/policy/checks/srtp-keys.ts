/**
 * srtp-missing-keys: an active SRTP stream must carry keying that can work: an SDES a=crypto
 * with a usable `inline:` key (RFC 4568 §6.1, §9.1), or a DTLS fingerprint (RFC 5763 §5).
 * DTLS profiles (UDP/TLS/RTP/SAVP...) without a fingerprint are dtls-missing-fingerprint instead.
 * Every a=crypto on an active stream is also judged on its own: a key of the wrong length for
 * its suite cannot key SRTP (RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §12). A key replaced by its
 * hash in the negotiation log (`inline:redacted-<hex>`) is not judged again: its length is gone.
 */
import { isRedactedKeyDigest } from '../../sdp/key-digest.js';
import type { CryptoAttribute, MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import {
  activeMedia,
  isDtlsProto,
  isSrtpProto,
  judgedSdp,
  observation,
  streamName,
} from './media-helpers.js';
import { describeCrypto, expectedKeyLength } from './srtp-helpers.js';

/** Why this a=crypto has no usable key, or null when every key parameter is usable. */
function keyProblem(crypto: CryptoAttribute): string | null {
  if (crypto.keyParams.length === 0) return 'has no key parameter';
  const expected = expectedKeyLength(crypto.suite);
  for (const key of crypto.keyParams) {
    if (key.method.toLowerCase() !== 'inline') return `uses key method "${key.method}" instead of inline`;
    // Replaced by its hash in the negotiation log: it was judged when it was live, its length is unknown now.
    if (key.keyDigest !== null && isRedactedKeyDigest(key.keyDigest)) continue;
    if (key.keyLength === null) return 'has an inline key that is not valid base64';
    if (key.keyLength === 0) return 'has an empty inline key';
    if (expected !== null && key.keyLength !== expected) {
      return `has a ${key.keyLength}-byte inline key where ${crypto.suite} needs ${expected} bytes of key||salt`;
    }
  }
  return null;
}

function judgeStream(media: MediaDescription): Observation[] {
  const found: Observation[] = [];
  // RFC 4568 §6.1 / RFC 5763 §5: SAVP needs SDES keys or a DTLS fingerprint.
  if (isSrtpProto(media.proto) && !isDtlsProto(media.proto)) {
    if (media.crypto.length === 0 && media.fingerprints.length === 0) {
      found.push(
        observation(
          'srtp-missing-keys',
          `${streamName(media)} uses ${media.proto} with neither a=crypto nor a=fingerprint: SRTP cannot be keyed`,
          media.index,
          media.line,
        ),
      );
    }
  }
  for (const crypto of media.crypto) {
    // RFC 4568 §6.1 (key-params), §6.2 and RFC 6188 §7.1, RFC 7714 §12 (key||salt lengths).
    const problem = keyProblem(crypto);
    if (problem === null) continue;
    found.push(
      observation(
        'srtp-missing-keys',
        `${streamName(media)} a=crypto ${describeCrypto(crypto)} ${problem}`,
        media.index,
        crypto.line,
      ),
    );
  }
  return found;
}

// RFC 4568 §6.1, §6.2, §9.1; RFC 5763 §5; RFC 6188 §7.1; RFC 7714 §12 (key lengths).
export const srtpKeys: Check = {
  name: 'srtp-keys',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    return activeMedia(sdp.description).flatMap(judgeStream);
  },
};
