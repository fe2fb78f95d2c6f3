/**
 * The SDP bodies of a message: a plain `application/sdp` body, or the `application/sdp` parts
 * of a multipart body (RFC 5621), at any nesting depth up to a bound.
 *
 * Parts are found by scanning the body bytes for the boundary delimiter, never by decoding the
 * body as text first: parts may be binary (ISUP, S/MIME with NUL and bare CR bytes, RFC 4475
 * mpart01.dat). Only an SDP part's own bytes are decoded, as UTF-8.
 *
 * RFC 2046 §5.1.1: "The boundary delimiter MUST occur at the beginning of a line, i.e.,
 * following a CRLF, and the initial CRLF is considered to be attached to the boundary delimiter
 * line rather than part of the preceding part." ... "The boundary delimiter line following the
 * last body part is a distinguished delimiter that indicates that no further body parts will
 * follow. Such a delimiter line is identical to the previous delimiter lines, with the addition
 * of two more hyphens after the boundary parameter value."
 * "NOTE TO IMPLEMENTORS: Boundary string comparisons must compare the boundary value with the
 * beginning of each candidate line. An exact match of the entire candidate line is not
 * required; it is sufficient that the boundary appear in its entirety following the CRLF."
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { clip, latin1ToUtf8 } from './abnf.js';
import { locateHead } from './header-end.js';
import { type HeaderLine, indexHeaderLines } from './header-index.js';
import { type MediaType, parseMediaType } from './media-type.js';
import type { MessageProblem, SipMessage } from './message.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits, type OverLimit, overLimit } from './message-limits.js';

export interface SdpBody {
  /** The SDP, decoded as UTF-8. */
  readonly text: string;
  /** The media type as written in the part (or message) header, lower-case, e.g. `application/sdp`. */
  readonly contentType: string;
  /**
   * The disposition-type of Content-Disposition, lower-case (`session`, `early-session`,
   * `recording-session`...), without parameters; null when there is none.
   */
  readonly disposition: string | null;
  /** '' for a plain body; '1', '2', '2.1'... (1-based) for parts of multipart bodies. */
  readonly partPath: string;
}

export interface SdpBodies {
  readonly bodies: SdpBody[];
  readonly problems: MessageProblem[];
  /**
   * Present when the body passed a multipart limit: nothing in it is then modelled (`bodies` and
   * `problems` are empty), and this names the limit for the caller to report and count.
   */
  overLimit?: OverLimit;
}

/** The limits on multipart bodies: nesting (multipart inside multipart...) and parts per body. */
export type MultipartLimits = Pick<MessageLimits, 'maxMultipartDepth' | 'maxMultipartParts'>;
/** Largest body inflated from Content-Encoding gzip/deflate (a zip bomb stops here). */
export const MAX_INFLATED_BODY = 1024 * 1024;

const SDP = 'application/sdp';
/** parseMediaType('application/sdp'); never handed out, only read. */
const PLAIN_SDP: MediaType = { type: SDP, params: new Map(), duplicateParams: [] };

/**
 * Every SDP in `message`, in body order, with what is wrong in the body's structure. Never throws.
 * A multipart body nested deeper or with more parts than `limits` is not modelled at all
 * (`overLimit` says why): reading part of it would judge a call on what an attacker chose to show.
 */
export function sdpBodies(message: SipMessage, limits: MultipartLimits = DEFAULT_MESSAGE_LIMITS): SdpBodies {
  const out: SdpBodies = { bodies: [], problems: [] };
  const bodies = readBodies(message, limits, out);
  if (bodies.overLimit === undefined) return bodies;
  return { bodies: [], problems: [], overLimit: bodies.overLimit };
}

function readBodies(message: SipMessage, limits: MultipartLimits, out: SdpBodies): SdpBodies {
  try {
    const contentType = message.header('content-type');
    // RFC 3261 §20.15: the Content-Type describes the body; no body, nothing to read.
    if (contentType === undefined || message.body.length === 0) return out;
    // The usual value, spelled the usual way, needs no parsing (same reading as parseMediaType's).
    const mediaType = contentType === SDP ? PLAIN_SDP : parseMediaType(contentType);
    const type = mediaType?.type ?? '';
    if (type !== SDP && !type.startsWith('multipart/')) return out; // nothing of ours in there
    // No Content-Encoding (the usual case): the body as it is.
    const body =
      message.header('content-encoding') === undefined
        ? message.body
        : decodeContentEncoding(message, out.problems);
    if (body === null) return out;
    readEntity(
      body,
      contentType,
      message.header('content-disposition') ?? null,
      '',
      0,
      { out, limits },
      mediaType,
    );
  } catch (error) {
    out.problems.push(problem(`internal error while reading the body: ${String(error).slice(0, 200)}`, null));
  }
  return out;
}

