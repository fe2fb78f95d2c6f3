/**
 * The proxy's edits to a message it forwards, as byte edits over `message.bytes`.
 *
 * DESIGN.md principle 1, bytes in = bytes out: the proxy never re-serializes. It inserts its
 * Via (and Record-Route) on requests, removes its Via from responses and its own Route values
 * from requests, and decrements Max-Forwards in place; every other byte (header order, case,
 * compact forms, folding, line ends, the body) is forwarded exactly as received. Each function
 * here computes one edit from the reader's byte offsets; `applyEdits` builds the output from
 * slices of the input. All edits lie in the header section: the body is never touched.
 *
 * The message bytes are scanned in their latin1 view, where one character is one byte, so
 * every offset below is a byte offset into `message.bytes`.
 */
import { isWhitespace, skipWhitespace } from './abnf.js';
import { HeaderLine } from './header-index.js';
import { splitHeaderValue, valueSeparators } from './header-values.js';
import type { HeaderField, SipMessage } from './message.js';

/** Replace bytes [at, at+remove) with insert. */
export interface ByteEdit {
  readonly at: number;
  readonly remove: number;
  readonly insert: string;
}

/**
 * Applies non-overlapping edits to `bytes` and returns a new Buffer built from slices of it.
 * Edits may be given in any order: they are sorted by offset, and at one offset an insertion
 * (nothing removed) goes before a replacement that starts there; two insertions at the same
 * offset keep the order given. `insert` strings are latin1 (ASCII in practice). Overlapping or
 * out-of-range edits are programmer errors and throw RangeError.
 */
export function applyEdits(bytes: Buffer, edits: readonly ByteEdit[]): Buffer {
  for (const edit of edits) {
    const { at, remove } = edit;
    if (!Number.isInteger(at) || !Number.isInteger(remove) || at < 0 || remove < 0) {
      throw new RangeError(`bad edit at ${at} removing ${remove}`);
    }
    if (at + remove > bytes.length) {
      throw new RangeError(`edit [${at}, ${at + remove}) is past the end (${bytes.length} bytes)`);
    }
    if (NOT_LATIN1.test(edit.insert)) throw new RangeError('edit text holds a character above U+00FF');
  }
  // Array.prototype.sort is stable: equal keys keep the order given.
  const sorted = [...edits].sort((a, b) => a.at - b.at || a.remove - b.remove);
  const parts: Buffer[] = [];
  let copied = 0;
  for (const edit of sorted) {
    if (edit.at < copied) {
      throw new RangeError(`edit at ${edit.at} overlaps the edit before it (which ends at ${copied})`);
    }
    parts.push(bytes.subarray(copied, edit.at));
    if (edit.insert !== '') parts.push(Buffer.from(edit.insert, 'latin1'));
    copied = edit.at + edit.remove;
  }
  parts.push(bytes.subarray(copied));
  return Buffer.concat(parts);
}

const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * The line end the header section uses: '\r\n', or '\n' when its lines end in bare LF (RFC 3261
 * §7 requires CRLF; the reader tolerates bare LF, and lines added here match their neighbours
 * so that a lenient next hop sees one convention). Read from the first header line, else from
 * the start line.
 */
export function lineEndingOf(message: SipMessage): string {
  const bytes = message.bytes;
  const first = message.headers[0];
  const lf = first !== undefined && bytes[first.end - 1] === LF ? first.end - 1 : bytes.indexOf(LF);
  if (lf < 0 || lf >= message.bodyOffset) return '\r\n';
  return lf > 0 && bytes[lf - 1] === CR ? '\r\n' : '\n';
}

/**
 * Inserts header field lines (each given without a line end) just before the first header field
 * named `beforeName` (canonical lower-case; compact forms on the wire are found too), or, when
 * there is none, right after the start line. The message's own line end is used.
 *
 * RFC 3261 §16.6 step 8: "The proxy MUST insert a Via header field value into the copy before
 * the existing Via header field values." Step 4: "... it MUST insert a Record-Route header
 * field value into the copy before any existing Record-Route header field values". A line of
 * its own before the first such line is exactly that, without touching the existing lines.
 */
export function insertHeaderLines(
  message: SipMessage,
  beforeName: string,
  lines: readonly string[],
): ByteEdit {
  for (const line of lines) {
    // A line end inside would smuggle extra header lines (or end the header section).
    if (line.includes('\r') || line.includes('\n')) throw new RangeError(`line end inside '${line}'`);
  }
  const eol = lineEndingOf(message);
  const before = message.headerFields(beforeName)[0];
  if (before !== undefined)
    return { at: before.start, remove: 0, insert: lines.map((l) => l + eol).join('') };
  const lf = message.bytes.indexOf(LF);
  if (lf < 0 || lf >= message.bodyOffset) {
    // The message is a start line without a line end (a datagram that just stops): the lines
    // go after it, each after a line end.
    return { at: message.bodyOffset, remove: 0, insert: lines.map((l) => eol + l).join('') };
  }
  return { at: lf + 1, remove: 0, insert: lines.map((l) => l + eol).join('') };
}

