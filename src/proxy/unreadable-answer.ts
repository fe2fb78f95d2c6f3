/**
 * Answering a request the reader rejected. A response needs the request's Via, From, To,
 * Call-ID and CSeq (RFC 3261 §8.2.6.2), and a request with a broken start line may still have
 * readable header fields: they are read under a stand-in request line, and the answer is built
 * from them. Bytes that look like a response, or lack those fields, get no answer (§18.3: a
 * malformed response "MUST be discarded"); the caller logs them.
 */
import { readDatagram } from '../sip/datagram.js';
import type { HeaderField, ReadFailure } from '../sip/message.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from '../sip/message-limits.js';
import { statelessResponse } from './stateless-response.js';

/** The status and reason a request gets for each reader failure, or null: no answer. */
export function statusForFailure(failure: ReadFailure | undefined): readonly [number, string] | null {
  switch (failure) {
    case 'start-line':
    case 'framing-lost':
    case 'internal-error':
      return [400, 'Bad Request'];
    // RFC 3261 §21.5.6
    case 'sip-version':
      return [505, 'Version Not Supported'];
    // RFC 3261 §21.5.7
    case 'too-large':
    case 'over-limit':
      return [513, 'Message Too Large'];
    default:
      return null;
  }
}

const STAND_IN = Buffer.from('OPTIONS sip:invalid SIP/2.0\r\n', 'latin1');

/**
 * `limits`: the message limits the bytes were read under. A message refused for too many or too
 * long header fields is read again without those two, to find the fields an answer copies; it is
 * not answered when those fields hold more Vias, or a longer line, than the limits allow: the
 * answer must never cost more to send than the attack cost to receive.
 */
export function answerUnreadable(
  bytes: Buffer,
  failure: ReadFailure | undefined,
  reason: string,
  limits: MessageLimits = DEFAULT_MESSAGE_LIMITS,
): Buffer | null {
  const status = statusForFailure(failure);
  if (status === null) return null;
  if (bytes.subarray(0, 4).toString('latin1').toUpperCase() === 'SIP/') return null;
  const lf = bytes.indexOf(0x0a);
  if (lf < 0) return null;
  const relaxed = {
    ...limits,
    maxHeaders: Number.MAX_SAFE_INTEGER,
    maxHeaderLineBytes: Number.MAX_SAFE_INTEGER,
  };
  const read = readDatagram(Buffer.concat([STAND_IN, bytes.subarray(lf + 1)]), { limits: relaxed });
  if (!read.ok) return null;
  const message = read.message;
  if (failure === 'over-limit' && copiesLongLine(message.headers, limits.maxHeaderLineBytes)) return null;
  if (message.headerFields('via').length === 0 || !message.callId || !message.cseq) return null;
  if (message.header('from') === undefined || message.header('to') === undefined) return null;
  // §17: an ACK is never answered.
  if (message.cseq.method === 'ACK') return null;
  return statelessResponse(message, status[0], `${status[1]} (${reason})`);
}

/** True when a field the answer copies (Via, From, To, Call-ID, CSeq: RFC 3261 §8.2.6.2) is over `max` bytes. */
function copiesLongLine(headers: readonly HeaderField[], max: number): boolean {
  return headers.some((field) => COPIED.has(field.name) && field.end - field.start > max);
}

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
