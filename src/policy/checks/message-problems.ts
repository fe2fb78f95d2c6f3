/**
 * The SIP message's own framing and grammar problems, as the reader found them, one observation
 * each with the same code: content-length-mismatch (RFC 3261 §18.3, §20.14; Kamailio sanity
 * check 128), duplicate-content-length (RFC 3261 §7.3.1, §20.14) and malformed-message
 * (RFC 3261 §7, §25).
 */
import type { Check } from '../check.js';
import { observation } from './media-helpers.js';

// RFC 3261 §7, §7.3.1, §18.3, §20.14, §25: framing and grammar, as the reader found them.
export const messageProblems: Check = {
  name: 'message-problems',
  scope: 'message',
  run(context) {
    // RFC 3261 §7.3.1, §18.3, §20.14: what the reader found while framing and indexing.
    return context.message.problems.map((problem) =>
      observation(problem.code, problem.reason, null, problem.evidence),
    );
  },
};
