/**
 * The problems the raw pass and the media model find in one SDP. Bounded (DESIGN principle 7): a 64 KB
 * garbage body must not turn into thousands of problems, so past MAX_PROBLEMS one summary stands for the
 * rest. Evidence is always redacted (DESIGN principle 6) and cut to a readable length.
 */
import { REDACTED, redactSdesKeys } from './redact.js';
import type { SdpProblem, SdpProblemCode } from './types.js';

export const MAX_PROBLEMS = 32;
const MAX_EVIDENCE_LENGTH = 256;

export class ProblemList {
  readonly #problems: SdpProblem[] = [];
  #dropped = 0;

  add(code: SdpProblemCode, reason: string, mediaIndex: number | null, line: string | null): void {
    if (this.#problems.length >= MAX_PROBLEMS) {
      this.#dropped++;
      return;
    }
    this.#problems.push({
      code,
      reason: redactSdesKeys(reason),
      mediaIndex,
      evidence: line === null ? null : evidenceOf(line),
    });
  }

  /** Adds a problem built elsewhere (already redacted), within the same bound. */
  include(problem: SdpProblem): void {
    if (this.#problems.length >= MAX_PROBLEMS) this.#dropped++;
    else this.#problems.push(problem);
  }

  toArray(): readonly SdpProblem[] {
    if (this.#dropped === 0) return this.#problems;
    const summary: SdpProblem = {
      code: 'malformed-sdp',
      reason: `${this.#dropped} more problems in this SDP are not listed`,
      mediaIndex: null,
      evidence: null,
    };
    return [...this.#problems, summary];
  }
}

/**
 * A line as evidence: SDES keys redacted, the obsolete `k=<method>:<key>` (RFC 8866 §5.12, which can carry
 * a key in clear) redacted too, and cut to MAX_EVIDENCE_LENGTH. Redaction comes first, so the cut can
 * never expose part of a key.
 */
export function evidenceOf(line: string): string {
  let evidence = redactSdesKeys(line);
  if (evidence.startsWith('k=')) {
    const colon = evidence.indexOf(':');
    if (colon !== -1) evidence = `${evidence.slice(0, colon + 1)}${REDACTED}`;
  }
  // A cut through `inline:[redacted]` is redacted again, so the evidence never ends in a key-like stub.
  return evidence.length > MAX_EVIDENCE_LENGTH
    ? redactSdesKeys(`${evidence.slice(0, MAX_EVIDENCE_LENGTH)}…`)
    : evidence;
}
