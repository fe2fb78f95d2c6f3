/**
 * Where the header section ends: the first empty line.
 *
 * RFC 3261 §7: "...an empty line indicating the end of the header fields, and an optional
 * message-body." Lines are read as ending in LF with an optional CR before it, so a message
 * written with bare LF line ends (seen in the wild, and in the RFC 5118 archive) is still
 * framed; the header index reports the bare LF as a problem.
 *
 * An empty line is an LF followed by CR LF, or by LF. The common CRLF form is found with one
 * native Buffer.indexOf; the bare-LF form is then looked for in the (short) latin1 head text,
 * which the reader needs anyway, instead of a second pass over the whole buffer.
 */

const LF_CRLF = Buffer.from('\n\r\n', 'latin1');
const LF_LF = Buffer.from('\n\n', 'latin1');

export interface HeadLocation {
  /** Offset just past the last header line's line end (where the empty line starts). */
  readonly headEnd: number;
  /** Offset of the first body byte (just past the empty line). */
  readonly bodyOffset: number;
  /** latin1 view of `[messageStart, headEnd)`: one character per byte. */
  readonly text: string;
}

/**
 * Finds the first empty line of the message starting at `messageStart`, searching from
 * `searchFrom` (a stream framer resumes where the last search stopped). Null when there is
 * none (yet).
 */
export function locateHead(
  buf: Buffer,
  messageStart: number,
  searchFrom = messageStart,
): HeadLocation | null {
  const crlf = buf.indexOf(LF_CRLF, searchFrom);
  if (crlf >= 0) {
    const text = buf.toString('latin1', messageStart, crlf + 1);
    const bare = text.indexOf('\n\n');
    if (bare < 0) return { headEnd: crlf + 1, bodyOffset: crlf + 3, text };
    return {
      headEnd: messageStart + bare + 1,
      bodyOffset: messageStart + bare + 2,
      text: text.slice(0, bare + 1),
    };
  }
  const lf = buf.indexOf(LF_LF, searchFrom);
  if (lf < 0) return null;
  return { headEnd: lf + 1, bodyOffset: lf + 2, text: buf.toString('latin1', messageStart, lf + 1) };
}

/** Offset of the first byte at or after `from` that is not CR or LF (RFC 3261 §7.5 leading CRLFs). */
export function skipLineBreaks(buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return i;
}
