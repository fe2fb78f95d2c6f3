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
import { isDigits, isToken, leadingInteger, quote, toPort } from './syntax.js';

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
  const parts = value.split(' ');
  const [type = '', portField = '', proto = '', ...formats] = parts;
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
  return { media, reason: findMediaLineProblem(parts, type, port, portText, portCount, proto, formats) };
}

function findMediaLineProblem(
  parts: readonly string[],
  type: string,
  port: number | null,
  portText: string,
  portCount: number | null,
  proto: string,
  formats: readonly string[],
): string | null {
  if (parts.some((part) => part.length === 0)) {
    return 'm= fields must be separated by single spaces (no double, leading or trailing space)';
  }
  if (parts.length < 4) return 'm= needs <media> <port> <proto> and at least one <fmt>';
  if (!isToken(type)) return `the media type ${quote(type)} is not a token`;
  if (port === null) return `the port ${quote(portText)} is not a number from 0 to 65535`;
  if (portCount === null) return 'the number of ports after / must be a positive integer';
  if (!proto.split('/').every(isToken)) return `the proto ${quote(proto)} is not token *("/" token)`;
  const badFormat = formats.find((format) => !isToken(format));
  if (badFormat !== undefined) return `the format ${quote(badFormat)} is not a token`;
  return null;
}

/** RFC 8866 §9: `integer = POS-DIGIT *DIGIT`. */
function isPositiveInteger(text: string): boolean {
  return isDigits(text, 5) && text.charCodeAt(0) !== 48;
}
