/**
 * The header index: one pass over the latin1 view of the header section that records, per
 * header field, its name and byte offsets. Values are computed on first use only: the proxy's
 * forwarding path needs offsets and a handful of headers, not every value.
 *
 * In the latin1 view one character is one byte, so every offset here is a byte offset into
 * the message's Buffer.
 */
import { clip, isTokenChar, latin1ToUtf8 } from './abnf.js';
import { canonicalHeaderName } from './compact-forms.js';
import { KNOWN_NAMES, knownNameAt } from './header-names.js';
import { trimLws } from './header-values.js';
import type { HeaderField, MessageProblem } from './message.js';
import { type MessageLimits, type OverLimit, overLimit } from './message-limits.js';

/** A header field over the head text; `value` is built (folding joined, trimmed) on first read. */
export class HeaderLine implements HeaderField {
  readonly name: string;
  /**
   * Index of the name in KNOWN_NAMES when it was recognised in place, which also means it is
   * written as a token; -1 otherwise (any other name, or MIME part headers).
   */
  readonly kind: number;
  readonly start: number;
  /** Offset just past the name (before any whitespace and the ':'). */
  readonly nameEnd: number;
  end: number;
  /** Offset of the first character after the ':'. */
  readonly valueStart: number;
  /** Offset just past the last character of the last line (before its line end). */
  valueEnd: number;
  /** True when continuation lines follow the first line. */
  folded = false;
  readonly #text: string;
  /** True when the whole head is ASCII: values then need no UTF-8 decoding. */
  readonly #ascii: boolean;
  #value: string | undefined;
  /**
   * A reading of the value cached for whoever needs it twice (the Via, CSeq or Content-Type
   * reading shared by the view's getters and the grammar checks): see field-readings.ts.
   * Private, so that it is not part of what the field looks like to callers.
   */
  #memo: unknown;

  constructor(
    text: string,
    name: string,
    kind: number,
    start: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    end: number,
    ascii: boolean,
  ) {
    this.#text = text;
    this.#ascii = ascii;
    this.name = name;
    this.kind = kind;
    this.start = start;
    this.nameEnd = nameEnd;
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
    this.end = end;
  }

  /** The name exactly as written (copied on first read only). */
  get rawName(): string {
    return this.#text.slice(this.start, this.nameEnd);
  }

  /**
   * RFC 3261 §7.3.1: "Header fields can be extended over multiple lines by preceding each extra
   * line with at least one SP or horizontal tab (HT). The line break and the whitespace at the
   * beginning of the next line are treated as a single SP character."
   */
  get value(): string {
    if (this.#value === undefined) {
      const text = this.#text;
      if (this.folded) {
        this.#value = latin1ToUtf8(trimLws(unfold(text.slice(this.valueStart, this.valueEnd))));
      } else {
        // Trimmed by offsets, then copied once (same result as trimming a copy).
        let start = this.valueStart;
        let end = this.valueEnd;
        while (start < end && isLws(text.charCodeAt(start))) start++;
        while (end > start && isLws(text.charCodeAt(end - 1))) end--;
        const raw = text.slice(start, end);
        this.#value = this.#ascii ? raw : latin1ToUtf8(raw);
      }
    }
    return this.#value;
  }

