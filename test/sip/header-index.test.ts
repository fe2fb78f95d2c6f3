/**
 * The header index: compact forms, case-insensitive names, folded lines, comma-separated
 * values, repeated headers, byte offsets, top Via parameters.
 */
import test from 'ava';
import { COMPACT_FORMS, canonicalHeaderName } from '../../src/sip/compact-forms.js';
import { readDatagram } from '../../src/sip/datagram.js';
import { splitHeaderValue } from '../../src/sip/header-values.js';
import { DEFAULT_MESSAGE_LIMITS } from '../../src/sip/message-limits.js';
import { parseVia } from '../../src/sip/via.js';
import { BASIC_HEADERS, messageOf, sipMessage } from './fixtures.js';

function read(
  headers: readonly string[],
  startLine = 'OPTIONS sip:bob@biloxi.example.com SIP/2.0',
  body = '',
) {
  return messageOf(readDatagram(sipMessage(startLine, headers, body), { limits: UNLIMITED }));
}

/** The index itself, without the message limits (test/sip/message-limits.test.ts tests those). */
const UNLIMITED = {
  ...DEFAULT_MESSAGE_LIMITS,
  maxHeaders: Number.POSITIVE_INFINITY,
  maxHeaderLineBytes: Number.POSITIVE_INFINITY,
};

test('every compact form maps to its full name (RFC 3261 §7.3.3 and extensions)', (t) => {
  const expected: Record<string, string> = {
    i: 'call-id',
    m: 'contact',
    e: 'content-encoding',
    l: 'content-length',
    c: 'content-type',
    f: 'from',
    s: 'subject',
    k: 'supported',
    t: 'to',
    v: 'via',
    o: 'event',
    u: 'allow-events',
    r: 'refer-to',
    b: 'referred-by',
    x: 'session-expires',
    y: 'identity',
    a: 'accept-contact',
    j: 'reject-contact',
    d: 'request-disposition',
  };
  for (const [letter, name] of Object.entries(expected)) {
    t.is(canonicalHeaderName(letter), name);
    t.is(canonicalHeaderName(letter.toUpperCase()), name);
    t.is(COMPACT_FORMS[letter], name);
  }
  t.is(canonicalHeaderName('VIA'), 'via');
  t.is(canonicalHeaderName('X-Custom'), 'x-custom');
  t.is(canonicalHeaderName('q'), 'q', 'an unassigned letter is just a name');
});

test('compact and full names find the same headers, case-insensitively', (t) => {
  const message = read([
    'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa',
    'VIA: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb',
    'f: <sip:alice@atlanta.example.com>;tag=1',
    't: <sip:bob@biloxi.example.com>',
    'i: abc@192.0.2.1',
    'CSEQ: 1 OPTIONS',
    'Max-Forwards: 70',
    'k: timer, 100rel',
    'x: 1800;refresher=uac',
    'o: presence',
  ]);
  t.is(message.callId, 'abc@192.0.2.1');
  t.is(message.header('Call-ID'), 'abc@192.0.2.1');
  t.is(message.header('I'), 'abc@192.0.2.1');
  t.deepEqual(message.headerValues('Via').length, 2);
  t.deepEqual(
    message.headerFields('v').map((field) => field.rawName),
    ['v', 'VIA'],
  );
  t.deepEqual(message.headerValues('supported'), ['timer', '100rel']);
  t.is(message.header('session-expires'), '1800;refresher=uac');
  t.is(message.header('event'), 'presence');
  t.is(message.headers.find((field) => field.rawName === 'x')?.name, 'session-expires');
  t.deepEqual(message.problems, []);
});

test('folded lines are joined with one space; offsets cover the continuation lines', (t) => {
  const bytes = sipMessage('OPTIONS sip:bob@biloxi.example.com SIP/2.0', [
    ...BASIC_HEADERS.slice(0, 5),
    'CSeq: 1 OPTIONS',
    "Subject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!",
    'Accept: application/sdp,\r\n        application/pkcs7-mime',
  ]);
  const message = messageOf(readDatagram(bytes));
  t.is(message.header('subject'), "I know you're there, pick up the phone and talk to me!");
  t.deepEqual(message.headerValues('accept'), ['application/sdp', 'application/pkcs7-mime']);
  const subject = message.headerFields('subject')[0];
  if (subject === undefined) return t.fail();
  const raw = bytes.subarray(subject.start, subject.end).toString();
  t.is(raw, "Subject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!\r\n");
  t.deepEqual(message.problems, []);
});

