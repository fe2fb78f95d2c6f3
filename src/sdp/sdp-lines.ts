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

export function splitSdpLines(text: string): SdpLines {
  let lines = text.split('\n');
  let bareCarriageReturn = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const cr = line.indexOf('\r');
    if (cr === -1) continue;
    if (cr === line.length - 1) {
      lines[i] = line.slice(0, -1);
    } else {
      bareCarriageReturn = true;
      break;
    }
  }
  if (bareCarriageReturn) lines = text.split(/\r\n|\r|\n/);
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return { lines: end === lines.length ? lines : lines.slice(0, end), bareCarriageReturn };
}
