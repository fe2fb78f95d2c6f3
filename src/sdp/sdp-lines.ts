/**
 * Splitting SDP text into lines.
 *
 * RFC 8866 §5: "the sequence CRLF (0x0d0a) is used to end a line, although parsers SHOULD be tolerant
 * and also accept lines terminated with a single newline character." A bare CR is no line end in SDP,
 * but sdp-transform (and other parsers) split on it: we split the same way, so every parser sees the same
 * m= sections, and report it.
 */

export interface SdpLines {
  /** The lines without their ends; trailing empty lines (the final CRLF, padding) are dropped. */
  readonly lines: readonly string[];
  /** True when a CR not followed by LF was found (and treated as a line end). */
  readonly bareCarriageReturn: boolean;
}

/** One indexOf per line and one slice per line: this runs on every SDP on the forwarding path. */
export function splitSdpLines(text: string): SdpLines {
  const lines: string[] = [];
  const length = text.length;
  // Every CR must end a line (be followed by LF, or end the text); the first one that does not makes
  // the text one with bare CRs, split on CR, LF and CRLF alike.
  let nextCr = text.indexOf('\r');
  let start = 0;
  while (start <= length) {
    let newline = text.indexOf('\n', start);
    if (newline === -1) newline = length;
    let end = newline;
    if (nextCr !== -1 && nextCr < newline) {
      if (nextCr !== newline - 1) return splitOnBareCarriageReturns(text);
      end = nextCr;
      nextCr = text.indexOf('\r', newline);
    }
    lines.push(start === 0 && end === length ? text : text.slice(start, end));
    start = newline + 1;
  }
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  if (end !== lines.length) lines.length = end;
  return { lines, bareCarriageReturn: false };
}

function splitOnBareCarriageReturns(text: string): SdpLines {
  const lines = text.split(/\r\n|\r|\n/);
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  if (end !== lines.length) lines.length = end;
  return { lines, bareCarriageReturn: true };
}
