/**
 * Framing SIP messages out of a TCP or TLS byte stream.
 *
 * RFC 3261 §18.3: "In the case of stream-oriented transports such as TCP, the Content-Length
 * header field indicates the size of the body. The Content-Length header field MUST be used
 * with stream oriented transports."
 * RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented transports MUST
 * ignore any CRLF appearing before the start-line [H4.1]."
 * RFC 5626 §3.5.1: a client keeps a flow alive with a double-CRLF "ping"; the server answers
 * with a single-CRLF "pong". Both are CRLFs between messages and are skipped here; pings are
 * reported through `onPing` so a server can answer them.
 *
 * Content-Length counts bytes, and every offset here is a byte offset. The result does not
 * depend on how the stream was cut into chunks (see the property test).
 *
 * What happens on bad input:
 * - a start line that does not parse, with a usable Content-Length: an `ok:false` result for
 *   that message's bytes; framing is intact and reading goes on;
 * - no Content-Length: a `content-length-mismatch` problem and an empty body (the RFC leaves
 *   no other choice on a stream); the next bytes are read as the next message;
 * - a message larger than `maxMessageSize` whose Content-Length is known: an `ok:false`
 *   `too-large` result with its head; its body is skipped byte-exactly as it arrives, so the
 *   framer stays in sync without buffering it;
 * - a head over one of the message `limits` (too many header fields or Via values, a header
 *   line too long) whose Content-Length is known: an `ok:false` `over-limit` result naming the
 *   limit, with its head; its body is skipped the same way;
 * - no end of the header section within `maxMessageSize` bytes, a Content-Length that is not a
 *   number (RFC 4475 §3.1.2.3: over TCP this framing error cannot be recovered from and the
 *   connection is to be closed) or two conflicting ones
 *   (RFC 4475 §3.3.9): where the next message starts cannot be known. The framer reports it
 *   once (`too-large` or `framing-lost`), sets `broken`, and ignores all later bytes: the
 *   caller should close the connection. It does not guess at a resynchronization point, since
 *   a guess is exactly the gap a smuggled message would use.
 */
import { isAscii } from 'node:buffer';
import { CR, LF } from './abnf.js';
import {
  type ContentLengthReading,
  duplicateContentLengthProblem,
  invalidContentLengthReason,
  isConflicting,
} from './content-length.js';
import type { ReadOptions } from './datagram.js';
import { locateHead, skipLineBreaks } from './header-end.js';
import type { MessageProblem, ReadFailure, ReadResult } from './message.js';
import { type Head, readHead } from './message-head.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './message-limits.js';
import { failed, readOneMessage } from './message-reader.js';
import { type Framing, SipMessageView } from './sip-message-view.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

export interface StreamFramerOptions {
  /** Largest message accepted (start line, headers and body), in bytes. Default 64 KiB. */
  readonly maxMessageSize?: number;
  /** Called for each double-CRLF ping between messages (RFC 5626 §3.5.1); answer with one CRLF. */
  readonly onPing?: () => void;
  /** The message limits each head is read under; DEFAULT_MESSAGE_LIMITS when absent. */
  readonly limits?: MessageLimits;
}

interface PendingMessage {
  readonly head: Head;
  /** Message length from its first byte: head, empty line and body. */
  readonly total: number;
  readonly framing: Framing;
}

const EMPTY = Buffer.alloc(0);

export class StreamFramer {
  readonly maxMessageSize: number;
  readonly limits: MessageLimits;
  readonly #onPing: (() => void) | undefined;
  /** Unconsumed bytes are `#store[0, #length)`. No result ever aliases the current store. */
  #store: Buffer = EMPTY;
  #length = 0;
  /** Where the search for the empty line resumes, relative to the unconsumed bytes. */
  #scanFrom = 0;
  /** A message whose head is read and whose body is still arriving. */
  #pending: PendingMessage | null = null;
  /** Body bytes of an oversize message still to discard. */
  #skip = 0;
  /** LFs seen in the current run of CR/LF between messages (two make a ping). */
  #lineBreaks = 0;
  #broken: string | null = null;

