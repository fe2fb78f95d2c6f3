/**
 * Readings of one header field's value that both the message view's getters (topVia, cseq,
 * contentType) and the grammar checks need: computed once per field, cached on the field.
 * A field has one canonical name, so each field caches at most one kind of reading.
 */
import { type CSeqReading, parseCSeq } from './cseq.js';
import type { HeaderLine } from './header-index.js';
import { trimLws } from './header-values.js';
import { mediaTypeName } from './media-type.js';
import { parseVia, type ViaReading } from './via.js';

/**
 * The reading of a Via field whose value holds no ',' (one via-parm, the usual case): what
 * `splitHeaderValue` would give as its single element, read by `parseVia`. The caller checks
 * that the value is not empty and has no comma.
 */
export function singleViaReading(field: HeaderLine): ViaReading {
  let reading = field.memo as ViaReading | undefined;
  if (reading === undefined) {
    reading = parseVia(trimLws(field.value));
    field.memo = reading;
  }
  return reading;
}

/** `parseCSeq` of a CSeq field's value. */
export function cseqReading(field: HeaderLine): CSeqReading {
  let reading = field.memo as CSeqReading | undefined;
  if (reading === undefined) {
    reading = parseCSeq(field.value);
    field.memo = reading;
  }
  return reading;
}

/** `mediaTypeName` of a Content-Type field's value: lower-case `type/subtype`, or null. */
export function contentTypeName(field: HeaderLine): string | null {
  let name = field.memo as string | null | undefined;
  if (name === undefined) {
    name = mediaTypeName(field.value);
    field.memo = name;
  }
  return name;
}