/**
 * Removes the first value of the first header field named `name` (a comma-separated list:
 * Via, Route). When that line holds one value, the whole line goes, with its continuation lines
 * and its line end; when it holds several (`Via: a, b`), only the first value, its comma and the
 * whitespace after the comma, so that `Via: b` stays, name spelled as received. Null when there
 * is no such header. `value` is the removed value as `headerValues(name)[0]` gives it.
 *
 * RFC 3261 §16.7 step 3: "The proxy removes the topmost Via header field value from the
 * response."
 */
export function removeFirstValue(
  message: SipMessage,
  name: string,
): { edit: ByteEdit; value: string } | null {
  const field = message.headerFields(name)[0];
  if (field === undefined) return null;
  return { edit: removeLeadingValues(message, field, 1), value: splitHeaderValue(field.value)[0] ?? '' };
}

/**
 * Removes the leading Route values for which `isOurs(value)` is true, across Route lines in
 * order, and stops at the first value that is not ours. Returns the edits (possibly none).
 *
 * RFC 3261 §16.4: "If the first value in the Route header field indicates this proxy, the proxy
 * MUST remove that value from the request." A proxy that double Record-Routes (RFC 5658: one
 * Record-Route value per interface it joins) gets two leading Route values naming it, in one
 * Route line or in two, and removes both.
 */
export function removeLeadingRoutes(message: SipMessage, isOurs: (value: string) => boolean): ByteEdit[] {
  const edits: ByteEdit[] = [];
  for (const field of message.headerFields('route')) {
    const values = splitHeaderValue(field.value);
    let ours = 0;
    while (ours < values.length && isOurs(values[ours] as string)) ours++;
    if (ours > 0) edits.push(removeLeadingValues(message, field, ours));
    if (ours < values.length) break;
  }
  return edits;
}

/**
 * Max-Forwards, RFC 3261 §16.6 step 3: "If the copy contains a Max-Forwards header field, the
 * proxy MUST decrement its value by one (1). If the copy does not contain a Max-Forwards header
 * field, the proxy MUST add one with a field value, which SHOULD be 70."
 *
 * Present: an edit that rewrites only the digit run (whitespace and name spelling untouched),
 * and the value before decrementing. Absent: `Max-Forwards: 70` inserted before the first Via,
 * value null. Zero gives {edit: null, value: 0}: §16.3 step 3, "If the request contains a
 * Max-Forwards header field with a field value of zero (0), the element MUST NOT forward the
 * request. ... Otherwise, the element MUST return a 483 (Too many hops) response." Anything but
 * 1*DIGIT, or a value above 255, gives {edit: null, value: NaN} for the caller to answer 400:
 * §20.22, "The Max-Forwards value is an integer in the range 0-255" (RFC 4475 §3.1.2.4,
 * scalar02.dat, has Max-Forwards 300 among its values outside their legal range). Only the
 * first Max-Forwards is read.
 */
export function maxForwardsEdit(message: SipMessage): { edit: ByteEdit | null; value: number | null } {
  const field = message.headerFields('max-forwards')[0];
  if (field === undefined)
    return { edit: insertHeaderLines(message, 'via', ['Max-Forwards: 70']), value: null };
  const bounds = valueBounds(message, field);
  const text = message.bytes.toString('latin1', bounds.start, bounds.end);
  const from = skipWhitespace(text, 0);
  let to = text.length;
  while (to > from && isWhitespace(text.charCodeAt(to - 1))) to--;
  if (from === to) return { edit: null, value: Number.NaN };
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return { edit: null, value: Number.NaN };
    value = value * 10 + (code - 0x30);
    if (value > 255) return { edit: null, value: Number.NaN };
  }
  if (value === 0) return { edit: null, value: 0 };
  return { edit: { at: bounds.start + from, remove: to - from, insert: String(value - 1) }, value };
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * The edit removing the first `count` values of `field`: the whole line (continuation lines and
 * line end included) when nothing but separators and whitespace would remain, else from the
 * first value up to the next value kept (the comma and the whitespace after it go too).
 */
function removeLeadingValues(message: SipMessage, field: HeaderField, count: number): ByteEdit {
  const bounds = valueBounds(message, field);
  const text = message.bytes.toString('latin1', bounds.start, bounds.end);
  const commas = valueSeparators(text, count);
  const comma = commas[count - 1];
  const kept = comma === undefined ? text.length : skipWhitespace(text, comma + 1);
  if (onlySeparators(text, kept)) return { at: field.start, remove: field.end - field.start, insert: '' };
  const first = skipWhitespace(text, 0);
  return { at: bounds.start + first, remove: kept - first, insert: '' };
}

/** True when `text` from `from` holds only whitespace and commas (empty list elements). */
function onlySeparators(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x2c && !isWhitespace(code)) return false;
  }
  return true;
}

/**
 * Where the value of `field` lies in the message bytes: from just after the ':' to just before
 * the final line end, continuation lines included. The reader's HeaderLine records it; for any
 * other HeaderField it is found the way the reader finds it (the first ':' of the line).
 */
function valueBounds(message: SipMessage, field: HeaderField): { start: number; end: number } {
  if (field instanceof HeaderLine) return { start: field.valueStart, end: field.valueEnd };
  const bytes = message.bytes;
  const colon = bytes.indexOf(0x3a, field.start);
  const start = colon < 0 || colon >= field.end ? field.end : colon + 1;
  let end = field.end;
  if (end > start && bytes[end - 1] === LF) end--;
  if (end > start && bytes[end - 1] === CR) end--;
  return { start, end };
}
