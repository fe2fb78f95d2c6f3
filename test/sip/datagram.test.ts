/**
 * One message per UDP datagram (RFC 3261 §18.3).
 */
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import { BASIC_HEADERS, fixture, messageOf, SIMPLE_SDP, sipMessage } from './fixtures.js';

const invite = sipMessage(
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  [...BASIC_HEADERS, 'Content-Type: application/sdp'],
  SIMPLE_SDP,
);

test('a well-formed INVITE: start line, headers, body by Content-Length, no problem', (t) => {
  const message = messageOf(readDatagram(invite));
  t.is(message.kind, 'request');
  t.is(message.method, 'INVITE');
  t.is(message.requestUri, 'sip:bob@biloxi.example.com');
  t.is(message.version, 'SIP/2.0');
  t.is(message.startLine, 'INVITE sip:bob@biloxi.example.com SIP/2.0');
  t.is(message.status, null);
  t.is(message.body.toString(), SIMPLE_SDP);
  t.is(message.bodyOffset, invite.length - Buffer.byteLength(SIMPLE_SDP));
  t.is(message.contentLength, Buffer.byteLength(SIMPLE_SDP));
  t.is(message.contentType, 'application/sdp');
  t.deepEqual(message.cseq, { number: 314159, method: 'INVITE' });
  t.deepEqual(message.problems, []);
  t.is(message.bytes.buffer, invite.buffer, 'a view of the datagram, not a copy');
});

test('extra bytes after Content-Length are not part of the message (RFC 4475 dblreq.dat)', (t) => {
  const datagram = Buffer.concat([invite, Buffer.from('INVITE sip:smuggled@example.com SIP/2.0\r\n\r\n')]);
  const message = messageOf(readDatagram(datagram));
  t.true(message.bytes.equals(invite));
  t.deepEqual(message.problems, []);
});

test('no Content-Length on UDP: the body runs to the end of the datagram, no problem', (t) => {
  const text = invite.toString().replace(/Content-Length: \d+\r\n/, '');
  const message = messageOf(readDatagram(Buffer.from(text)));
  t.is(message.contentLength, null);
  t.is(message.body.toString(), SIMPLE_SDP);
  t.deepEqual(message.problems, []);
});

test('Content-Length beyond the datagram: problem, and the truncated body is kept for inspection', (t) => {
  const text = invite.toString().replace(/Content-Length: \d+/, 'Content-Length: 4000');
  const message = messageOf(readDatagram(Buffer.from(text)));
  t.is(message.contentLength, 4000);
  t.is(message.body.toString(), SIMPLE_SDP);
  t.is(message.problems[0]?.code, 'content-length-mismatch');
  t.is(message.problems[0]?.evidence, 'Content-Length: 4000');
});

test('a Content-Length too large for a number is still a mismatch, not a crash', (t) => {
  const text = invite.toString().replace(/Content-Length: \d+/, `Content-Length: ${'9'.repeat(400)}`);
  const message = messageOf(readDatagram(Buffer.from(text)));
  t.is(message.contentLength, Number.POSITIVE_INFINITY);
  t.is(message.problems[0]?.code, 'content-length-mismatch');
  t.true((message.problems[0]?.evidence ?? '').length <= 301, 'evidence is bounded');
});

test('CRLF-only and empty datagrams are keep-alives, not messages', (t) => {
  for (const bytes of [Buffer.from('\r\n\r\n'), Buffer.from('\r\n'), Buffer.alloc(0)]) {
    const result = readDatagram(bytes);
    t.false(result.ok);
    if (!result.ok) t.is(result.failure, 'keep-alive');
  }
});

test('CRLFs before the start line are skipped; the message bytes start at the start line', (t) => {
  const message = messageOf(readDatagram(Buffer.concat([Buffer.from('\r\n\r\n'), invite])));
  t.true(message.bytes.equals(invite));
  t.deepEqual(message.problems, []);
});

test('a datagram that ends inside the header section is read, with a problem', (t) => {
  const head = invite.subarray(0, invite.indexOf('Content-Type'));
  const message = messageOf(readDatagram(head));
  t.is(message.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  t.is(message.body.length, 0);
  t.regex(message.problems[0]?.reason ?? '', /not closed by an empty line/);
});

test('a response: status, reason, no method', (t) => {
  const message = messageOf(readDatagram(fixture('rfc4475/bcast.dat')));
  t.is(message.kind, 'response');
  t.is(message.status, 200);
  t.is(message.reason, 'OK');
  t.is(message.method, null);
  t.is(message.requestUri, null);
});

test('non-SIP bytes are refused with a reason', (t) => {
  for (const text of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\u0000\u0001\u0000\u0002 STUN', 'hello']) {
    const result = readDatagram(Buffer.from(text, 'latin1'));
    t.false(result.ok, text);
    if (!result.ok) {
      t.is(result.failure, 'start-line');
      t.true(result.reason.length > 0);
    }
  }
});

test('JSON of a message: the parsed view and header values, never the body', (t) => {
  const message = messageOf(readDatagram(invite));
  const json = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  t.is(json.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  t.is(json.bodyLength, Buffer.byteLength(SIMPLE_SDP));
  t.false(JSON.stringify(message).includes('m=audio'));
  const headers = json.headers as { name: string; rawName: string; value: string }[];
  t.deepEqual(headers[0], {
    name: 'via',
    rawName: 'Via',
    value: 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
    start: 43,
    end: 100,
  });
});
