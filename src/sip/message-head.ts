/**
 * The head of a message: start line plus header index, read from the latin1 view of the bytes
 * between the message start and the empty line. Shared by the datagram reader and the stream
 * framer; it never throws on any input.
 */
import { clip, latin1ToUtf8 } from './abnf.js';
import { type ContentLengthReading, readContentLength } from './content-length.js';
import { type HeaderLimits, type HeaderLine, indexHeaderLines } from './header-index.js';
import type { MessageProblem } from './message.js';
import type { OverLimit } from './message-limits.js';
import { parseStartLine, type StartLineResult } from './start-line.js';

export interface Head {
  /** latin1 view of the head: offsets in it are byte offsets from the message start. */
  readonly text: string;
  /** The start line as received (latin1), without its line end. */
  readonly rawStartLine: string;
  readonly startLine: StartLineResult;
  readonly fields: readonly HeaderLine[];
  /** Problems found while scanning: bare LF, lines without ':', no empty line... */
  readonly problems: readonly MessageProblem[];
  readonly contentLength: ContentLengthReading;
  /** True when the head is known to be ASCII: its text needs no UTF-8 decoding. */
  readonly ascii: boolean;
  /** The first message limit the head passed (the message is then refused), or null. */
  readonly overLimit: OverLimit | null;
}

/**
 * Reads the head from its latin1 view `text` (start line and header lines with their line
 * ends). `terminated` is false when no empty line closes the header section (a datagram that
 * just ends, RFC 4475 baddn.dat): the header lines are still indexed so the message can be
 * inspected, and that is reported. `ascii` is true when the bytes are known to be ASCII (no
 * UTF-8 decoding of values is then needed); false is always correct. `limits`, when given, are
 * counted as the header lines are indexed; past one, only Content-Length is indexed further.
 */
export function readHead(text: string, terminated: boolean, ascii = false, limits?: HeaderLimits): Head {
  const lf = text.indexOf('\n');
  const lineEnd = lf < 0 ? text.length : lf;
  const startLineBareLf = lf >= 0 && (lf === 0 || text.charCodeAt(lf - 1) !== 0x0d);
  const rawStartLine = text.slice(0, startLineBareLf || lf < 0 ? lineEnd : lineEnd - 1);
  const startLine = parseStartLine(rawStartLine);
  const scan = indexHeaderLines(text, lf < 0 ? text.length : lf + 1, true, ascii, limits);
  const problems: MessageProblem[] = [];
  if (startLine.ok && startLine.problem !== null) {
    problems.push({
      code: 'malformed-message',
      reason: startLine.problem,
      evidence: clip(latin1ToUtf8(rawStartLine)),
    });
  }
  if (startLineBareLf || scan.bareLf) {
    // RFC 3261 §7: "The start-line, each message-header line, and the empty line MUST be
    // terminated by a carriage-return line-feed sequence (CRLF)." Tolerated, reported.
    problems.push({
      code: 'malformed-message',
      reason: 'lines end in bare LF instead of CRLF (RFC 3261 §7)',
      evidence: clip(latin1ToUtf8(rawStartLine)),
    });
  }
  problems.push(...scan.problems);
  if (!terminated) {
    // RFC 3261 §7: "Note that the empty line MUST be present even if the message-body is not."
    problems.push({
      code: 'malformed-message',
      reason: 'the header section is not closed by an empty line (CRLF); the message ends inside it',
      evidence: clip(latin1ToUtf8(lastLine(text))),
    });
  }
  return {
    text,
    rawStartLine,
    startLine,
    fields: scan.fields,
    problems,
    contentLength: readContentLength(scan.fields),
    ascii,
    overLimit: scan.overLimit,
  };
}

function lastLine(text: string): string {
  let end = text.length;
  if (text.charCodeAt(end - 1) === 0x0a) end--;
  if (text.charCodeAt(end - 1) === 0x0d) end--;
  return text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
}