test('header offsets are byte offsets even after UTF-8 text', (t) => {
  const message = read([
    'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKutf',
    'From: "Zoë Ünïcødé 世界" <sip:zoe@example.com>;tag=1',
    'To: <sip:bob@biloxi.example.com>',
    'Call-ID: utf8@192.0.2.1',
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
  ]);
  t.is(message.header('from'), '"Zoë Ünïcødé 世界" <sip:zoe@example.com>;tag=1');
  for (const field of message.headers) {
    const raw = message.bytes.subarray(field.start, field.end).toString('utf8');
    t.true(raw.startsWith(`${field.rawName}:`), raw);
    t.true(raw.endsWith('\r\n'));
  }
  // A proxy would splice its Via at the first Via's start offset.
  const via = message.headerFields('via')[0];
  t.is(message.bytes.subarray(0, via?.start).toString(), 'OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n');
  t.is(message.bodyOffset, message.bytes.length);
});

test('headerValues splits on commas outside quotes and <>, across repeated headers in order', (t) => {
  const message = read([
    ...BASIC_HEADERS.slice(0, 5),
    'CSeq: 1 OPTIONS',
    'Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
    'Route: <sip:p3.example.com;lr;x=a,b>',
    'Contact: "Doe, John" <sip:john@192.0.2.4>;q=0.7, <sip:john@192.0.2.5>;expires=60',
    'Date: Sat, 13 Nov 2010 23:29:00 GMT',
    'WWW-Authenticate: Digest realm="atlanta.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", qop="auth"',
  ]);
  t.deepEqual(message.headerValues('route'), [
    '<sip:p1.example.com;lr>',
    '<sip:p2.example.com;lr>',
    '<sip:p3.example.com;lr;x=a,b>',
  ]);
  t.deepEqual(message.headerValues('m'), [
    '"Doe, John" <sip:john@192.0.2.4>;q=0.7',
    '<sip:john@192.0.2.5>;expires=60',
  ]);
  // Not lists: commas are data.
  t.deepEqual(message.headerValues('date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  t.is(message.headerValues('www-authenticate').length, 1);
  t.deepEqual(message.headerValues('x-absent'), []);
  t.deepEqual(message.problems, []);
});

test('splitHeaderValue keeps empty elements and survives an unterminated quote', (t) => {
  t.deepEqual(splitHeaderValue('a,,b'), ['a', '', 'b']);
  t.deepEqual(splitHeaderValue(' "x, \\" y" <sip:a,b> , c '), ['"x, \\" y" <sip:a,b>', 'c']);
  t.deepEqual(splitHeaderValue('"open, quote'), ['"open, quote']);
  // 0xA0 in the latin1 view is a UTF-8 continuation byte, not whitespace: never trimmed.
  t.deepEqual(splitHeaderValue('x\u00a0'), ['x\u00a0']);
});

test('the top Via gives transport, sent-by (IPv6 kept in brackets) and parameters', (t) => {
  const message = read([
    'Via: SIP/2.0/tls [2001:db8::9]:5061;branch=z9hG4bKtop;received=2001:db8::1;rport=6001;maddr=224.2.0.1;ttl=16, SIP/2.0/UDP 192.0.2.2',
    'Via: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKlow',
    ...BASIC_HEADERS.slice(1, 5),
    'CSeq: 1 OPTIONS',
  ]);
  t.deepEqual(message.topVia, {
    transport: 'TLS',
    host: '[2001:db8::9]',
    port: 5061,
    branch: 'z9hG4bKtop',
    received: '2001:db8::1',
    rport: 6001,
    maddr: '224.2.0.1',
  });
  t.deepEqual(
    message.headerValues('via').map((value) => parseVia(value).via?.host),
    ['[2001:db8::9]', '192.0.2.2', '192.0.2.3'],
  );
});

test('parseVia: rport flag, whitespace around separators, unreadable values', (t) => {
  t.deepEqual(parseVia('SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1').via?.rport, true);
  t.deepEqual(parseVia('SIP/2.0/UDP 192.0.2.1').via?.rport, null);
  const spaced = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ;   branch  =   z9hG4bK9ikj8');
  t.deepEqual(spaced.problems, []);
  t.is(spaced.via?.branch, 'z9hG4bK9ikj8');
  t.is(spaced.via?.transport, 'TCP');
  t.is(parseVia('SIP/2.0/ UDP 192.0.2.1').via?.transport, 'UDP');
  t.is(parseVia('garbage').via, null);
  t.is(parseVia('SIP/2.0/UDP').via, null);
  t.regex(parseVia('SIP/2.0/UDP 192.0.2.1;rport=x').problems[0] ?? '', /rport 'x'/);
  t.regex(parseVia('SIP/2.0/UDP 192.0.2.1:99999').problems[0] ?? '', /port '99999'/);
  t.regex(parseVia('SIP/2.0/UDP 192.0.2.1;branch=a;branch=b').problems[0] ?? '', /branch appears twice/);
  t.regex(parseVia('SIP/3.0/UDP 192.0.2.1').problems[0] ?? '', /not SIP\/2.0/);
});

test('scan problems: header line without colon, bad header name, bare CR', (t) => {
  const text = sipMessage('OPTIONS sip:bob@biloxi.example.com SIP/2.0', [
    ...BASIC_HEADERS.slice(0, 5),
    'CSeq: 1 OPTIONS',
    'This line has no colon',
    'Bad Name: x',
    'X-Injected: a\rVia: SIP/2.0/UDP evil.example.com',
  ]);
  const message = messageOf(readDatagram(text));
  const reasons = message.problems.map((problem) => problem.reason);
  t.true(reasons.some((reason) => /header line without ':'/.test(reason)));
  t.true(reasons.some((reason) => /header name 'Bad Name' is not a token/.test(reason)));
  t.true(reasons.some((reason) => /bare CR inside a header line/.test(reason)));
  // The bare CR does not start a header: there is one Via.
  t.is(message.headerFields('via').length, 1);
  const evidence = message.problems.find((problem) => problem.reason.startsWith('header line'))?.evidence;
  t.is(evidence, 'This line has no colon');
});

test('mandatory headers: requests and responses, with Max-Forwards exempt', (t) => {
  const request = read(['Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', 'CSeq: 1 OPTIONS']);
  t.regex(request.problems[0]?.reason ?? '', /^request lacks mandatory header To, From, Call-ID/);
  const noMaxForwards = read(
    BASIC_HEADERS.filter((line) => !line.startsWith('Max-Forwards')),
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
  );
  t.deepEqual(noMaxForwards.problems, []);
  const response = read(['CSeq: 1 OPTIONS', 'Call-ID: x@y'], 'SIP/2.0 200 OK');
  t.regex(response.problems[0]?.reason ?? '', /^response lacks mandatory header To, From, Via/);
});

test('Content-Type must accompany a body; values are UTF-8 decoded', (t) => {
  const message = read(BASIC_HEADERS, 'INVITE sip:bob@biloxi.example.com SIP/2.0', 'hello');
  t.regex(message.problems[0]?.reason ?? '', /a body of 5 bytes without Content-Type/);
  t.is(message.contentType, null);
  const typed = read(
    [...BASIC_HEADERS, 'c: Application/SDP ; charset=utf-8'],
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'v=0\r\n',
  );
  t.is(typed.contentType, 'application/sdp');
});

test('long runs of whitespace in folded values and display names are read without backtracking blow-up', (t) => {
  const spaces = ' '.repeat(200_000);
  const message = read([
    ...BASIC_HEADERS.slice(0, 2),
    `To: ${spaces}x <sip:bob@biloxi.example.com>`,
    ...BASIC_HEADERS.slice(3, 5),
    'CSeq: 1 OPTIONS',
    `Subject: a${spaces}b\r\n${spaces}c`,
  ]);
  t.is(message.header('subject')?.length, 200_004);
  t.true(message.header('subject')?.endsWith('b c'));
  t.deepEqual(message.problems, []);
});

test('a flood of broken lines gives a bounded list of problems', (t) => {
  const message = read([
    ...BASIC_HEADERS.slice(0, 5),
    'CSeq: 1 OPTIONS',
    ...Array.from({ length: 500 }, (_, i) => `no colon ${i}`),
    ...Array.from({ length: 500 }, (_, i) => `Bad Name ${i}: x`),
  ]);
  t.is(message.problems.length, 32);
  t.regex(
    message.problems[0]?.reason ?? '',
    /header line without ':' \(not a header field\); 500 such lines/,
  );
  t.regex(message.problems[31]?.reason ?? '', /^470 more problems not listed$/);
});
