/**
 * Content-Length as declared: absent, one usable value, duplicates, or garbage.
 *
 * RFC 3261 §20.14: "The Content-Length header field indicates the size of the message-body, in
 * decimal number of octets, sent to the recipient." ... "Content-Length = ( "Content-Length" /
 * "l" ) HCOLON 1*DIGIT". Octets, not characters: every length here is a byte count.
 */
import type { HeaderLine } from './header-index.js';
import type { MessageProblem } from './message.js';

export type ContentLengthReading =
  | { readonly kind: 'absent' }
  /** `value` is the first occurrence (Infinity when too large to represent exactly). */
  | {
      readonly kind: 'valid';
      readonly value: number;
      readonly fields: readonly HeaderLine[];
      readonly values: readonly number[];
    }
  | { readonly kind: 'invalid'; readonly field: HeaderLine };

export function readContentLength(fields: readonly HeaderLine[]): ContentLengthReading {
  let found: HeaderLine[] | null = null;
  for (const field of fields) {
    if (field.name !== 'content-length') continue;
    if (found === null) found = [];
    found.push(field);
  }
  if (found === null) return { kind: 'absent' };
  const values: number[] = [];
  for (const field of found) {
    const value = parseLength(field.value);
    if (value === null) return { kind: 'invalid', field };
    values.push(value);
  }
  return { kind: 'valid', value: values[0] ?? 0, fields: found, values };
}

/** 1*DIGIT (leading zeros allowed); Infinity beyond what a double holds exactly. */
function parseLength(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/** True when duplicate Content-Length headers disagree: framing is then undefined. */
export function isConflicting(reading: ContentLengthReading): boolean {
  return reading.kind === 'valid' && reading.values.some((value) => value !== reading.value);
}

/**
 * RFC 3261 §7.3.1 allows repeated header rows only for list-valued headers, and Content-Length
 * is a single number: two of them (RFC 4475 §3.3.9, mcl01.dat) leave the body length undefined,
 * the classic request-smuggling gap. Reported even when the values agree.
 */
export function duplicateContentLengthProblem(reading: ContentLengthReading): MessageProblem | null {
  if (reading.kind !== 'valid' || reading.fields.length < 2) return null;
  const written = reading.fields.map((field) => field.value).join(', ');
  const agree = !isConflicting(reading);
  return {
    code: 'duplicate-content-length',
    reason: agree
      ? `Content-Length appears ${reading.fields.length} times (${written}); the values agree but the header is single-valued`
      : `Content-Length appears ${reading.fields.length} times with different values (${written}): framing is undefined; the reader used the first`,
    evidence: reading.fields.map((field) => field.line).join(' | '),
  };
}

export function invalidContentLengthReason(field: HeaderLine): string {
  return `Content-Length '${field.value}' is not a decimal number of octets (RFC 3261 §20.14: 1*DIGIT)`;
}
