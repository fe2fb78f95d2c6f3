/**
 * The raw pass reads lines in place with char-code scans (for speed: parseSdp runs on every INVITE).
 * Each scan stands for a simpler reference written with split and regexes; these properties hold them
 * to it on arbitrary input.
 */
import { isIP } from 'node:net';
import test from 'ava';
import fc from 'fast-check';
import { classifyTypedAddress } from '../../src/sdp/connection-address.js';
import { redactCryptoLine } from '../../src/sdp/crypto.js';
import { lineMayHoldSdesKey, REDACTED, redactIfKeyed, redactSdesKeys } from '../../src/sdp/redact.js';
import { splitSdpLines } from '../../src/sdp/sdp-lines.js';

const RUNS = 3000;

/** Text built from the pieces SDP scanners stop at, so the edge cases come up often. */
const sdpish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ' ',
        '\t',
        '  ',
        ';',
        ':',
        '|',
        '/',
        '.',
        '\r',
        '\n',
        '\r\n',
        'inline:',
        'INLINE:',
        'InLine:',
        'FEC_KEY=',
        'fec_key=',
        '2^20',
        '1:32',
        'KDR=1',
        'a=crypto:',
        '1',
        'AES_CM_128_HMAC_SHA1_80',
        'dHJ1bmtndWFyZA==',
        '255',
        '256',
        '01',
        '0',
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 14 },
  )
  .map((pieces) => pieces.join(''));

/** The split-based redaction the in-place one replaced. */
function referenceRedactCryptoLine(line: string): string {
  const prefix = 'a=crypto:';
  if (!line.startsWith(prefix)) return redactSdesKeys(line);
  const pieces = line.slice(prefix.length).split(/([ \t]+)/);
  for (let i = 0; i < pieces.length; i += 2) {
    const piece = pieces[i] ?? '';
    if (i === 4) pieces[i] = referenceRedactKeyParams(piece);
    else if (i > 4 && piece.toUpperCase().startsWith('FEC_KEY=')) {
      pieces[i] = `${piece.slice(0, 8)}${referenceRedactKeyParams(piece.slice(8))}`;
    } else pieces[i] = redactIfKeyed(piece);
  }
  return `${prefix}${pieces.join('')}`;
}

function referenceRedactKeyParams(text: string): string {
  return text
    .split(';')
    .map((param) => {
      const colon = param.indexOf(':');
      if (colon <= 0) return REDACTED;
      const bar = param.indexOf('|', colon);
      return `${param.slice(0, colon + 1)}${REDACTED}${bar === -1 ? '' : redactIfKeyed(param.slice(bar))}`;
    })
    .join(';');
}

test('redactCryptoLine redacts exactly as the split-based reference', (t) => {
  fc.assert(
    fc.property(sdpish, fc.boolean(), (rest, withPrefix) => {
      const line = withPrefix ? `a=crypto:${rest}` : rest;
      return redactCryptoLine(line) === referenceRedactCryptoLine(line);
    }),
    { numRuns: RUNS },
  );
  t.is(
    redactCryptoLine('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:dHJ1bmtndWFyZA==|2^20|1:32'),
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^20|1:32',
  );
});

test('lineMayHoldSdesKey is /inline:/i on the line, or on a range of it', (t) => {
  fc.assert(
    fc.property(sdpish, fc.nat(), fc.nat(), (text, a, b) => {
      const start = Math.min(a, b) % (text.length + 1);
      const end = Math.max(start, Math.max(a, b) % (text.length + 1));
      return (
        lineMayHoldSdesKey(text) === /inline:/i.test(text) &&
        lineMayHoldSdesKey(text, start, end) === /inline:/i.test(text.slice(start, end))
      );
    }),
    { numRuns: RUNS },
  );
  t.false(lineMayHoldSdesKey('a=ıNLINE:x'), 'the i flag without u folds ASCII only');
});

test('splitSdpLines splits as split(\\n) with CRs stripped, or on every line end when a CR is bare', (t) => {
  fc.assert(
    fc.property(sdpish, (text) => {
      const pieces = text.split('\n');
      const bare = pieces.some((piece) => {
        const cr = piece.indexOf('\r');
        return cr !== -1 && cr !== piece.length - 1;
      });
      const expected = bare
        ? text.split(/\r\n|\r|\n/)
        : pieces.map((piece) => (piece.endsWith('\r') ? piece.slice(0, -1) : piece));
      while (expected.length > 0 && expected[expected.length - 1] === '') expected.pop();
      const actual = splitSdpLines(text);
      return actual.bareCarriageReturn === bare && JSON.stringify(actual.lines) === JSON.stringify(expected);
    }),
    { numRuns: RUNS },
  );
  t.deepEqual(splitSdpLines('v=0\r\ns=-\r\n\r\n'), { lines: ['v=0', 's=-'], bareCarriageReturn: false });
});

test('an IPv4 literal under IP4 is what net.isIP says it is', (t) => {
  const octet = fc.oneof(fc.nat(300).map(String), fc.constantFrom('00', '01', '010', '0x1', '', '1a'));
  fc.assert(
    fc.property(fc.array(octet, { minLength: 1, maxLength: 5 }), (octets) => {
      const text = octets.join('.');
      const kind = classifyTypedAddress('IN', 'IP4', text).kind;
      const literal = kind === 'ip4' || kind === 'hold' || kind === 'multicast';
      return literal === (isIP(text) === 4);
    }),
    { numRuns: RUNS },
  );
  t.is(classifyTypedAddress('IN', 'IP4', '239.255.255.250').kind, 'multicast');
  t.is(classifyTypedAddress('IN', 'IP4', '240.0.0.1').kind, 'ip4');
  t.is(classifyTypedAddress('IN', 'IP4', '01.2.3.4').kind, 'invalid');
});
