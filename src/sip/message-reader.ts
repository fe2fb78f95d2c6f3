/**
 * Reads one message whose bounds the transport already gave (a UDP datagram, a WebSocket
 * message, one record of a trace). The body rule, which differs per transport, decides where
 * the body ends from the declared Content-Length. Never throws: anything unexpected becomes an
 * `internal-error` result.
 */
import { isAscii } from 'node:buffer';
import type { ContentLengthReading } from './content-length.js';
import { locateHead, skipLineBreaks } from './header-end.js';
import type { ReadFailure, ReadResult } from './message.js';
import { readHead } from './message-head.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimitName, type MessageLimits } from './message-limits.js';
import { type Framing, SipMessageView } from './sip-message-view.js';

/**
 * Decides the body bounds. The message starts at `start` in `input` (everything the transport
 * delivered); `bodyOffset` and the returned offsets are relative to the message start.
 */
export type BodyRule = (
  reading: ContentLengthReading,
  bodyOffset: number,
  input: Buffer,
  start: number,
) => Framing;

export function readOneMessage(
  input: Buffer,
  rule: BodyRule,
  limits: MessageLimits = DEFAULT_MESSAGE_LIMITS,
): ReadResult {
  try {
    return read(input, rule, limits);
  } catch (error) {
    return failed('internal-error', `internal error while reading: ${String(error).slice(0, 200)}`, input);
  }
}

function read(input: Buffer, rule: BodyRule, limits: MessageLimits): ReadResult {
  // RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented transports
  // MUST ignore any CRLF appearing before the start-line [H4.1]." Harmless on datagrams too,
  // where CRLF-only packets are common NAT keep-alives.
  const start = skipLineBreaks(input, 0);
  if (start === input.length) {
    return failed(
      'keep-alive',
      input.length === 0 ? 'no bytes' : 'only CRLF: a keep-alive, not a message',
      input,
    );
  }
  const location = locateHead(input, start);
  const bodyOffset = (location === null ? input.length : location.bodyOffset) - start;
  const text = location === null ? input.toString('latin1', start) : location.text;
  // One native pass (SIMD) over the datagram: when it is all ASCII, as SIP and SDP nearly always
  // are, no header value needs a UTF-8 decoding pass of its own.
  const head = readHead(text, location !== null, isAscii(input), limits);
  if (!head.startLine.ok) return failed(head.startLine.failure, head.startLine.reason, input.subarray(start));
  if (head.overLimit !== null) {
    const { limit, reason } = head.overLimit;
    return failed('over-limit', reason, input.subarray(start), limit);
  }
  const framing = rule(head.contentLength, bodyOffset, input, start);
  const bytes = input.subarray(start, start + framing.bodyEnd);
  return { ok: true, message: new SipMessageView(bytes, head, head.startLine.line, framing) };
}

export function failed(
  failure: ReadFailure,
  reason: string,
  bytes: Buffer,
  limit?: MessageLimitName,
): ReadResult {
  return limit === undefined
    ? { ok: false, reason, bytes, failure }
    : { ok: false, reason, bytes, failure, limit };
}