/**
 * RFC 3261 §20.12: "The Content-Encoding header field is used as a modifier to the
 * "media-type"." An SDP behind gzip is still an SDP: it is inflated (bounded) rather than
 * skipped, since skipping it would let any sender hide its media from the inspector.
 */
function decodeContentEncoding(message: SipMessage, problems: MessageProblem[]): Buffer | null {
  const encodings = message
    .headerValues('content-encoding')
    .map((value) => value.toLowerCase())
    .filter((value) => value !== 'identity');
  let body = message.body;
  for (const encoding of encodings.reverse()) {
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip')
        body = gunzipSync(body, { maxOutputLength: MAX_INFLATED_BODY });
      else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: MAX_INFLATED_BODY });
      else {
        problems.push(
          problem(`Content-Encoding '${encoding}' is not supported: the body is not inspected`, null),
        );
        return null;
      }
    } catch (error) {
      problems.push(
        problem(`Content-Encoding '${encoding}' body does not decode: ${String(error).slice(0, 120)}`, null),
      );
      return null;
    }
  }
  return body;
}

/** One entity (the whole body or one part): an SDP, a multipart to descend into, or neither. */
function readEntity(
  bytes: Buffer,
  contentTypeValue: string,
  dispositionValue: string | null,
  partPath: string,
  depth: number,
  reading: Reading,
  parsed?: MediaType | null,
): void {
  const out = reading.out;
  if (out.overLimit !== undefined) return;
  // `parsed`, when given, is parseMediaType(contentTypeValue) already made by the caller.
  const mediaType = parsed === undefined ? parseMediaType(contentTypeValue) : parsed;
  if (mediaType === null) return; // reported by the message grammar checks (or below for parts)
  if (mediaType.type === SDP) {
    if (bytes.length > 0) {
      out.bodies.push({
        text: bytes.toString('utf8'),
        contentType: SDP,
        disposition: dispositionType(dispositionValue),
        partPath,
      });
    }
    return;
  }
  if (!mediaType.type.startsWith('multipart/')) return;
  const where = partPath === '' ? 'the body' : `part ${partPath}`;
  const maxDepth = reading.limits.maxMultipartDepth;
  if (depth >= maxDepth) {
    // Nesting is counted as it is descended into: depth + 1 multipart bodies, one inside the other.
    const over = overLimit('multipart-depth', depth + 1, 'levels of multipart nesting', maxDepth);
    out.overLimit = { limit: over.limit, reason: `${over.reason} (at ${where})` };
    return;
  }
  const boundary = mediaType.params.get('boundary');
  if (boundary === undefined || boundary === '') {
    out.problems.push(
      problem(
        `${mediaType.type} ${where} has no boundary parameter (RFC 2046 §5.1.1)`,
        clip(contentTypeValue),
      ),
    );
    return;
  }
  // RFC 2046 §5.1.1: "must be no longer than 70 characters, not counting the two leading hyphens."
  if (boundary.length > 70) {
    out.problems.push(
      problem(
        `multipart boundary of ${where} is longer than 70 characters (RFC 2046 §5.1.1)`,
        clip(contentTypeValue),
      ),
    );
  }
  readMultipart(bytes, boundary, partPath, depth, reading);
}

/** What one read of a message's body shares: where results go, and the limits. */
interface Reading {
  readonly out: SdpBodies;
  readonly limits: MultipartLimits;
}

function readMultipart(
  body: Buffer,
  boundary: string,
  partPath: string,
  depth: number,
  reading: Reading,
): void {
  const out = reading.out;
  const where = partPath === '' ? 'the body' : `part ${partPath}`;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let at = findDelimiter(body, delimiter, 0);
  if (at < 0) {
    out.problems.push(problem(`multipart boundary '${clip(boundary, 70)}' never appears in ${where}`, null));
    return;
  }
  // Everything before the first delimiter is the preamble, ignored (RFC 2046 §5.1.1).
  let index = 0;
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return; // close delimiter; epilogue ignored
    if (index === reading.limits.maxMultipartParts) {
      const parts = index + countParts(body, delimiter, at);
      const over = overLimit('multipart-parts', parts, 'parts in one multipart body', index);
      out.overLimit = { limit: over.limit, reason: `${over.reason} (${where})` };
      return;
    }
    index++;
    const path = partPath === '' ? String(index) : `${partPath}.${index}`;
    // The delimiter line ends at its line break (after optional transport padding).
    const lineEnd = body.indexOf(0x0a, afterDelimiter);
    if (lineEnd < 0) {
      out.problems.push(
        problem(`multipart ${where} ends on a delimiter line without a line break or close delimiter`, null),
      );
      return;
    }
    const partStart = lineEnd + 1;
    const next = findDelimiter(body, delimiter, partStart);
    if (next < 0) {
      out.problems.push(
        problem(`multipart ${where} has no close delimiter '--${clip(boundary, 70)}--'`, null),
      );
      readPart(body.subarray(partStart), path, depth, reading);
      return;
    }
    // The line break before the delimiter belongs to the delimiter, not to the part.
    let partEnd = next;
    if (partEnd > partStart && body[partEnd - 1] === 0x0a) partEnd--;
    if (partEnd > partStart && body[partEnd - 1] === 0x0d) partEnd--;
    readPart(body.subarray(partStart, partEnd), path, depth, reading);
    if (out.overLimit !== undefined) return;
    at = next;
  }
}

