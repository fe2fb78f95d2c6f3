/**
 * answerUnreadable: a request the reader rejected still gets an answer built from its own Via,
 * From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2) when those are readable: 400 for a broken
 * start line, 505 for another SIP version, 513 when too large. Responses, ACKs and requests
 * without the fields get none. The failures come from the real reader.
 */
import test from 'ava';
import { answerUnreadable, statusForFailure } from '../../src/proxy/unreadable-answer.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { ReadFailure, SipMessage } from '../../src/sip/message.js';

const VIA_1 = 'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-broken-1;rport';
const VIA_2 = 'Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-broken-0';
const FROM = 'From: <sip:+14155550100@pbx.example.com>;tag=pbx1';
const TO = 'To: <sip:+14155550199@trunk.example.com>';
const CALL_ID = 'Call-ID: broken-1@pbx.example.com';

function bytesOf(startLine: string, headers: readonly string[]): Buffer {
  return Buffer.from(`${[startLine, ...headers, 'Content-Length: 0'].join('\r\n')}\r\n\r\n`, 'latin1');
}

const HEADERS = [VIA_1, VIA_2, 'Max-Forwards: 70', FROM, TO, CALL_ID, 'CSeq: 7 INVITE'];

/** What the reader says about these bytes: they must be rejected. */
function rejected(bytes: Buffer): { bytes: Buffer; failure: ReadFailure | undefined; reason: string } {
  const result = readDatagram(bytes);
  if (result.ok) throw new Error('the reader accepted the test bytes');
  return { bytes: result.bytes, failure: result.failure, reason: result.reason };
}

function answerTo(startLine: string, headers: readonly string[] = HEADERS): Buffer | null {
  const { bytes, failure, reason } = rejected(bytesOf(startLine, headers));
  return answerUnreadable(bytes, failure, reason);
}

function read(bytes: Buffer | null): SipMessage {
  if (bytes === null) throw new Error('no answer');
  const result = readDatagram(bytes);
  if (!result.ok) throw new Error(`the answer is unreadable: ${result.reason}`);
  return result.message;
}

test('statusForFailure: 400, 505, 513, or no answer', (t) => {
  t.deepEqual(statusForFailure('start-line'), [400, 'Bad Request']);
  t.deepEqual(statusForFailure('framing-lost'), [400, 'Bad Request']);
  t.deepEqual(statusForFailure('internal-error'), [400, 'Bad Request']);
  t.deepEqual(statusForFailure('sip-version'), [505, 'Version Not Supported']);
  t.deepEqual(statusForFailure('too-large'), [513, 'Message Too Large']);
  t.is(statusForFailure('keep-alive'), null);
  t.is(statusForFailure('truncated'), null);
  t.is(statusForFailure(undefined), null);
});

test('a broken start line with readable headers: 400 with the request Vias, From, To, Call-ID, CSeq', (t) => {
  const { bytes, failure, reason } = rejected(
    bytesOf('INVITE  sip:+14155550199@trunk.example.com SIP/2.0', HEADERS),
  );
  t.is(failure, 'start-line');
  const answer = answerUnreadable(bytes, failure, reason);
  const message = read(answer);
  t.is(message.kind, 'response');
  t.is(message.status, 400);
  // The reader's reason is in the phrase (compared up to its first non-ASCII character, '§').
  t.true(reason.startsWith('Request-Line elements are separated by more than one SP'), reason);
  t.true(message.reason?.startsWith('Bad Request (Request-Line elements are separated by more than one SP'));
  t.true(message.reason?.endsWith(')'));
  t.deepEqual(message.problems, []);
  t.deepEqual(message.headerValues('via'), [
    'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-broken-1;rport',
    'SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-broken-0',
  ]);
  t.is(message.callId, 'broken-1@pbx.example.com');
  t.deepEqual(message.cseq, { number: 7, method: 'INVITE' });
  t.is(message.header('from'), '<sip:+14155550100@pbx.example.com>;tag=pbx1');
  t.regex(message.header('to') ?? '', /^<sip:\+14155550199@trunk\.example\.com>;tag=tg[A-Za-z0-9_-]{12}$/);
  t.is(message.contentLength, 0);
  // The Via lines are the request's, byte for byte, in order.
  t.true((answer ?? Buffer.alloc(0)).includes(Buffer.from(`\r\n${VIA_1}\r\n${VIA_2}\r\n`)));
});

