/**
 * Telling SIP from other traffic by content, on any port: a SIP request line
 * (`METHOD sip:... SIP/2.0`, RFC 3261 §7.1), a status line (`SIP/2.0 NNN`), or CR/LF
 * keep-alives (RFC 5626 §3.5.1) before one. The shape is loose on purpose (extra spaces, any URI
 * scheme): a malformed message is still SIP, and the judge, not the sniffer, says what is wrong
 * with it (RFC 4475's torture messages bend exactly these lines). And telling a TLS stream by its first record header
 * (RFC 8446 §5.1: content type 22 handshake, legacy version 3.x).
 */
import { isTokenChar } from '../../sip/abnf.js';

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
  if (isPlainStatusLine(bytes, start) || isPlainRequestLine(bytes, start, lineEnd)) return 'sip';
  const end = lineEnd >= 0 && lineEnd < start + LOOK ? lineEnd + 1 : start + LOOK;
  const text = bytes.toString('latin1', start, Math.min(end, bytes.length));
  if (STATUS_LINE.test(text) || REQUEST_LINE.test(text)) return 'sip';
  // A request line longer than what we looked at: its beginning is enough.
  if (text.length === LOOK && REQUEST_PREFIX.test(text)) return 'sip';
  return 'other';
}

/* The usual spellings, matched on the bytes without decoding them (a packet at a time, this is
   hot); each is a case of STATUS_LINE or REQUEST_LINE, and anything else goes to the patterns. */

const SIP_VERSION = Buffer.from('SIP/2.0');

/** `SIP/2.0 NNN` then anything but a word character: a match of STATUS_LINE. */
function isPlainStatusLine(bytes: Buffer, start: number): boolean {
  if (bytes.length < start + 11 || bytes[start + 7] !== 0x20) return false;
  if (!hasSipVersion(bytes, start)) return false;
  for (let i = start + 8; i < start + 11; i++) {
    if (!isDigit(bytes[i] as number)) return false;
  }
  return start + 11 === bytes.length || !isWordChar(bytes[start + 11] as number);
}

/** `method SP uri SP SIP/2.0 CRLF` within LOOK bytes: a match of REQUEST_LINE. */
function isPlainRequestLine(bytes: Buffer, start: number, lineEnd: number): boolean {
  // lineEnd - 9 is the SP before `SIP/2.0\r`.
  if (lineEnd < 0 || lineEnd >= start + LOOK || lineEnd - 9 < start + 3) return false;
  if (bytes[lineEnd - 9] !== 0x20 || bytes[lineEnd - 1] !== 0x0d) return false;
  if (!hasSipVersion(bytes, lineEnd - 8)) return false;
  let i = start;
  while (i < lineEnd - 9 && isMethodChar(bytes[i] as number)) i++;
  if (i === start || bytes[i] !== 0x20) return false;
  const uriStart = i + 1;
  for (i = uriStart; i < lineEnd - 9; i++) {
    const code = bytes[i] as number;
    if (code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a) return false;
  }
  return i > uriStart;
}

/** `SIP/2.0` at `at` (a loop: Buffer.compare's native call costs more than 7 bytes). */
function hasSipVersion(bytes: Buffer, at: number): boolean {
  for (let k = 0; k < SIP_VERSION.length; k++) {
    if (bytes[at + k] !== SIP_VERSION[k]) return false;
  }
  return true;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** What `\w` matches. */
function isWordChar(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

/** REQUEST_LINE's method characters, `[A-Za-z!%*_+\`'~.-]`: RFC 3261 §25.1 token characters but digits. */
function isMethodChar(code: number): boolean {
  return isTokenChar(code) && !isDigit(code);
}
