/**
 * What one SDP body may cost the model (config `proxy.limits.message`): its line count, and the
 * ICE candidates under one m= line. A body past either is not modelled at all; the one problem
 * it gives names the limit, for the caller to count (src/sip/message-limits.ts holds the defaults
 * shared with the SIP reader).
 */
import { type MessageLimits, overLimit } from '../sip/message-limits.js';
import type { SdpOverLimit } from './types.js';

export type SdpLimits = Pick<MessageLimits, 'maxSdpLines' | 'maxIceCandidates'>;

type SdpLimitName = SdpOverLimit['limit'];

/**
 * parseSdp on its own models any description (a library call, bounded by the text it is given);
 * the judge always passes the configured limits (DEFAULT_MESSAGE_LIMITS unless configured).
 */
export const NO_SDP_LIMITS: SdpLimits = {
  maxSdpLines: Number.POSITIVE_INFINITY,
  maxIceCandidates: Number.POSITIVE_INFINITY,
};

/**
 * Counts the lines of one description as the raw pass walks them. Once a limit is passed the pass
 * stops reading lines into the model; the walk goes on counting only, so the reason is exact.
 */
export class SdpLineCounter {
  #lines = 0;
  /** a=candidate lines in the current m= section. */
  #candidates = 0;
  #mediaIndex = -1;
  #hit: SdpLimitName | null = null;
  /** The m= section the candidate limit was passed in. */
  #hitMedia = -1;
  #hitCandidates = 0;

  constructor(private readonly limits: SdpLimits) {}

  /** True once a limit is passed: the line at `text[start, end)` must not be read into the model. */
  count(text: string, start: number, end: number): boolean {
    this.#lines++;
    if (this.#lines > this.limits.maxSdpLines) this.#hit ??= 'sdp-lines';
    if (end - start >= 2 && text.charCodeAt(start + 1) === 61 /* = */) {
      const letter = text.charCodeAt(start);
      if (letter === 109 /* m */) {
        this.#mediaIndex++;
        this.#candidates = 0;
      } else if (letter === 97 /* a */ && text.startsWith('candidate:', start + 2)) {
        this.#candidates++;
        if (this.#hit === 'ice-candidates' && this.#hitMedia === this.#mediaIndex)
          this.#hitCandidates = this.#candidates;
        else if (this.#hit === null && this.#candidates > this.limits.maxIceCandidates) {
          this.#hit = 'ice-candidates';
          this.#hitMedia = this.#mediaIndex;
          this.#hitCandidates = this.#candidates;
        }
      }
    }
    return this.#hit !== null;
  }

  /** The limit passed (with the count over the whole description), or null. */
  get overLimit(): SdpOverLimit | null {
    if (this.#hit === 'sdp-lines')
      return {
        ...overLimit('sdp-lines', this.#lines, 'lines in the SDP', this.limits.maxSdpLines),
        limit: 'sdp-lines',
      };
    if (this.#hit === 'ice-candidates') {
      const where = this.#hitMedia < 0 ? 'at session level' : `in m= section ${this.#hitMedia}`;
      return {
        ...overLimit(
          'ice-candidates',
          this.#hitCandidates,
          `a=candidate lines ${where}`,
          this.limits.maxIceCandidates,
        ),
        limit: 'ice-candidates',
      };
    }
    return null;
  }
}
