/**
 * CSeq: a sequence number and a method.
 *
 * RFC 3261 §25.1: "CSeq = "CSeq" HCOLON 1*DIGIT LWS Method".
 * RFC 3261 §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned
 * integer and MUST be less than 2**31."
 */
import { isToken, isTokenChar } from './abnf.js';
import type { CSeq } from './message.js';

export const MAX_CSEQ = 2 ** 31 - 1;

export interface CSeqReading {
  /** Null when the value does not have the `number method` shape at all. */
  readonly cseq: CSeq | null;
  readonly problem: string | null;
}

export function parseCSeq(value: string): CSeqReading {
  // Fast path, no regex: digits, LWS, a token to the end (what the regex below matches with a
  // token method). Anything else takes the regex, which gives the exact reason.
  const length = value.length;
  let i = 0;
  while (i < length && isDigit(value.charCodeAt(i))) i++;
  const digitsEnd = i;
  while (i < length && isLws(value.charCodeAt(i))) i++;
  const methodStart = i;
  while (i < length && isTokenChar(value.charCodeAt(i))) i++;
  if (digitsEnd > 0 && methodStart > digitsEnd && i > methodStart && i === length) {
    const cseq = { number: Number(value.slice(0, digitsEnd)), method: value.slice(methodStart) };
    if (cseq.number <= MAX_CSEQ) return { cseq, problem: null };
  }
  return parseCSeqSlow(value);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLws(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

function parseCSeqSlow(value: string): CSeqReading {
  const match = /^(\d+)[ \t\r\n]+(\S+)$/.exec(value);
  if (match === null) return { cseq: null, problem: `CSeq '${value.slice(0, 80)}' is not "number method"` };
  const digits = match[1] ?? '';
  const method = match[2] ?? '';
  // An overlarge number is still returned (imprecise beyond 2^53) so the message stays inspectable.
  const cseq = { number: Number(digits), method };
  if (!isToken(method)) return { cseq, problem: `CSeq method '${method}' is not a token` };
  if (!(cseq.number <= MAX_CSEQ)) {
    return { cseq, problem: `CSeq number ${digits} is not less than 2**31 (RFC 3261 §8.1.1.5)` };
  }
  return { cseq, problem: null };
}
