/**
 * The m= line (RFC 8866 §5.14):
 *
 *   m=<media> <port>[/<number of ports>] <proto> <fmt> ...
 *   m=audio 49170 RTP/AVP 0 8 97
 *   m=video 49170/2 RTP/AVP 31
 *
 * RFC 8866 §9: `media-field = %s"m" "=" media SP port ["/" integer] SP proto 1*(SP fmt)`, with
 * `media = token`, `proto = token *("/" token)`, `fmt = token`. sdp-transform's m= regex fails on
 * `49170/2` and leaves the section without type, port or formats.
 */
import { isDigits, isToken, isTokenRange, leadingInteger, quote, toPort } from './syntax.js';

export interface MediaLine {
  readonly type: string;
  readonly port: number;
  readonly portCount: number;
  readonly proto: string;
  readonly formats: readonly string[];
}

export interface ParsedMediaLine {
  /**
   * Always present, so the section keeps its position (offer/answer pairs m= lines by index, RFC 3264
   * §6). On a broken line the port is what an atoi-style receiver would read, 0 when there are no digits.
   */
  readonly media: MediaLine;
  readonly reason: string | null;
}

export function parseMediaLine(value: string): ParsedMediaLine {
  // The fields of value.split(' '), found in place: media, port, proto, then the formats.
  const s1 = value.indexOf(' ');
  const s2 = s1 === -1 ? -1 : value.indexOf(' ', s1 + 1);
  const s3 = s2 === -1 ? -1 : value.indexOf(' ', s2 + 1);
  const type = s1 === -1 ? value : value.slice(0, s1);
  const portField = s1 === -1 ? '' : value.slice(s1 + 1, s2 === -1 ? value.length : s2);
  const proto = s2 === -1 ? '' : value.slice(s2 + 1, s3 === -1 ? value.length : s3);
  const formats: string[] = [];
  // Index of the first format that is not a token, found while splitting.
  let badFormat = -1;
  if (s3 !== -1) {
    for (let start = s3 + 1; ; ) {
      let end = value.indexOf(' ', start);
      if (end === -1) end = value.length;
      if (badFormat === -1 && !isTokenRange(value, start, end)) badFormat = formats.length;
      formats.push(value.slice(start, end));
      if (end === value.length) break;
      start = end + 1;
    }
  }
  const slash = portField.indexOf('/');
  const portText = slash === -1 ? portField : portField.slice(0, slash);
  const countText = slash === -1 ? null : portField.slice(slash + 1);
  const port = toPort(portText);
  const portCount = countText === null ? 1 : isPositiveInteger(countText) ? Number(countText) : null;

  const media: MediaLine = {
    type,
    port: port ?? leadingInteger(portText) ?? 0,
    portCount: portCount ?? 1,
    proto,
    formats,
  };
  // An empty field (value.split(' ') has an empty part): a double, leading or trailing space, or no value.
  const emptyField =
    value.length === 0 ||
    value.charCodeAt(0) === 32 ||
    value.charCodeAt(value.length - 1) === 32 ||
    value.includes('  ');
  return {
    media,
    reason: findMediaLineProblem(
      emptyField,
      s3 !== -1,
      type,
      port,
      portText,
      portCount,
      proto,
      formats,
      badFormat,
    ),
  };
}

function findMediaLineProblem(
  emptyField: boolean,
  hasFormats: boolean,
  type: string,
  port: number | null,
  portText: string,
  portCount: number | null,
  proto: string,
  formats: readonly string[],
  badFormat: number,
): string | null {
  if (emptyField) {
    return 'm= fields must be separated by single spaces (no double, leading or trailing space)';
  }
  if (!hasFormats) return 'm= needs <media> <port> <proto> and at least one <fmt>';
  if (!isToken(type)) return `the media type ${quote(type)} is not a token`;
  if (port === null) return `the port ${quote(portText)} is not a number from 0 to 65535`;
  if (portCount === null) return 'the number of ports after / must be a positive integer';
  if (!isProto(proto)) return `the proto ${quote(proto)} is not token *("/" token)`;
  if (badFormat !== -1) return `the format ${quote(formats[badFormat]!)} is not a token`;
  return null;
}

/** `proto = token *("/" token)`: proto.split('/').every(isToken), without the split. */
function isProto(proto: string): boolean {
  let start = 0;
  for (;;) {
    let end = proto.indexOf('/', start);
    if (end === -1) end = proto.length;
    if (!isTokenRange(proto, start, end)) return false;
    if (end === proto.length) return true;
    start = end + 1;
  }
}

/** RFC 8866 §9: `integer = POS-DIGIT *DIGIT`. */
function isPositiveInteger(text: string): boolean {
  return isDigits(text, 5) && text.charCodeAt(0) !== 48;
}
