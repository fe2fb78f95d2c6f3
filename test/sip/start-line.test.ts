/**
 * The start line, read strictly (RFC 3261 §7.1, §7.2, §25.1).
 */
import test from 'ava';
import { parseStartLine } from '../../src/sip/start-line.js';

const ACCEPTED: readonly [string, string][] = [
  ['INVITE sip:bob@biloxi.example.com SIP/2.0', 'request INVITE sip:bob@biloxi.example.com'],
  [
    'OPTIONS sip:[2001:db8::10]:5070;transport=tcp SIP/2.0',
    'request OPTIONS sip:[2001:db8::10]:5070;transport=tcp',
  ],
  ['REGISTER sip:example.com sip/2.0', 'request REGISTER sip:example.com'],
  ['NEWMETHOD tel:+14155550100 SIP/2.0', 'request NEWMETHOD tel:+14155550100'],
  ['SIP/2.0 200 OK', 'response 200 OK'],
  ['SIP/2.0 100 ', 'response 100 '],
  ['SIP/2.0 183 Session  Progress\twith tab', 'response 183 Session  Progress\twith tab'],
  ['SIP/2.0 699 Unknown class', 'response 699 Unknown class'],
];

const REJECTED: readonly [string, 'start-line' | 'sip-version', RegExp][] = [
  ['', 'start-line', /empty start line/],
  ['INVITE  sip:bob@biloxi.example.com SIP/2.0', 'start-line', /more than one SP/],
  ['INVITE sip:bob@biloxi.example.com SIP/2.0 ', 'start-line', /trailing SP/],
  [' INVITE sip:bob@biloxi.example.com SIP/2.0', 'start-line', /starts with SP/],
  ['INVITE\tsip:bob@biloxi.example.com SIP/2.0', 'start-line', /HTAB/],
  ['INVITE <sip:bob@biloxi.example.com> SIP/2.0', 'start-line', /enclosed in "<>"/],
  ['INVITE sip:bob@biloxi.example.com; lr SIP/2.0', 'start-line', /Request-URI contains whitespace/],
  ['INVITE sip:bob@biloxi.example.com', 'start-line', /no SIP-Version/],
  ['INVITE SIP/2.0', 'start-line', /no Request-URI/],
  ['INV@TE sip:bob@biloxi.example.com SIP/2.0', 'start-line', /Method 'INV@TE' is not a token/],
  ['INVITE bob@biloxi.example.com SIP/2.0', 'start-line', /has no URI scheme/],
  ['INVITE sip:bob\u0000@biloxi.example.com SIP/2.0', 'start-line', /byte 0x00/],
  ['INVITE sip:b"ob@biloxi.example.com SIP/2.0', 'start-line', /contains '"'/],
  ['INVITE sip:bob@biloxi.example.com SIP/7.0', 'sip-version', /unsupported SIP version 'SIP\/7.0'.*505/],
  ['INVITE sip:bob@biloxi.example.com HTTP/1.1', 'start-line', /'HTTP\/1.1' is not a SIP-Version/],
  ['SIP/2.0 4294967301 better not break the receiver', 'start-line', /not 3 digits/],
  ['SIP/2.0 20 OK', 'start-line', /not 3 digits/],
  ['SIP/2.0 099 Too small', 'start-line', /outside 100-699/],
  ['SIP/2.0 700 Too big', 'start-line', /outside 100-699/],
  ['SIP/3.0 200 OK', 'sip-version', /SIP\/3.0/],
  ['SIP/2.0', 'start-line', /no Status-Code/],
  ['SIP/2.0 200 O\u0001K', 'start-line', /control character/],
];

for (const [line, summary] of ACCEPTED) {
  test(`accepts ${JSON.stringify(line)}`, (t) => {
    const result = parseStartLine(line);
    if (!result.ok) return t.fail(result.reason);
    const parsed = result.line;
    t.is(
      parsed.kind === 'request'
        ? `request ${parsed.method} ${parsed.requestUri}`
        : `response ${parsed.status} ${parsed.reason}`,
      summary,
    );
    t.is(result.problem, null);
  });
}

for (const [line, failure, reason] of REJECTED) {
  test(`rejects ${JSON.stringify(line)}`, (t) => {
    const result = parseStartLine(line);
    if (result.ok) return t.fail('accepted');
    t.is(result.failure, failure);
    t.regex(result.reason, reason);
  });
}

test('a status line without the SP before an empty reason is read, with a problem', (t) => {
  const result = parseStartLine('SIP/2.0 100');
  if (!result.ok) return t.fail(result.reason);
  t.is(result.line.kind === 'response' ? result.line.reason : null, '');
  t.regex(result.problem ?? '', /lacks the SP/);
});
