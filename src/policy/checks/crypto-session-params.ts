/**
 * SDES session parameters that switch SRTP protection off (RFC 4568 §6.3.2, §6.3.3):
 * UNENCRYPTED_SRTP (srtp-unencrypted), UNENCRYPTED_SRTCP (srtcp-unencrypted) and
 * UNAUTHENTICATED_SRTP (srtp-unauthenticated). Offered or answered, each is reported once per
 * stream and parameter, naming the first a=crypto that carries it.
 */
import type { MediaDescription } from '../../sdp/types.js';
import type { Check } from '../check.js';
import type { FindingCode } from '../codes.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import { describeCrypto } from './srtp-helpers.js';

interface WeakeningParam {
  readonly param: string;
  readonly code: FindingCode;
  readonly effect: string;
}

const WEAKENING_PARAMS: readonly WeakeningParam[] = [
  // RFC 4568 §6.3.2: UNENCRYPTED_SRTP, "SRTP messages are not encrypted".
  { param: 'UNENCRYPTED_SRTP', code: 'srtp-unencrypted', effect: 'RTP travels unencrypted' },
  // RFC 4568 §6.3.2: UNENCRYPTED_SRTCP, "SRTCP messages are not encrypted".
  { param: 'UNENCRYPTED_SRTCP', code: 'srtcp-unencrypted', effect: 'RTCP travels unencrypted' },
  // RFC 4568 §6.3.3 / RFC 3711 §7.2: UNAUTHENTICATED_SRTP, "SRTP messages are not authenticated".
  {
    param: 'UNAUTHENTICATED_SRTP',
    code: 'srtp-unauthenticated',
    effect: 'RTP is not authenticated, so it can be forged or altered',
  },
];

function judgeStream(media: MediaDescription): Observation[] {
  const found: Observation[] = [];
  for (const weakening of WEAKENING_PARAMS) {
    const crypto = media.crypto.find((attribute) =>
      attribute.sessionParams.some((param) => param.toUpperCase() === weakening.param),
    );
    if (crypto === undefined) continue;
    found.push(
      observation(
        weakening.code,
        `${streamName(media)} a=crypto ${describeCrypto(crypto)} carries ${weakening.param}: ${weakening.effect}`,
        media.index,
        crypto.line,
      ),
    );
  }
  return found;
}

// RFC 4568 §6.3.2 (UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP), §6.3.3 (UNAUTHENTICATED_SRTP).
export const cryptoSessionParams: Check = {
  name: 'crypto-session-params',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    return activeMedia(sdp.description).flatMap(judgeStream);
  },
};