test('other broken start lines get a 400 too', (t) => {
  for (const startLine of [
    'garbage',
    'INV@ITE sip:x@example.com SIP/2.0',
    'INVITE sip:x@example.com SIP/2.0 extra',
  ]) {
    const message = read(answerTo(startLine));
    t.is(message.status, 400, startLine);
    t.is(message.callId, 'broken-1@pbx.example.com', startLine);
  }
});

test('a SIP/7.0 request line: 505 Version Not Supported (RFC 3261 §21.5.6)', (t) => {
  const { bytes, failure, reason } = rejected(
    bytesOf('INVITE sip:+14155550199@trunk.example.com SIP/7.0', HEADERS),
  );
  t.is(failure, 'sip-version');
  const message = read(answerUnreadable(bytes, failure, reason));
  t.is(message.status, 505);
  t.is(message.reason, `Version Not Supported (${reason})`);
  t.is(message.version, 'SIP/2.0');
  t.is(message.callId, 'broken-1@pbx.example.com');
  t.is(message.headerValues('via').length, 2);
  t.deepEqual(message.problems, []);
});

test('too large: 513 Message Too Large (RFC 3261 §21.5.7)', (t) => {
  const bytes = bytesOf('OPTIONS sip:trunk.example.com SIP/2.0', [...HEADERS.slice(0, 6), 'CSeq: 9 OPTIONS']);
  const message = read(answerUnreadable(bytes, 'too-large', 'over 65535 bytes'));
  t.is(message.status, 513);
  t.is(message.reason, 'Message Too Large (over 65535 bytes)');
  t.deepEqual(message.cseq, { number: 9, method: 'OPTIONS' });
});

test('bytes that look like a response get no answer (RFC 3261 §18.3)', (t) => {
  const headers = [VIA_1, FROM, `${TO};tag=x`, CALL_ID, 'CSeq: 7 INVITE'];
  for (const statusLine of ['SIP/7.0 200 OK', 'sip/7.0 486 Busy Here', 'SIP/2.0 2000 OK', 'SIP/2.0 OK']) {
    const { bytes, failure, reason } = rejected(bytesOf(statusLine, headers));
    t.not(statusForFailure(failure), null, `${statusLine}: a failure that would be answered in a request`);
    t.is(answerUnreadable(bytes, failure, reason), null, statusLine);
  }
});

test('an ACK is never answered (RFC 3261 §17)', (t) => {
  const headers = [VIA_1, FROM, `${TO};tag=tw1`, CALL_ID, 'CSeq: 7 ACK'];
  t.is(answerTo('ACK sip:+14155550199@trunk.example.com SIP/7.0', headers), null);
  t.is(answerTo('ACK  sip:+14155550199@trunk.example.com SIP/2.0', headers), null);
});

test('no Via, or no From, To, Call-ID or CSeq: no answer', (t) => {
  const startLine = 'INVITE sip:+14155550199@trunk.example.com SIP/7.0';
  t.is(
    answerTo(
      startLine,
      HEADERS.filter((line) => !line.startsWith('Via:')),
    ),
    null,
    'no Via',
  );
  for (const name of ['From:', 'To:', 'Call-ID:', 'CSeq:']) {
    t.is(
      answerTo(
        startLine,
        HEADERS.filter((line) => !line.startsWith(name)),
      ),
      null,
      name,
    );
  }
  t.is(
    answerTo(startLine, [...HEADERS.filter((line) => !line.startsWith('CSeq:')), 'CSeq: seven INVITE']),
    null,
  );
});

test('no line end at all, or headers that do not read: no answer', (t) => {
  t.is(answerUnreadable(Buffer.from('INVITE sip:x SIP/7.0'), 'sip-version', 'x'), null);
  const noHeaders = Buffer.from('INVITE sip:x SIP/7.0\r\nthis is not a header\r\n\r\n');
  t.is(answerUnreadable(noHeaders, 'sip-version', 'x'), null);
});

test('failures that are never answered: keep-alive, truncated, unknown', (t) => {
  const bytes = bytesOf('INVITE sip:+14155550199@trunk.example.com SIP/7.0', HEADERS);
  t.is(answerUnreadable(bytes, 'keep-alive', 'x'), null);
  t.is(answerUnreadable(bytes, 'truncated', 'x'), null);
  t.is(answerUnreadable(bytes, undefined, 'x'), null);
});