  constructor(options: StreamFramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isSafeInteger(max) || max < 1)
      throw new RangeError(`maxMessageSize must be a positive integer, got ${max}`);
    this.maxMessageSize = max;
    this.limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.#onPing = options.onPing;
  }

  /** Why framing was lost (the connection should be closed), or null while in sync. */
  get broken(): string | null {
    return this.#broken;
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#length;
  }

  /** Bytes of an oversize message's body still to be skipped (a message still arriving, held nowhere). */
  get skipping(): number {
    return this.#skip;
  }

  /**
   * Feeds bytes; returns every message completed by them, in order. Never throws.
   * Results may be views of `chunk`: do not reuse or mutate a chunk after pushing it.
   */
  push(chunk: Buffer): ReadResult[] {
    if (this.#broken !== null || chunk.length === 0) return [];
    try {
      return this.#push(chunk);
    } catch (error) {
      return [
        this.#break('internal-error', `internal error while framing: ${String(error).slice(0, 200)}`, EMPTY),
      ];
    }
  }

  /** The stream ended: reports a message left incomplete, then resets the framer. */
  end(): ReadResult[] {
    const results: ReadResult[] = [];
    if (this.#broken === null) {
      if (this.#skip > 0) {
        results.push(
          failed(
            'truncated',
            `the stream ended ${this.#skip} bytes before the end of a skipped oversize message`,
            EMPTY,
          ),
        );
      } else if (this.#length > 0) {
        const bytes = Buffer.from(this.#store.subarray(0, this.#length));
        results.push(
          failed('truncated', `the stream ended inside a message (${this.#length} bytes buffered)`, bytes),
        );
      }
    }
    this.#store = EMPTY;
    this.#length = 0;
    this.#scanFrom = 0;
    this.#pending = null;
    this.#skip = 0;
    this.#lineBreaks = 0;
    this.#broken = null;
    return results;
  }

  #push(chunk: Buffer): ReadResult[] {
    if (this.#skip > 0) {
      const skipped = Math.min(this.#skip, chunk.length);
      this.#skip -= skipped;
      chunk = chunk.subarray(skipped);
      if (chunk.length === 0) return [];
    }
    let data: Buffer;
    let fromStore: boolean;
    if (this.#length === 0) {
      // The usual case, a read holding whole messages: no copy, results are views of the chunk.
      data = chunk;
      fromStore = false;
    } else {
      this.#append(chunk);
      data = this.#store.subarray(0, this.#length);
      fromStore = true;
    }
    const max = this.maxMessageSize;
    const results: ReadResult[] = [];
    let pos = 0;
    for (;;) {
      if (this.#pending === null) {
        pos = this.#skipKeepAlives(data, pos);
        if (pos === data.length) break;
        let end = locateHead(data, pos, Math.max(pos, this.#scanFrom - 2));
        // A blank line past the size limit is as good as none: the decision must not depend on
        // how much happened to arrive in this chunk.
        if (end !== null && end.bodyOffset - pos > max) end = null;
        if (end === null) {
          if (data.length - pos >= max) {
            const head = Buffer.from(data.subarray(pos, pos + Math.min(max, 1024)));
            results.push(
              this.#break(
                'too-large',
                `no end of the header section within the first ${max} bytes (maximum message size)`,
                head,
              ),
            );
            return results;
          }
          this.#scanFrom = data.length;
          break;
        }
        // An all-ASCII head (the usual case) needs no UTF-8 decoding of each value.
        const head = readHead(end.text, true, isAscii(data.subarray(pos, end.headEnd)), this.limits);
        const bodyOffset = end.bodyOffset - pos;
        const reading = head.contentLength;
        const lost = framingLost(reading);
        if (lost !== null) {
          results.push(this.#break('framing-lost', lost, Buffer.from(data.subarray(pos, end.bodyOffset))));
          return results;
        }
        const bodyLength = reading.kind === 'valid' ? reading.value : 0;
        const total = bodyOffset + bodyLength;
        const over = head.overLimit;
        if (total > max || over !== null) {
          const headBytes = Buffer.from(data.subarray(pos, end.bodyOffset));
          if (!Number.isSafeInteger(bodyLength)) {
            results.push(
              this.#break(
                'too-large',
                `Content-Length ${bodyLength} cannot be skipped: framing is lost`,
                headBytes,
              ),
            );
            return results;
          }
          // A message both too large and over a limit is reported as too large.
          results.push(
            over !== null && total <= max
              ? failed('over-limit', over.reason, headBytes, over.limit)
              : failed(
                  'too-large',
                  `message of ${total} bytes (Content-Length ${bodyLength}) exceeds the ${max}-byte maximum; its body is skipped`,
                  headBytes,
                ),
          );
          const available = data.length - end.bodyOffset;
          if (available >= bodyLength) {
            pos = end.bodyOffset + bodyLength;
            this.#scanFrom = pos;
            continue;
          }
          this.#skip = bodyLength - available;
          pos = data.length;
          break;
        }
        this.#pending = { head, total, framing: streamFraming(reading, bodyOffset, total) };
      }
      const pending: PendingMessage = this.#pending;
      if (data.length - pos < pending.total) break;
      const bytes = data.subarray(pos, pos + pending.total);
      const line = pending.head.startLine;
      results.push(
        line.ok
          ? { ok: true, message: new SipMessageView(bytes, pending.head, line.line, pending.framing) }
          : failed(line.failure, line.reason, bytes),
      );
      this.#pending = null;
      pos += pending.total;
      this.#scanFrom = pos;
    }
    this.#keep(data, pos, fromStore, results.length > 0);
    return results;
  }

  /** Skips CR/LF between messages; two LFs in one run are a ping (RFC 5626 §3.5.1). */
  #skipKeepAlives(data: Buffer, from: number): number {
    let pos = from;
    while (pos < data.length) {
      const byte = data[pos];
      if (byte !== CR && byte !== LF) {
        this.#lineBreaks = 0;
        break;
      }
      if (byte === LF && ++this.#lineBreaks === 2) {
        this.#lineBreaks = 0;
        this.#onPing?.();
      }
      pos++;
    }
    return pos;
  }

  #append(chunk: Buffer): void {
    const needed = this.#length + chunk.length;
    if (needed > this.#store.length) {
      const store = Buffer.allocUnsafe(Math.max(needed, this.#store.length * 2, 4096));
      this.#store.copy(store, 0, 0, this.#length);
      this.#store = store;
    }
    chunk.copy(this.#store, this.#length);
    this.#length = needed;
  }

  /** Keeps `data[pos..]` for the next push, never writing where an emitted result points. */
  #keep(data: Buffer, pos: number, fromStore: boolean, emitted: boolean): void {
    const rest = data.length - pos;
    this.#scanFrom = Math.max(0, this.#scanFrom - pos);
    if (fromStore && !emitted) {
      if (pos > 0) this.#store.copyWithin(0, pos, data.length);
      this.#length = rest;
      return;
    }
    if (rest === 0) {
      this.#store = EMPTY;
      this.#length = 0;
      return;
    }
    const store = Buffer.allocUnsafe(Math.max(rest * 2, 4096));
    data.copy(store, 0, pos, data.length);
    this.#store = store;
    this.#length = rest;
  }

  #break(failure: ReadFailure, reason: string, bytes: Buffer): ReadResult {
    this.#broken = reason;
    this.#store = EMPTY;
    this.#length = 0;
    this.#pending = null;
    this.#skip = 0;
    return failed(failure, `${reason}; stream framing is lost, close the connection`, bytes);
  }
}

/** Why a Content-Length leaves the end of this message unknowable, or null. */
function framingLost(reading: ContentLengthReading): string | null {
  if (reading.kind === 'invalid') return invalidContentLengthReason(reading.field);
  if (isConflicting(reading)) {
    const values = reading.kind === 'valid' ? reading.fields.map((field) => field.value).join(', ') : '';
    return `conflicting Content-Length values (${values}): where the message ends is undefined (RFC 4475 §3.3.9)`;
  }
  return null;
}

function streamFraming(reading: ContentLengthReading, bodyOffset: number, total: number): Framing {
  const problems: MessageProblem[] = [];
  if (reading.kind === 'absent') {
    problems.push({
      code: 'content-length-mismatch',
      reason:
        'no Content-Length on a stream transport (RFC 3261 §18.3: MUST be used); the body is taken as empty',
      evidence: null,
    });
  }
  const duplicate = duplicateContentLengthProblem(reading);
  if (duplicate !== null) problems.push(duplicate);
  return {
    bodyOffset,
    bodyEnd: total,
    contentLength: reading.kind === 'valid' ? reading.value : null,
    problems,
  };
}

/**
 * One message from a stream transport whose bounds are already known (a trace record of a TCP
 * or TLS message). Content-Length is required as on the stream itself; since the record's end
 * is known, a missing one reads the body to the end of the record, and bytes beyond the
 * declared body (other than CRLF) are reported instead of silently becoming "the next message".
 */
export function readStreamRecord(buf: Buffer, options: ReadOptions = {}): ReadResult {
  return readOneMessage(buf, streamRecordBody, options.limits);
}

function streamRecordBody(
  reading: ContentLengthReading,
  bodyOffset: number,
  input: Buffer,
  start: number,
): Framing {
  const problems: MessageProblem[] = [];
  const available = input.length - start;
  const present = available - bodyOffset;
  if (reading.kind !== 'valid') {
    problems.push({
      code: 'content-length-mismatch',
      reason:
        reading.kind === 'absent'
          ? 'no Content-Length on a stream transport (RFC 3261 §18.3: MUST be used); the body is read to the end of the record'
          : `${invalidContentLengthReason(reading.field)}; the body is read to the end of the record`,
      evidence: reading.kind === 'invalid' ? reading.field.line : null,
    });
    return { bodyOffset, bodyEnd: available, contentLength: null, problems };
  }
  const duplicate = duplicateContentLengthProblem(reading);
  if (duplicate !== null) problems.push(duplicate);
  if (reading.value > present) {
    problems.push({
      code: 'content-length-mismatch',
      reason: `Content-Length says ${reading.fields[0]?.value} but only ${present} bytes follow the header section`,
      evidence: reading.fields[0]?.line ?? null,
    });
    return { bodyOffset, bodyEnd: available, contentLength: reading.value, problems };
  }
  const bodyEnd = bodyOffset + reading.value;
  const extra = skipLineBreaks(input, start + bodyEnd) - start;
  if (extra < available) {
    problems.push({
      code: 'content-length-mismatch',
      reason: `${available - bodyEnd} bytes follow the ${reading.value}-byte body declared by Content-Length`,
      evidence: reading.fields[0]?.line ?? null,
    });
  }
  return { bodyOffset, bodyEnd, contentLength: reading.value, problems };
}