/** Parts from the delimiter at `at` on (to the close delimiter or the end): delimiters found natively. */
function countParts(body: Buffer, delimiter: Buffer, at: number): number {
  let parts = 0;
  for (let next = at; next >= 0; next = findDelimiter(body, delimiter, next + delimiter.length)) {
    const after = next + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) break;
    parts++;
  }
  return parts;
}

/** `--boundary` at the start of a line (or of the body) at or after `from`; -1 when none. */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  let search = from;
  for (;;) {
    const found = body.indexOf(delimiter, search);
    if (found < 0) return -1;
    if (found === 0 || body[found - 1] === 0x0a) return found;
    search = found + 1;
  }
}

/**
 * RFC 2046 §5.1: "body-part := MIME-part-headers [CRLF *OCTET]", and "...the absence of a
 * Content-Type header usually indicates that the corresponding body has a content-type of
 * "text/plain; charset=US-ASCII"."
 */
function readPart(part: Buffer, partPath: string, depth: number, reading: Reading): void {
  const out = reading.out;
  let headers: HeaderLine[] = [];
  let content: Buffer;
  if (part[0] === 0x0a || (part[0] === 0x0d && part[1] === 0x0a)) {
    content = part.subarray(part[0] === 0x0a ? 1 : 2); // no headers at all
  } else {
    const end = locateHead(part, 0);
    headers = indexHeaderLines(end === null ? part.toString('latin1') : end.text, 0, false).fields;
    content = end === null ? part.subarray(part.length) : part.subarray(end.bodyOffset);
  }
  const contentTypes = headers.filter((field) => field.name === 'content-type');
  if (contentTypes.length > 1) {
    // Two Content-Types in one part: readers disagree on which wins. Report, read the first.
    out.problems.push(
      problem(
        `part ${partPath} has ${contentTypes.length} Content-Type headers`,
        contentTypes.map((f) => f.line).join(' | '),
      ),
    );
  }
  const contentType = contentTypes[0]?.value ?? 'text/plain';
  if (contentTypes.length > 0 && parseMediaType(contentType) === null) {
    out.problems.push(
      problem(`part ${partPath} Content-Type '${clip(contentType, 80)}' is not type/subtype`, null),
    );
    return;
  }
  const disposition = headers.find((field) => field.name === 'content-disposition')?.value ?? null;
  const decoded = decodeTransferEncoding(headers, content, partPath, contentType, out);
  if (decoded === null) return;
  readEntity(decoded, contentType, disposition, partPath, depth + 1, reading);
}

/**
 * RFC 2045 §6: Content-Transfer-Encoding. SIP is 8-bit clean (bodies are framed by byte
 * length, RFC 3261 §7.4.2), so `binary`/`8bit`/`7bit` are the identity; `base64` is decoded.
 * Only SDP and multipart parts are decoded at all: other parts are never looked into.
 */
function decodeTransferEncoding(
  headers: readonly HeaderLine[],
  content: Buffer,
  partPath: string,
  contentType: string,
  out: SdpBodies,
): Buffer | null {
  const encoding = headers.find((field) => field.name === 'content-transfer-encoding')?.value.toLowerCase();
  if (encoding === undefined || encoding === 'binary' || encoding === '8bit' || encoding === '7bit')
    return content;
  const type = parseMediaType(contentType)?.type ?? '';
  if (type !== SDP && !type.startsWith('multipart/')) return content;
  if (encoding === 'base64') return Buffer.from(content.toString('latin1'), 'base64');
  out.problems.push(
    problem(`part ${partPath} (${type}) has Content-Transfer-Encoding '${encoding}': not inspected`, null),
  );
  return null;
}

/** RFC 3261 §20.11: "Content-Disposition = "Content-Disposition" HCOLON disp-type *( SEMI disp-param )". */
function dispositionType(value: string | null): string | null {
  if (value === null) return null;
  const type = (value.split(';')[0] ?? '').trim().toLowerCase();
  return type === '' ? null : latin1ToUtf8(type);
}

function problem(reason: string, evidence: string | null): MessageProblem {
  return { code: 'malformed-message', reason, evidence };
}
