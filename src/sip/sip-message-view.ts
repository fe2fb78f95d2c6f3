/**
 * The SipMessage implementation: a read-only view over the exact bytes of one message.
 * Everything beyond the start line, the header index and the body bounds is computed on first
 * use and cached: the grammar checks behind `problems`, Call-ID, CSeq, the top Via.
 */

import { latin1ToUtf8 } from './abnf.js';
import { canonicalHeaderName } from './compact-forms.js';
import { contentTypeName, cseqReading, singleViaReading } from './field-readings.js';
import type { HeaderLine } from './header-index.js';
import { SINGLE_VALUE_HEADERS, splitHeaderValue, trimLws } from './header-values.js';
import type { CSeq, MessageProblem, SipMessage, ViaParams } from './message.js';
import { grammarProblems } from './message-checks.js';
import type { Head } from './message-head.js';
import type { StartLine } from './start-line.js';
import { parseVia } from './via.js';

/** Where the body is and what framing found, as decided by the datagram reader or the framer. */
export interface Framing {
  /** Offset of the first body byte in the message bytes. */
  readonly bodyOffset: number;
  /** Offset just past the last body byte. */
  readonly bodyEnd: number;
  /** The declared Content-Length (first occurrence), null when absent or not a number. */
  readonly contentLength: number | null;
  readonly problems: readonly MessageProblem[];
}

const UNSET = Symbol('unset');

/** Problems listed per message, the last one summarizing any beyond. */
export const MAX_PROBLEMS = 32;

/** What headerFields gives for a header the message lacks: one shared, frozen empty list. */
const NO_FIELDS: readonly HeaderLine[] = Object.freeze([]);
export class SipMessageView implements SipMessage {
  readonly bytes: Buffer;
  readonly kind: 'request' | 'response';
  readonly method: string | null;
  readonly requestUri: string | null;
  readonly status: number | null;
  readonly reason: string | null;
  readonly version: string;
  readonly startLine: string;
  readonly headers: readonly HeaderLine[];
  readonly bodyOffset: number;
  readonly contentLength: number | null;
  readonly #bodyEnd: number;
  #body: Buffer | undefined;
  readonly #head: Head;
  readonly #framingProblems: readonly MessageProblem[];
  #problems: readonly MessageProblem[] | undefined;
  #cseq: CSeq | null | typeof UNSET = UNSET;
  #topVia: ViaParams | null | typeof UNSET = UNSET;
  #contentType: string | null | typeof UNSET = UNSET;

  constructor(bytes: Buffer, head: Head, line: StartLine, framing: Framing) {
    this.bytes = bytes;
    this.#head = head;
    this.kind = line.kind;
    if (line.kind === 'request') {
      this.method = line.method;
      this.requestUri = line.requestUri;
      this.status = null;
      this.reason = null;
    } else {
      this.method = null;
      this.requestUri = null;
      this.status = line.status;
      this.reason = latin1ToUtf8(line.reason);
    }
    this.version = line.version;
    this.startLine = head.ascii ? head.rawStartLine : latin1ToUtf8(head.rawStartLine);
    this.headers = head.fields;
    this.bodyOffset = framing.bodyOffset;
    this.#bodyEnd = framing.bodyEnd;
    this.contentLength = framing.contentLength;
    this.#framingProblems = framing.problems;
  }

  /** A view of the body bytes (made on first read: forwarding never needs it). */
  get body(): Buffer {
    if (this.#body === undefined) this.#body = this.bytes.subarray(this.bodyOffset, this.#bodyEnd);
    return this.#body;
  }

  /**
   * Framing and scan problems, then the grammar checks (computed on first read). At most
   * MAX_PROBLEMS are listed, the last one counting the rest: a crafted message must not turn
   * into thousands of log lines.
   */
  get problems(): readonly MessageProblem[] {
    if (this.#problems === undefined) {
      const grammar = grammarProblems(this, this.#head);
      const framing = this.#framingProblems;
      const scan = this.#head.problems;
      // Usually all three are empty: no copies then (grammar is a fresh array of its own).
      const all = framing.length === 0 && scan.length === 0 ? grammar : [...framing, ...scan, ...grammar];
      if (all.length > MAX_PROBLEMS) {
        const rest = all.length - (MAX_PROBLEMS - 1);
        all.length = MAX_PROBLEMS - 1;
        all.push({ code: 'malformed-message', reason: `${rest} more problems not listed`, evidence: null });
      }
      this.#problems = all;
    }
    return this.#problems;
  }

  /**
   * What JSON gets (getters do not serialize): the parsed view without the bytes and without the
   * body, which may hold SDES key material (DESIGN.md principle 6).
   */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      startLine: this.startLine,
      method: this.method,
      requestUri: this.requestUri,
      status: this.status,
      reason: this.reason,
      version: this.version,
      callId: this.callId,
      cseq: this.cseq,
      topVia: this.topVia,
      contentType: this.contentType,
      contentLength: this.contentLength,
      bodyOffset: this.bodyOffset,
      bodyLength: this.#bodyEnd - this.bodyOffset,
      headers: this.headers,
      problems: this.problems,
    };
  }

  header(name: string): string | undefined {
    return this.#first(canonicalHeaderName(name))?.value;
  }

  /** The first field with this canonical name. */
  #first(wanted: string): HeaderLine | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      const field = headers[i] as HeaderLine;
      if (field.name === wanted) return field;
    }
    return undefined;
  }

  headerFields(name: string): readonly HeaderLine[] {
    const wanted = canonicalHeaderName(name);
    // An array only when a field is there: checks ask on every message for headers most lack.
    let found: HeaderLine[] | null = null;
    for (const field of this.headers) {
      if (field.name !== wanted) continue;
      found ??= [];
      found.push(field);
    }
    return found ?? NO_FIELDS;
  }

  headerValues(name: string): readonly string[] {
    const wanted = canonicalHeaderName(name);
    const values: string[] = [];
    const single = SINGLE_VALUE_HEADERS.has(wanted);
    for (const field of this.headers) {
      if (field.name !== wanted) continue;
      if (single) {
        if (field.value !== '') values.push(field.value);
        continue;
      }
      for (const value of splitHeaderValue(field.value)) {
        if (value !== '') values.push(value);
      }
    }
    return values;
  }

  get callId(): string | null {
    return this.#first('call-id')?.value ?? null;
  }

  get cseq(): CSeq | null {
    if (this.#cseq === UNSET) {
      const field = this.#first('cseq');
      // The reading is shared with the grammar checks (field-readings.ts).
      this.#cseq = field === undefined ? null : cseqReading(field).cseq;
    }
    return this.#cseq;
  }

  /** The first Via value of the first Via header (RFC 3261 §18.2.2: the one a response goes back by). */
  get topVia(): ViaParams | null {
    if (this.#topVia === UNSET) {
      const field = this.#first('via');
      if (field === undefined) this.#topVia = null;
      else if (!field.value.includes(',')) {
        // One via-parm (the usual case): its reading is shared with the grammar checks.
        this.#topVia = trimLws(field.value) === '' ? null : singleViaReading(field).via;
      } else {
        const first = splitHeaderValue(field.value).find((part) => part !== '');
        this.#topVia = first === undefined ? null : parseVia(first).via;
      }
    }
    return this.#topVia;
  }

  get contentType(): string | null {
    if (this.#contentType === UNSET) {
      const field = this.#first('content-type');
      // A malformed value still says something: its text before ';', lower-cased.
      this.#contentType =
        field === undefined
          ? null
          : (contentTypeName(field) ?? (field.value.split(';')[0] ?? '').trim().toLowerCase());
    }
    return this.#contentType;
  }
}
