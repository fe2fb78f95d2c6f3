/**
 * The proxy's own responses (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq copied byte for
 * byte, the To copied and given a stable tag of ours when it has none, no body, and a reason
 * phrase that stays on its line.
 */
import test from 'ava';
import { PRODUCT, safeReason, statelessResponse } from '../../src/proxy/stateless-response.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { SipMessage } from '../../src/sip/message.js';

const VIA_1 = 'Via: SIP/2.0/UDP edge.example.com:5060;branch=z9hG4bK-top;received=192.0.2.4';
/** A compact, folded Via: the continuation line must come back as it was. */
const VIA_2 = 'v:  SIP/2.0/TCP 192.0.2.1:5060\r\n\t;branch=z9hG4bK-folded ;rport=5062';
const FROM = 'From: "Alic\xe9" <sip:alice@atlanta.example.com>;tag=1928301774';
const TO = 'To:Bob <sip:bob@biloxi.example.com>';
const CALL_ID = 'i: a84b4c76e66710@pc33.atlanta.example.com';
const CSEQ = 'CSeq:   314159  INVITE';
const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';

function requestBytes(to = TO, callId = CALL_ID, cseq = CSEQ): Buffer {
  const head = [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    VIA_1,
    'Max-Forwards: 70',
    VIA_2,
    to,
    FROM,
    callId,
    cseq,
    'Contact: <sip:alice@pc33.atlanta.example.com>',
    'Content-Type: application/sdp',
    `Content-Length: ${SDP.length}`,
  ].join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${SDP}`, 'latin1');
}

function read(bytes: Buffer): SipMessage {
  const result = readDatagram(bytes);
  if (!result.ok) throw new Error(`unreadable: ${result.reason}`);
  return result.message;
}

/** The response's lines, split on CRLF not followed by a continuation (so folded lines stay one). */
function headerLines(response: Buffer): string[] {
  return response.toString('latin1').split(/\r\n(?![ \t])/);
}

test('Via, From, Call-ID and CSeq lines equal the request lines byte for byte, in order', (t) => {
  const request = read(requestBytes());
  const response = statelessResponse(request, 400, 'Bad Request');
  const lines = headerLines(response);
  t.regex(lines[3] ?? '', /^To:Bob <sip:bob@biloxi\.example\.com>;tag=tg[A-Za-z0-9_-]{12}$/);
  t.deepEqual(
    [...lines.slice(0, 3), ...lines.slice(4)],
    [
      'SIP/2.0 400 Bad Request',
      VIA_1,
      VIA_2,
      FROM,
      CALL_ID,
      CSEQ,
      `Server: ${PRODUCT}`,
      'Content-Length: 0',
      '',
      '',
    ],
  );
  // Byte level: the folded compact Via and the latin-1 display name came through unchanged.
  t.true(response.includes(Buffer.from(`\r\n${VIA_1}\r\n${VIA_2}\r\n`, 'latin1')));
  t.true(response.includes(Buffer.from(`\r\n${FROM}\r\n`, 'latin1')));
  t.is(PRODUCT, 'trunkguard');
});

test('a To without a tag gets ;tag=tg… of ours; the same request twice gets the same tag', (t) => {
  const first = headerLines(statelessResponse(read(requestBytes()), 488, 'Not Acceptable Here'));
  const again = headerLines(statelessResponse(read(requestBytes()), 488, 'Not Acceptable Here'));
  const to = first[3] ?? '';
  t.regex(to, /^To:Bob <sip:bob@biloxi\.example\.com>;tag=tg[A-Za-z0-9_-]{12}$/);
  t.is(again[3], to);
  // Another request (another CSeq number) gets another tag.
  const other = headerLines(
    statelessResponse(read(requestBytes(TO, CALL_ID, 'CSeq: 314160 INVITE')), 488, 'x'),
  );
  t.regex(other[3] ?? '', /;tag=tg[A-Za-z0-9_-]{12}$/);
  t.not(other[3], to);
});

test('a To with a tag is copied unchanged (folding and spacing kept)', (t) => {
  for (const to of [
    'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
    't: <sip:bob@biloxi.example.com> ;TAG=x1',
    'To: Bob <sip:bob@biloxi.example.com>\r\n ;tag=folded',
  ]) {
    const lines = headerLines(statelessResponse(read(requestBytes(to)), 482, 'Loop Detected'));
    t.is(lines[3], to);
    t.is(lines.filter((line) => /^(To|t):/.test(line)).length, 1);
  }
});

test('a tag inside the To URI is not a To tag: ours is added', (t) => {
  const to = 'To: <sip:bob@biloxi.example.com;tag=uri-param>';
  const line = headerLines(statelessResponse(read(requestBytes(to)), 400, 'x'))[3] ?? '';
  t.regex(line, /^To: <sip:bob@biloxi\.example\.com;tag=uri-param>;tag=tg[A-Za-z0-9_-]{12}$/);
});

test('no body: Content-Length 0 and nothing after the blank line; other request headers left out', (t) => {
  const response = statelessResponse(read(requestBytes()), 513, 'Message Too Large');
  const text = response.toString('latin1');
  t.true(text.endsWith('\r\nContent-Length: 0\r\n\r\n'));
  t.false(text.includes('Content-Type'));
  t.false(text.includes('Max-Forwards'));
  t.false(text.includes('Contact'));
  t.false(text.includes('m=audio'));
});

test('extraHeaders come after the copied lines, before Server and Content-Length', (t) => {
  const response = statelessResponse(read(requestBytes()), 488, 'Not Acceptable Here', {
    extraHeaders: [
      'Warning: 399 trunkguard "offer refused by policy: srtp-not-negotiated"',
      'Retry-After: 30',
    ],
  });
  const lines = headerLines(response);
  t.deepEqual(lines.slice(7), [
    'Warning: 399 trunkguard "offer refused by policy: srtp-not-negotiated"',
    'Retry-After: 30',
    'Server: trunkguard',
    'Content-Length: 0',
    '',
    '',
  ]);
  const message = read(response);
  t.is(message.header('warning'), '399 trunkguard "offer refused by policy: srtp-not-negotiated"');
  t.is(message.header('retry-after'), '30');
});

test('the response reads back as a response with the status, reason and copied fields, no problem', (t) => {
  const request = read(requestBytes());
  const message = read(statelessResponse(request, 505, 'Version Not Supported'));
  t.is(message.kind, 'response');
  t.is(message.status, 505);
  t.is(message.reason, 'Version Not Supported');
  t.is(message.version, 'SIP/2.0');
  t.deepEqual(message.problems, []);
  t.is(message.callId, request.callId);
  t.deepEqual(message.cseq, { number: 314159, method: 'INVITE' });
  t.deepEqual(message.headerValues('via'), request.headerValues('via'));
  t.deepEqual(message.headerValues('via'), [
    'SIP/2.0/UDP edge.example.com:5060;branch=z9hG4bK-top;received=192.0.2.4',
    'SIP/2.0/TCP 192.0.2.1:5060 ;branch=z9hG4bK-folded ;rport=5062',
  ]);
  t.is(message.header('from'), request.header('from'));
  t.is(message.contentLength, 0);
  t.is(message.body.length, 0);
  t.is(message.header('server'), 'trunkguard');
});

test('safeReason: CR, LF and NUL become one space; the phrase is cut at 200 characters', (t) => {
  t.is(safeReason('Bad Request'), 'Bad Request');
  t.is(safeReason('Bad\r\nX-Injected: yes'), 'Bad X-Injected: yes');
  t.is(safeReason('a\rb\nc\0d'), 'a b c d');
  t.is(safeReason('a\r\n\r\n\0b'), 'a b');
  t.is(safeReason('tab\tstays'), 'tab\tstays');
  t.is(safeReason('x'.repeat(300)), 'x'.repeat(200));
  t.is(safeReason(''), '');
});

test('a reason with CR/LF in it cannot add a header line to the response', (t) => {
  const response = statelessResponse(read(requestBytes()), 400, 'Bad\r\nX-Injected: yes\r\n\r\nbody');
  const lines = headerLines(response);
  t.is(lines[0], 'SIP/2.0 400 Bad X-Injected: yes body');
  const message = read(response);
  t.is(message.reason, 'Bad X-Injected: yes body');
  t.is(message.header('x-injected'), undefined);
  t.deepEqual(message.problems, []);
});

test('a reason with characters beyond Latin-1 still gives a one-line status line', (t) => {
  // RFC 3261 §25.1: Reason-Phrase has no CR or LF. U+010D/U+010A and U+200D (zero width joiner,
  // common in emoji) end in the bytes 0x0D/0x0A: the status line must not break on them.
  const plain = statelessResponse(read(requestBytes()), 400, 'Bad');
  const crlfs = (bytes: Buffer) => bytes.toString('latin1').split('\r\n').length;
  for (const reason of ['Bad \u010d\u010aX-Injected: yes', 'family \u{1F468}\u200d\u{1F469}']) {
    const response = statelessResponse(read(requestBytes()), 400, reason);
    const label = `${JSON.stringify(reason)}: status line ${JSON.stringify(response.subarray(0, 40).toString('latin1'))}`;
    // The status line ends where the first Via line starts, and no line was added anywhere.
    t.is(response.indexOf('\r\n'), response.indexOf(`\r\n${VIA_1}\r\n`), label);
    t.is(response.indexOf(0x0a), response.indexOf('\r\n') + 1, label);
    t.is(crlfs(response), crlfs(plain), label);
    t.is(read(response).header('x-injected'), undefined, label);
  }
});
