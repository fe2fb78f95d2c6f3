/**
 * Telling SIP from other traffic by content, on any port: a SIP request line
 * (`METHOD sip:... SIP/2.0`, RFC 3261 §7.1), a status line (`SIP/2.0 NNN`), or CR/LF
 * keep-alives (RFC 5626 §3.5.1) before one. The shape is loose on purpose (extra spaces, any URI
 * scheme): a malformed message is still SIP, and the judge, not the sniffer, says what is wrong
 * with it (RFC 4475's torture messages bend exactly these lines). And telling a TLS stream by its first record header
 * (RFC 8446 §5.1: content type 22 handshake, legacy version 3.x).
 */

export type Sniffed = 'sip' | 'keep-alive' | 'tls' | 'other';

/** How many bytes are enough to decide. */
const LOOK = 256;
const STATUS_LINE = /^SIP\/2\.0[ \t]+\d{3}\b/;
const REQUEST_LINE = /^[A-Za-z!%*_+`'~.-]+[ \t]+[^ \t\r\n]+[ \t]+SIP\/2\.0[ \t]*\r?\n/;
const REQUEST_PREFIX = /^[A-Za-z!%*_+`'~.-]+[ \t]+(?:sips?|tel|urn):[^ \r\n]*$/;

/** What the first bytes of a UDP payload or a TCP direction are. */
export function sniff(bytes: Buffer): Sniffed {
  if (bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03 && (bytes[2] ?? 0xff) <= 0x04) return 'tls';
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  if (start === bytes.length) return bytes.length > 0 ? 'keep-alive' : 'other';
  // Only the first line decides (no pattern reaches past its LF): decode no further than that.
  const lineEnd = bytes.indexOf(0x0a, start);
  const end = lineEnd >= 0 && lineEnd < start + LOOK ? lineEnd + 1 : start + LOOK;
  const text = bytes.toString('latin1', start, Math.min(end, bytes.length));
  if (STATUS_LINE.test(text) || REQUEST_LINE.test(text)) return 'sip';
  // A request line longer than what we looked at: its beginning is enough.
  if (text.length === LOOK && REQUEST_PREFIX.test(text)) return 'sip';
  return 'other';
}
