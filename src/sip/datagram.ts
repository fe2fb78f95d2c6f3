/**
 * One SIP message per UDP datagram.
 *
 * RFC 3261 §18.3: "In the case of message-oriented transports (such as UDP), if the message has
 * a Content-Length header field, the message body is assumed to contain that many bytes. If
 * there are additional bytes in the transport packet beyond the end of the body, they MUST be
 * discarded. If the transport packet ends before the end of the message body, this is
 * considered an error. If the message is a response, it MUST be discarded. If the message is a
 * request, the element SHOULD generate a 400 (Bad Request) response. If the message has no
 * Content-Length header field, the message body is assumed to end at the end of the transport
 * packet."
 */
import {
  type ContentLengthReading,
  duplicateContentLengthProblem,
  invalidContentLengthReason,
} from './content-length.js';
import type { MessageProblem, ReadResult } from './message.js';
import type { MessageLimits } from './message-limits.js';
import { readOneMessage } from './message-reader.js';
import type { Framing } from './sip-message-view.js';

/**
 * Reads the one message in `buf`. Never throws; a CRLF-only datagram is a `keep-alive` failure.
 * `message.bytes` is a view of `buf` (no copy) that ends where Content-Length says: extra bytes
 * (RFC 4475 dblreq.dat) are not part of the message. A head over one of `limits` (default
 * DEFAULT_MESSAGE_LIMITS) is an `over-limit` failure naming the limit.
 */
export function readDatagram(buf: Buffer, options: ReadOptions = {}): ReadResult {
  return readOneMessage(buf, datagramBody, options.limits);
}

export interface ReadOptions {
  /** The message limits the head is read under; DEFAULT_MESSAGE_LIMITS when absent. */
  readonly limits?: MessageLimits;
}

export function datagramBody(
  reading: ContentLengthReading,
  bodyOffset: number,
  input: Buffer,
  start: number,
): Framing {
  const problems: MessageProblem[] = [];
  const available = input.length - start;
  if (reading.kind === 'absent') return { bodyOffset, bodyEnd: available, contentLength: null, problems };
  if (reading.kind === 'invalid') {
    // RFC 4475 §3.1.2.3 (ncl.dat, Content-Length: -999) says the element should answer with an
    // error and that over UDP the rest of the datagram may be dropped. The reader keeps it as the
    // body, as if no Content-Length were present, so an SDP hidden there is still inspected; the
    // problem is reported for the caller to act on.
    problems.push({
      code: 'content-length-mismatch',
      reason: `${invalidContentLengthReason(reading.field)}; the body is read to the end of the datagram`,
      evidence: reading.field.line,
    });
    return { bodyOffset, bodyEnd: available, contentLength: null, problems };
  }
  const duplicate = duplicateContentLengthProblem(reading);
  if (duplicate !== null) problems.push(duplicate);
  const present = available - bodyOffset;
  if (reading.value > present) {
    // Decision: §18.3 calls this an error and a response "MUST be discarded"; the proxy makes
    // that call. The reader reports `content-length-mismatch` and keeps the bytes that did
    // arrive as the body, so they can still be inspected (RFC 4475 §3.1.2.2 clerr.dat).
    problems.push({
      code: 'content-length-mismatch',
      reason: `Content-Length says ${reading.fields[0]?.value ?? reading.value} but only ${present} bytes follow the header section; the body is truncated to those (RFC 3261 §18.3)`,
      evidence: reading.fields[0]?.line ?? null,
    });
    return { bodyOffset, bodyEnd: available, contentLength: reading.value, problems };
  }
  return { bodyOffset, bodyEnd: bodyOffset + reading.value, contentLength: reading.value, problems };
}
