/**
 * The single pass that decides a message breaks no grammar rule (message-checks.ts `isClean`)
 * must never hide a problem: on every message, `grammarProblems` gives exactly what the full
 * table of checks gives. Also: the readings shared by the getters and the checks (top Via,
 * CSeq, Content-Type) are the ones each would have made alone.
 */
import test from 'ava';
import fc from 'fast-check';
import { readDatagram } from '../../src/sip/datagram.js';
import { locateHead, skipLineBreaks } from '../../src/sip/header-end.js';
import { splitHeaderValue } from '../../src/sip/header-values.js';
import type { SipMessage } from '../../src/sip/message.js';
import { type CheckedMessage, grammarProblems, runChecks } from '../../src/sip/message-checks.js';
import { readHead } from '../../src/sip/message-head.js';
import { parseVia } from '../../src/sip/via.js';
import { BASIC_HEADERS, datFiles, fixture, messageOf, SIMPLE_SDP, sipMessage } from './fixtures.js';

const SEEDS: readonly Buffer[] = [
  ...datFiles('rfc4475').map((file) => fixture(`rfc4475/${file}`)),
  ...datFiles('rfc5118').map((file) => fixture(`rfc5118/${file}`)),
  ...datFiles('rfc5118/wire').map((file) => fixture(`rfc5118/wire/${file}`)),
  ...datFiles('sip').map((file) => fixture(`sip/${file}`)),
];

/** Both ways of running the checks on `bytes` (null when the bytes are not a message). */
function bothWays(bytes: Buffer): { fast: unknown; full: unknown } | null {
  const result = readDatagram(bytes);
  if (!result.ok) return null;
  const start = skipLineBreaks(bytes, 0);
  const location = locateHead(bytes, start);
  const text = location === null ? bytes.toString('latin1', start) : location.text;
  const message = result.message as CheckedMessage;
  // Fresh heads each time: nothing cached by one run helps the other.
  return {
    fast: grammarProblems(message, readHead(text, location !== null)),
    full: runChecks(messageOf(readDatagram(bytes)) as CheckedMessage, readHead(text, location !== null)),
  };
}

test('the single pass agrees with the full checks on every fixture', (t) => {
  for (const bytes of SEEDS) {
    const both = bothWays(bytes);
    if (both !== null) t.deepEqual(both.fast, both.full);
  }
});

/** Values close to the usual spellings: each may or may not break a rule. */
const NAME_ADDRS = [
  'Bob <sip:bob@biloxi.example.com>',
  '<sip:bob@biloxi.example.com>;tag=a6c85cf',
  'sip:bob@biloxi.example.com;tag=1',
  '"Bob \\"B\\"" <sip:bob@b>;tag=x',
  '"x" <sip:a@b>',
  'A.B <sip:a@b;lr>;p;q=1',
  '<sip:a@b>;expires=10',
  '<sip:a@b>;EXPIRES=4294967296',
  'Bob<sip:a@b>',
  'sip:a@b?x',
  'sip:a,b@c',
  '< sip:a@b>',
  '<>',
  '<sip:a@b',
  'a@b <sip:c>',
  '<sip:a@b>;;tag=1',
  'Al\u00e9 <sip:a@b>',
  '*',
];
const VIAS = [
  'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport',
  'SIP/2.0/TCP [2001:db8::5]:5061;branch=z9hG4bK-p;received=2001:db8::5',
  'SIP/2.0/UDP h;branch=a;rport=5060;maddr=x;ttl=1',
  'SIP/2.0/UDP h:65536;branch=a',
  'SIP/2.0/UDP h;branch=a;Branch=b',
  'SIP/2.0/UDP h;branch=',
  'SIP/2.0/UDP h;;branch=a',
  'SIP/2.0/UDP h;rport=65536',
  'SIP/2.0/UDP h;branchx=1;branch=2',
  'sip / 2.0 / udp h;RPORT',
  'SIP/2.0/UDP h , SIP/2.0/TCP g;branch=c',
  'SIP/2.0/UDP h,',
];
const REQUEST_URIS = [
  'sip:bob@biloxi.example.com',
  'SIP:a@B:5060;transport=udp',
  'sips:a@b:65535',
  'sip:a@b:65536',
  'sip:[2001:db8::1]:5060',
  'sip:2001:db8::1',
  'sip:a@b?Route=x',
  'sip:a@b;x=@y:99999',
  'sip:a@h_1.example',
  'tel:+1555',
];

