/**
 * The sniffer's byte-level shortcuts for the usual status and request lines (sip-sniff.ts) must
 * decide exactly what its patterns decide: compared here with the patterns alone, on lines built
 * from the pieces the shortcuts look at (spaces, tabs, CR, LF, digits, word characters, methods).
 */
import test from 'ava';
import fc from 'fast-check';
import { type Sniffed, sniff } from '../../src/sources/pcap/sip-sniff.js';

/** sniff as it was before the shortcuts: the patterns on the decoded first line. */
function sniffByPatterns(bytes: Buffer): Sniffed {
  const LOOK = 256;
  if (bytes.length >= 3 && bytes[0] === 0x16 && bytes[1] === 0x03 && (bytes[2] ?? 0xff) <= 0x04) return 'tls';
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  if (start === bytes.length) return bytes.length > 0 ? 'keep-alive' : 'other';
  const lineEnd = bytes.indexOf(0x0a, start);
  const end = lineEnd >= 0 && lineEnd < start + LOOK ? lineEnd + 1 : start + LOOK;
  const text = bytes.toString('latin1', start, Math.min(end, bytes.length));
  if (/^SIP\/2\.0[ \t]+\d{3}\b/.test(text)) return 'sip';
  if (/^[A-Za-z!%*_+`'~.-]+[ \t]+[^ \t\r\n]+[ \t]+SIP\/2\.0[ \t]*\r?\n/.test(text)) return 'sip';
  if (text.length === LOOK && /^[A-Za-z!%*_+`'~.-]+[ \t]+(?:sips?|tel|urn):[^ \r\n]*$/.test(text))
    return 'sip';
  return 'other';
}

const piece = fc.constantFrom(
  'SIP/2.0',
  'SIP/2.0 ',
  'sip/2.0',
  'SIP/2.1',
  ' ',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '200',
  '1',
  '20',
  '_',
  'a',
  'OK',
  'INVITE',
  'OPTIONS',
  "x!%*_+`'~.-",
  'sip:alice@example.com',
  'tel:+1',
  ':',
  '@',
  '\u00e9',
  '\u0016\u0003\u0001',
  'y'.repeat(120),
);
const line = fc.array(piece, { maxLength: 12 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));

test('the sniffer decides what its patterns decide (status lines, request lines, the rest)', (t) => {
  fc.assert(
    fc.property(line, (bytes) => sniff(bytes) === sniffByPatterns(bytes)),
    { numRuns: 20_000 },
  );
  t.pass();
});

test('the usual lines, and near misses, are sniffed as their patterns say', (t) => {
  const cases: [string, Sniffed][] = [
    ['SIP/2.0 200 OK\r\n', 'sip'],
    ['SIP/2.0 200', 'sip'],
    ['SIP/2.0 2000 OK\r\n', 'other'],
    ['SIP/2.0 20_\r\n', 'other'],
    ['SIP/2.0 200_OK\r\n', 'other'],
    ['INVITE sip:bob@example.com SIP/2.0\r\n', 'sip'],
    ['INVITE sip:bob@example.com SIP/2.0\n', 'sip'],
    ['INVITE  sip:bob@example.com SIP/2.0\r\n', 'sip'],
    ['INVITE sip:bob@example.com  SIP/2.0\r\n', 'sip'],
    ['INVITE sip:bob@example.com SIP/2.0 \r\n', 'sip'],
    ['INVITE SIP/2.0\r\n', 'other'],
    [' SIP/2.0\r\n', 'other'],
    ['IN/VITE sip:bob SIP/2.0\r\n', 'other'],
    ['INVITE sip:b\rob SIP/2.0\r\n', 'other'],
  ];
  for (const [text, expected] of cases) {
    const bytes = Buffer.from(text, 'latin1');
    t.is(sniff(bytes), expected, JSON.stringify(text));
    t.is(sniffByPatterns(bytes), expected, JSON.stringify(text));
  }
});

test('every byte as a method character is decided as the patterns decide it', (t) => {
  const differing: number[] = [];
  for (let code = 0; code < 256; code++) {
    for (const method of [[code], [0x41, code], [code, 0x41]]) {
      const bytes = Buffer.concat([Buffer.from(method), Buffer.from(' sip:bob@example.com SIP/2.0\r\n')]);
      if (sniff(bytes) !== sniffByPatterns(bytes)) differing.push(code);
    }
  }
  t.deepEqual(differing, []);
});
