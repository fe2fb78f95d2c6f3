/**
 * comedia-active: `a=direction:active` or `both` asks the far end to send media wherever media
 * comes from (COMEDIA latching, draft-ietf-mmusic-sdp-comedia, as nathelper uses it). Whoever
 * sprays the port first gets the stream: the RTP bleed hijack (Asterisk AST-2017-005).
 * Judged on both sides, once per active stream.
 */
import type { Check } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';

const LATCHING: ReadonlySet<string> = new Set(['active', 'both']);

// draft-ietf-mmusic-sdp-comedia (a=direction); Asterisk AST-2017-005 (RTP bleed).
export const comedia: Check = {
  name: 'comedia',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const found: Observation[] = [];
    for (const media of activeMedia(sdp.description)) {
      const direction = media.comediaDirection?.toLowerCase() ?? null;
      // draft-ietf-mmusic-sdp-comedia §4: active/both endpoints latch onto the first media source.
      if (direction === null || !LATCHING.has(direction)) continue;
      found.push(
        observation(
          'comedia-active',
          `${streamName(media)} asks for a=direction:${direction}: the far end latches onto whatever source sends media first (RTP hijack hazard)`,
          media.index,
          `a=direction:${media.comediaDirection}`,
        ),
      );
    }
    return found;
  },
};
