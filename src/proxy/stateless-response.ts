/**
 * The responses the proxy answers with itself (400, 482, 483, 488, 505, 513), built from the
 * request's own header lines.
 *
 * RFC 3261 §8.2.6.2: "The From field of the response MUST equal the From header field of the
 * request. The Call-ID header field of the response MUST equal the Call-ID header field of the
 * request. The CSeq header field of the response MUST equal the CSeq field of the request. The
 * Via header field values in the response MUST equal the Via header field values in the request
 * and MUST maintain the same ordering." ... "If a request contained a To tag in the request, the
 * To header field in the response MUST equal that of the request. However, if the To header
 * field in the request did not contain a tag, the URI in the To header field in the response
 * MUST equal the URI in the To header field ... and the UAS MUST add a tag."
 * Copying the lines byte for byte keeps every one of those equalities, folding and all.
 */
import { hash } from 'node:crypto';
import type { HeaderField, SipMessage } from '../sip/message.js';
import { tagOf } from './branch.js';

export const PRODUCT = 'trunkguard';

export interface AnswerOptions {
  /** Extra header lines, without line ends (e.g. a Warning). */
  readonly extraHeaders?: readonly string[];
}

export function statelessResponse(
  request: SipMessage,
  status: number,
  reason: string,
  options: AnswerOptions = {},
): Buffer {
  const text = request.bytes.toString('latin1', 0, request.bodyOffset);
  const lines: string[] = [];
  for (const field of request.headers) {
    if (field.name === 'via' || field.name === 'from' || field.name === 'call-id' || field.name === 'cseq')
      lines.push(lineOf(text, field));
    else if (field.name === 'to') lines.push(toLine(text, field, request));
  }
  for (const extra of options.extraHeaders ?? []) lines.push(extra);
  lines.push(`Server: ${PRODUCT}`, 'Content-Length: 0', '', '');
  // The status line is ours and may hold any text (UTF-8, RFC 3261 §25.1 Reason-Phrase); the
  // copied lines are the request's own bytes (latin1 view: byte for byte).
  return Buffer.concat([
    Buffer.from(`SIP/2.0 ${status} ${safeReason(reason)}\r\n`, 'utf8'),
    Buffer.from(lines.join('\r\n'), 'latin1'),
  ]);
}

/** The header line as received, without its final line end (continuation lines kept). */
function lineOf(text: string, field: HeaderField): string {
  let end = field.end;
  if (text.charCodeAt(end - 1) === 0x0a) end--;
  if (text.charCodeAt(end - 1) === 0x0d) end--;
  return text.slice(field.start, end);
}

function toLine(text: string, field: HeaderField, request: SipMessage): string {
  const line = lineOf(text, field);
  if (tagOf(field.value) !== '') return line;
  // A tag of our own, stable per request so a retransmitted request gets the same answer.
  const tag = hash('sha1', `${request.callId ?? ''}\n${request.cseq?.number ?? ''}`, 'base64url').slice(
    0,
    12,
  );
  return `${line};tag=tg${tag}`;
}

/**
 * A reason phrase is one line of text (RFC 3261 §25.1 Reason-Phrase): control characters become
 * a space, and it is bounded. Encoded as UTF-8, no other character can produce a CR or LF byte.
 */
export function safeReason(reason: string): string {
  return reason.replace(/[\x00-\x08\x0a-\x1f\x7f]+/g, ' ').slice(0, 200);
}
