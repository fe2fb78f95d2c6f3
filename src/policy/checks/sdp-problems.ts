/**
 * The SDP's own syntax problems, as the parser's raw line pass found them, one observation each
 * with the same code: duplicate-connection-line (RFC 8866 §5: one c= per level),
 * missing-connection-address (RFC 8866 §5.7: every active m= needs a c= somewhere) and
 * malformed-sdp (RFC 8866 §5, §9 grammar). Runs for every role, capability included.
 */
import type { Check } from '../check.js';
import { observation } from './media-helpers.js';

// RFC 8866 §5, §5.7, §9: one c= per level, a c= for every active m=, the grammar.
export const sdpProblems: Check = {
  name: 'sdp-problems',
  scope: 'sdp',
  run(context) {
    if (context.sdp === null) return [];
    // RFC 8866 §5, §5.7, §9: what the raw line pass found.
    return context.sdp.description.problems.map((problem) =>
      observation(problem.code, problem.reason, problem.mediaIndex, problem.evidence),
    );
  },
};