  /** True when the name as written is an RFC 3261 token (read in place, no copy). */
  nameIsToken(): boolean {
    if (this.nameEnd === this.start) return false;
    for (let i = this.start; i < this.nameEnd; i++) {
      if (!isTokenChar(this.#text.charCodeAt(i))) return false;
    }
    return true;
  }

  /** The cached reading of the value (undefined until set). */
  get memo(): unknown {
    return this.#memo;
  }

  set memo(reading: unknown) {
    this.#memo = reading;
  }

  /** Getters do not serialize: give JSON the fields of the HeaderField contract. */
  toJSON(): HeaderField {
    return { name: this.name, rawName: this.rawName, value: this.value, start: this.start, end: this.end };
  }

  /** The line(s) as received without the final line end, bounded: evidence for problems. */
  get line(): string {
    return clip(latin1ToUtf8(this.#text.slice(this.start, this.valueEnd)));
  }
}

export interface HeaderScan {
  readonly fields: HeaderLine[];
  /** Problems seen while scanning: lines without ':', orphan continuation lines. */
  readonly problems: MessageProblem[];
  /** True when at least one line ends in a bare LF instead of CRLF. */
  readonly bareLf: boolean;
  /**
   * The first limit the header section passed, or null. Past it nothing more was indexed but
   * Content-Length fields, which a stream still needs to find where the message ends.
   */
  readonly overLimit: OverLimit | null;
}

/** The limits the header index enforces (the rest of MessageLimits concern bodies). */
export type HeaderLimits = Pick<MessageLimits, 'maxHeaders' | 'maxVias' | 'maxHeaderLineBytes'>;

/**
 * Indexes the header lines of `text` from offset `from` (the first header line) to its end.
 * `text` holds whole lines: each ends in CRLF or LF, except possibly the last one when a
 * datagram ends without the empty line. `compactForms` is false for MIME part headers,
 * where RFC 3261 compact names mean nothing. `ascii` says that `text` is known to hold no byte
 * above 0x7F (values are then used as they are, without a UTF-8 decoding pass each).
 */
export function indexHeaderLines(
  text: string,
  from: number,
  compactForms: boolean,
  ascii = false,
  limits?: HeaderLimits,
): HeaderScan {
  const fields: HeaderLine[] = [];
  // Counted as the lines are indexed (never a pass of their own). Once a limit is passed, lines
  // are still walked (a stream needs the Content-Length) and counted, but no longer indexed.
  let hit: 'headers' | 'vias' | 'header-line-bytes' | null = null;
  let longestLine = 0;
  let headerCount = 0;
  let viaCount = 0;
  let inVia = false;
  let fieldStart = from;
  const problems: MessageProblem[] = [];
  let bareLf = false;
  let colonless = 0;
  let colonlessEvidence = '';
  let current: HeaderLine | null = null;
  let nextColon = -1;
  /** The next ',' at or after the line read (`length`: none), searched as nextColon is. */
  let nextComma = -1;
  let pos = from;
  const length = text.length;
  while (pos < length) {
    const lf = text.indexOf('\n', pos);
    const lineEnd = lf < 0 ? length : lf;
    const next = lf < 0 ? length : lf + 1;
    let contentEnd = lineEnd;
    if (contentEnd > pos && text.charCodeAt(contentEnd - 1) === 0x0d) contentEnd--;
    else if (lf >= 0) bareLf = true;
    const first = text.charCodeAt(pos);
    const continuation = first === 0x20 || first === 0x09;
    if (limits !== undefined) {
      if (!continuation) {
        fieldStart = pos;
        inVia = false;
      }
      // "Bytes in one header line, folding included": from the field's first byte to here.
      const lineBytes = contentEnd - fieldStart;
      if (lineBytes > limits.maxHeaderLineBytes && hit === null) {
        hit = 'header-line-bytes';
        longestLine = lineBytes;
      }
      if (continuation && inVia) {
        // Most Via values hold no comma: the line is walked only when the next ',' lies in it.
        if (nextComma < pos) nextComma = nextCommaFrom(text, pos);
        if (nextComma < contentEnd) viaCount += commasOutsideQuotes(text, pos, contentEnd);
        if (viaCount > limits.maxVias) hit ??= 'vias';
      }
    }
    if (continuation) {
      // A continuation line (RFC 3261 §7.3.1 folding) belongs to the field above it.
      if (current !== null) {
        current.folded = true;
        current.valueEnd = contentEnd;
        current.end = next;
      } else if (fields.length === 0 && problems.length === 0) {
        problems.push({
          code: 'malformed-message',
          reason:
            'the first header line starts with whitespace: a continuation line with no header field to continue',
          evidence: clip(latin1ToUtf8(text.slice(pos, contentEnd))),
        });
      }
    } else {
      // Never rescanned: an indexOf per line would rescan the rest of the head for every
      // colon-less line (quadratic on a flood of them).
      // The next ':' anywhere is looked up natively, and reused while it lies beyond the lines
      // being read, so that the head is searched once in all.
      if (nextColon < pos) {
        nextColon = text.indexOf(':', pos);
        if (nextColon < 0) nextColon = length;
      }
      const colon = Math.min(nextColon, contentEnd);
      if (colon === contentEnd) {
        // RFC 3261 §7.3.1: "Each header field consists of a field name followed by a colon
        // (":") and the field value." A line without one is not a header field at all.
        if (colonless++ === 0) colonlessEvidence = clip(latin1ToUtf8(text.slice(pos, contentEnd)));
        current = null;
      } else {
        // RFC 3261 §7.3.1: "field-name: field-value" with HCOLON = *( SP / HTAB ) ":" SWS,
        // so whitespace may sit between the name and the colon (`Via  : ...`).
        let nameEnd = colon;
        while (nameEnd > pos && isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
        let name: string;
        let kind = -1;
        if (compactForms) {
          const known = knownNameAt(text, pos, nameEnd);
          if (known >= 0) {
            name = KNOWN_NAMES[known] as string;
            // A first byte above 0x7F can still land on a known name (see BY_SHAPE): not a token.
            if (text.charCodeAt(pos) < 0x80) kind = known;
          } else {
            name = canonicalHeaderName(text.slice(pos, nameEnd));
          }
        } else {
          name = text.slice(pos, nameEnd).toLowerCase();
        }
        if (limits !== undefined) {
          headerCount++;
          if (headerCount > limits.maxHeaders) hit ??= 'headers';
          if (name === 'via') {
            inVia = true;
            // Each comma outside a quoted string starts another via-parm (RFC 3261 §20.42).
            if (nextComma <= colon) nextComma = nextCommaFrom(text, colon + 1);
            viaCount += 1 + (nextComma < contentEnd ? commasOutsideQuotes(text, colon + 1, contentEnd) : 0);
            if (viaCount > limits.maxVias) hit ??= 'vias';
          }
        }
        if (hit === null || name === 'content-length') {
          current = new HeaderLine(text, name, kind, pos, nameEnd, colon + 1, contentEnd, next, ascii);
          fields.push(current);
        } else {
          current = null;
        }
      }
    }
    pos = next;
  }
  if (colonless > 0) {
    problems.push({
      code: 'malformed-message',
      reason: `header line without ':' (not a header field)${colonless > 1 ? `; ${colonless} such lines` : ''}`,
      evidence: colonlessEvidence,
    });
  }
  let over: OverLimit | null = null;
  if (limits !== undefined && hit !== null) {
    if (hit === 'headers') over = overLimit(hit, headerCount, 'header fields', limits.maxHeaders);
    else if (hit === 'vias') over = overLimit(hit, viaCount, 'Via header field values', limits.maxVias);
    else over = overLimit(hit, longestLine, 'bytes in one header line', limits.maxHeaderLineBytes);
  }
  return { fields, problems, bareLf, overLimit: over };
}

/**
 * The first ',' in `text` from `from`, or its length when there is none. Searched natively once and
 * reused while it lies beyond the lines read: a search per Via line would rescan the rest of the
 * head for each (quadratic on a flood of short Via lines, as for colon-less lines).
 */
function nextCommaFrom(text: string, from: number): number {
  const comma = text.indexOf(',', from);
  return comma < 0 ? text.length : comma;
}

/** Commas in `text[start, end)` outside double-quoted strings (a via-extension may quote one). */
function commasOutsideQuotes(text: string, start: number, end: number): number {
  let commas = 0;
  let quoted = false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2c /* , */) {
      if (!quoted) commas++;
    } else if (code === 0x22 /* " */) {
      quoted = !quoted;
    } else if (code === 0x5c /* \ */ && quoted) {
      i++; // quoted-pair (RFC 3261 §25.1)
    }
  }
  return commas;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Joins folded lines: each line break with the whitespace around it becomes one SP. A linear
 * scan, not a regex: `[ \t]*\r?\n` backtracks quadratically over long runs of spaces that an
 * attacker controls.
 */
function unfold(raw: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const lf = raw.indexOf('\n', from);
    if (lf < 0) return out + raw.slice(from);
    let end = lf;
    while (end > from && isSpaceOrCr(raw.charCodeAt(end - 1))) end--;
    let next = lf + 1;
    while (next < raw.length && isSpace(raw.charCodeAt(next))) next++;
    out += `${raw.slice(from, end)} `;
    from = next;
  }
}

function isLws(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

function isSpaceOrCr(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d;
}