/** The first value most of the time (a message then often breaks no rule), any of them otherwise. */
function mostly<T>(values: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(values[0] as T), weight: 4 }, fc.constantFrom(...values));
}

const messages = fc
  .record({
    uri: mostly(REQUEST_URIS),
    method: mostly(['INVITE', 'BYE']),
    cseq: mostly(['1 INVITE', '2147483648 INVITE', '1 INV ITE']),
    callId: mostly(['a84b4c76e66710@pc33.example.com', 'a@b@c', 'x y']),
    via: fc.array(mostly(VIAS), { minLength: 0, maxLength: 3 }),
    to: mostly(NAME_ADDRS),
    contact: mostly(NAME_ADDRS),
    extra: fc.subarray([
      'Max-Forwards: 256',
      'Route: <sip:p1;lr>, <sip:p2;lr>',
      'Record-Route: <sip:p1;lr>,,<sip:p2>',
      'Expires: 4294967296',
      'Date: Sat, 13 Nov 2010 23:29:00 PST',
      'Warning: 99 h',
      'User-Agent: a',
      'User-Agent: b',
      'X Bad: 1',
      'Content-Type: text',
    ]),
    body: fc.constantFrom('', SIMPLE_SDP),
  })
  .map(({ uri, method, cseq, callId, via, to, contact, extra, body }) =>
    sipMessage(
      `${method} ${uri} SIP/2.0`,
      [
        ...via.map((value) => `Via: ${value}`),
        `To: ${to}`,
        'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
        `Call-ID: ${callId}`,
        `CSeq: ${cseq}`,
        `Contact: ${contact}`,
        ...extra,
        ...(body === '' ? [] : ['Content-Type: application/sdp']),
      ],
      body,
    ),
  );

test('the single pass agrees with the full checks on messages near the usual spellings', (t) => {
  let clean = 0;
  fc.assert(
    fc.property(messages, (bytes) => {
      const both = bothWays(bytes);
      t.not(both, null);
      t.deepEqual(both?.fast, both?.full);
      if (Array.isArray(both?.full) && both.full.length === 0) clean++;
    }),
    { numRuns: 1500 },
  );
  t.true(clean > 0, 'some generated messages break no rule');
});

test('a header name whose first byte is above 0x7F is never taken for a known header', (t) => {
  // Known names are looked up by (length, first letter); a byte above 0x7F used to alias another
  // length's bucket, so "\xE1llo" was indexed as Allow and "\xF4" as To: a header smuggled in
  // under a name the far end ignores, read by us as another one.
  const clean = sipMessage('INVITE sip:bob@biloxi.example.com SIP/2.0', [...BASIC_HEADERS, 'Allow: INVITE']);
  t.deepEqual(messageOf(readDatagram(clean)).problems, []);
  const text = clean
    .toString('latin1')
    .replace('Allow: INVITE', '\u00e1llo: INVITE\r\n\u00f4: <sip:mallory@evil.example>');
  const message = messageOf(readDatagram(Buffer.from(text, 'latin1')));
  t.is(message.headerFields('allow').length, 0);
  t.is(message.headerFields('to').length, 1);
  t.true(message.problems.some((problem) => /is not a token/.test(problem.reason)));
});

/** The top Via, CSeq and Content-Type as each would be read alone. */
function alone(message: SipMessage): { topVia: unknown; cseq: unknown } {
  const via = message.header('via');
  const first = via === undefined ? undefined : splitHeaderValue(via).find((part) => part !== '');
  return {
    topVia: first === undefined ? null : parseVia(first).via,
    cseq: message.headerFields('cseq').length === 0 ? null : message.cseq,
  };
}

test('shared readings: the getters read the same before and after the checks', (t) => {
  for (const bytes of [...SEEDS, sipMessage('INVITE sip:a@b SIP/2.0', [...BASIC_HEADERS], SIMPLE_SDP)]) {
    const result = readDatagram(bytes);
    if (!result.ok) continue;
    const checkedFirst = messageOf(readDatagram(bytes));
    const problems = checkedFirst.problems;
    const readFirst = result.message;
    const getters = [readFirst.topVia, readFirst.cseq, readFirst.contentType];
    t.deepEqual(readFirst.problems, problems);
    t.deepEqual([checkedFirst.topVia, checkedFirst.cseq, checkedFirst.contentType], getters);
    t.deepEqual(alone(readFirst).topVia, readFirst.topVia);
  }
});
