/**
 * TCP/TLS framing: several messages per chunk, messages split across chunks, CRLF
 * keep-alives, missing Content-Length, oversize messages, lost framing.
 */
import test from 'ava';
import type { ReadResult } from '../../src/sip/message.js';
import { readMessageBytes } from '../../src/sip/read-message.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { BASIC_HEADERS, fixture, messageOf, SIMPLE_SDP, sipMessage } from './fixtures.js';

const invite = sipMessage(
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  [...BASIC_HEADERS, 'Content-Type: application/sdp'],
  SIMPLE_SDP,
);
const ack = sipMessage('ACK sip:bob@biloxi.example.com SIP/2.0', [
  'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKack1',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 ACK',
]);
const ok200 = sipMessage(
  'SIP/2.0 200 OK',
  [
    'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhds;received=192.0.2.1',
    'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
    'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    'CSeq: 314159 INVITE',
    'Content-Type: application/sdp',
  ],
  SIMPLE_SDP.replace('192.0.2.1', '198.51.100.9'),
);

function bytesOf(results: readonly ReadResult[]): Buffer[] {
  return results.map((result) => (result.ok ? result.message.bytes : result.bytes));
}

test('several messages in one chunk come out in order, byte for byte', (t) => {
  const framer = new StreamFramer();
  const results = framer.push(Buffer.concat([invite, ok200, ack]));
  t.is(results.length, 3);
  t.deepEqual(bytesOf(results), [invite, ok200, ack]);
  const [first, second, third] = results.map(messageOf);
  t.is(first?.method, 'INVITE');
  t.is(second?.status, 200);
  t.is(third?.method, 'ACK');
  t.is(first?.body.toString(), SIMPLE_SDP);
  t.deepEqual(first?.problems, []);
  t.is(framer.buffered, 0);
  t.deepEqual(framer.end(), []);
});

test('a message split at every byte boundary gives the same message', (t) => {
  const stream = Buffer.concat([invite, ack]);
  for (let cut = 1; cut < stream.length; cut++) {
    const framer = new StreamFramer();
    const results = [
      ...framer.push(stream.subarray(0, cut)),
      ...framer.push(stream.subarray(cut)),
      ...framer.end(),
    ];
    t.deepEqual(bytesOf(results), [invite, ack], `cut at ${cut}`);
  }
});

test('byte-by-byte delivery gives the same messages', (t) => {
  const stream = Buffer.concat([invite, ok200, ack]);
  const framer = new StreamFramer();
  const results: ReadResult[] = [];
  for (let i = 0; i < stream.length; i++) results.push(...framer.push(stream.subarray(i, i + 1)));
  t.deepEqual(bytesOf(results), [invite, ok200, ack]);
});

test('messages handed out earlier are not changed by later pushes', (t) => {
  const framer = new StreamFramer();
  // The partial INVITE is held, then completed together with a partial 200 (store reused).
  const first = framer.push(Buffer.concat([ack, invite.subarray(0, 100)]));
  const second = framer.push(Buffer.concat([invite.subarray(100), ok200.subarray(0, 50)]));
  const third = framer.push(ok200.subarray(50));
  framer.push(Buffer.concat([ack, ack.subarray(0, 10)]));
  t.deepEqual(bytesOf([...first, ...second, ...third]), [ack, invite, ok200]);
});

test('CRLF keep-alives between messages are skipped; double-CRLF pings are reported', (t) => {
  let pings = 0;
  const framer = new StreamFramer({ onPing: () => pings++ });
  const stream = Buffer.concat([
    Buffer.from('\r\n\r\n'), // ping (RFC 5626 §3.5.1)
    invite,
    Buffer.from('\r\n'), // pong
    ack,
    Buffer.from('\r\n\r\n\r\n\r\n'), // two pings
  ]);
  const results = [
    ...framer.push(stream.subarray(0, 3)),
    ...framer.push(stream.subarray(3)),
    ...framer.end(),
  ];
  t.deepEqual(bytesOf(results), [invite, ack]);
  t.is(pings, 3);
  t.is(framer.buffered, 0);
});

test('a message without Content-Length on a stream: problem, empty body, and the stream goes on', (t) => {
  const noLength = Buffer.from(ack.toString().replace('Content-Length: 0\r\n', ''));
  const framer = new StreamFramer();
  const results = [...framer.push(Buffer.concat([noLength, ack])), ...framer.end()];
  t.is(results.length, 2);
  const first = messageOf(results[0] as ReadResult);
  t.is(first.contentLength, null);
  t.is(first.body.length, 0);
  t.deepEqual(
    first.problems.map((problem) => problem.code),
    ['content-length-mismatch'],
  );
  t.regex(first.problems[0]?.reason ?? '', /no Content-Length on a stream transport/);
  t.true(messageOf(results[1] as ReadResult).bytes.equals(ack));
});

test('a body sent without Content-Length on a stream is not taken as body; what follows is reported', (t) => {
  const text = sipMessage(
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    [...BASIC_HEADERS, 'Content-Type: application/sdp'],
    SIMPLE_SDP,
  )
    .toString()
    .replace(/Content-Length: \d+\r\n/, '');
  const framer = new StreamFramer();
  const results = [...framer.push(Buffer.from(text)), ...framer.end()];
  t.is(results.length, 2);
  t.is(messageOf(results[0] as ReadResult).body.length, 0);
  const tail = results[1];
  t.false(tail?.ok);
  if (tail !== undefined && !tail.ok) {
    t.is(tail.failure, 'truncated');
    t.true(tail.bytes.toString().startsWith('v=0'));
  }
});

test('Content-Length counts bytes, not characters', (t) => {
  const body = 'Grüße, 世界 ✓\r\n';
  const message = sipMessage(
    'MESSAGE sip:bob@biloxi.example.com SIP/2.0',
    [...BASIC_HEADERS.slice(0, 5), 'CSeq: 1 MESSAGE', 'Content-Type: text/plain;charset=utf-8'],
    body,
  );
  const framer = new StreamFramer();
  const results = framer.push(Buffer.concat([message, ack]));
  t.is(results.length, 2);
  const first = messageOf(results[0] as ReadResult);
  t.is(first.contentLength, Buffer.byteLength(body));
  t.is(first.body.toString('utf8'), body);
  t.true(messageOf(results[1] as ReadResult).bytes.equals(ack));
});

test('an oversize message with a known Content-Length is refused and its body skipped in sync', (t) => {
  const big = sipMessage(
    'MESSAGE sip:bob@biloxi.example.com SIP/2.0',
    [...BASIC_HEADERS, 'Content-Type: text/plain'],
    'x'.repeat(5000),
  );
  const framer = new StreamFramer({ maxMessageSize: 2000 });
  const stream = Buffer.concat([invite, big, ack]);
  const results: ReadResult[] = [];
  for (let i = 0; i < stream.length; i += 700) results.push(...framer.push(stream.subarray(i, i + 700)));
  t.is(results.length, 3);
  t.true(messageOf(results[0] as ReadResult).bytes.equals(invite));
  const refused = results[1];
  if (refused === undefined || refused.ok) return t.fail();
  t.is(refused.failure, 'too-large');
  t.regex(refused.reason, /exceeds the 2000-byte maximum; its body is skipped/);
  t.true(refused.bytes.toString().startsWith('MESSAGE sip:bob@biloxi.example.com SIP/2.0'));
  t.true(messageOf(results[2] as ReadResult).bytes.equals(ack));
  t.is(framer.broken, null);
});

test('a header section that does not end within the maximum size breaks the framer', (t) => {
  const framer = new StreamFramer({ maxMessageSize: 1024 });
  const flood = Buffer.from(
    `INVITE sip:a@b SIP/2.0\r\n${'X-Flood: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(100)}`,
  );
  const results = framer.push(flood);
  t.is(results.length, 1);
  const result = results[0];
  if (result === undefined || result.ok) return t.fail();
  t.is(result.failure, 'too-large');
  t.regex(result.reason, /no end of the header section within the first 1024 bytes.*close the connection/);
  t.not(framer.broken, null);
  t.deepEqual(framer.push(ack), []);
  t.is(framer.buffered, 0);
});

test('buffered bytes stay bounded by the maximum message size', (t) => {
  const framer = new StreamFramer({ maxMessageSize: 4096 });
  for (let i = 0; i < 100 && framer.broken === null; i++) {
    framer.push(Buffer.from('X-Padding: 0123456789abcdef0123456789abcdef\r\n'));
    t.true(framer.buffered < 4096);
  }
  t.not(framer.broken, null);
});

test('a Content-Length that is not a number loses the framing (RFC 4475 ncl.dat over TCP)', (t) => {
  const framer = new StreamFramer();
  const results = framer.push(fixture('rfc4475/ncl.dat'));
  t.is(results.length, 1);
  const result = results[0];
  if (result === undefined || result.ok) return t.fail();
  t.is(result.failure, 'framing-lost');
  t.regex(result.reason, /Content-Length '-999' is not a decimal number/);
  t.regex(framer.broken ?? '', /-999/);
  t.deepEqual(framer.end(), []);
  t.is(framer.broken, null, 'end() resets the framer');
});

test('conflicting Content-Length headers lose the framing (RFC 4475 mcl01.dat over TCP)', (t) => {
  const framer = new StreamFramer();
  const results = framer.push(fixture('rfc4475/mcl01.dat'));
  t.is(results.length, 1);
  const result = results[0];
  if (result === undefined || result.ok) return t.fail();
  t.is(result.failure, 'framing-lost');
  t.regex(result.reason, /conflicting Content-Length values \(13, 5\)/);
});

test('agreeing duplicate Content-Length headers frame, with a problem', (t) => {
  const text = invite
    .toString()
    .replace('Content-Type:', `Content-Length: ${Buffer.byteLength(SIMPLE_SDP)}\r\nContent-Type:`);
  const framer = new StreamFramer();
  const results = framer.push(Buffer.concat([Buffer.from(text), ack]));
  t.is(results.length, 2);
  const first = messageOf(results[0] as ReadResult);
  t.deepEqual(
    first.problems.map((problem) => problem.code),
    ['duplicate-content-length'],
  );
  t.regex(first.problems[0]?.reason ?? '', /the values agree/);
});

test('a bad start line with a usable Content-Length is refused alone; framing goes on', (t) => {
  const framer = new StreamFramer();
  const bad = Buffer.from(
    invite
      .toString()
      .replace('INVITE sip:bob@biloxi.example.com SIP/2.0', 'INVITE  sip:bob@biloxi.example.com SIP/2.0'),
  );
  const results = framer.push(Buffer.concat([bad, fixture('rfc4475/badvers.dat'), ack]));
  t.is(results.length, 3);
  const [first, second, third] = results;
  t.is(first?.ok === false ? first.failure : 'ok', 'start-line');
  t.true(first?.ok === false && first.bytes.equals(bad));
  t.is(second?.ok === false ? second.failure : 'ok', 'sip-version');
  t.true(third?.ok === true && third.message.bytes.equals(ack));
});

test('the end of the stream inside a message is reported once', (t) => {
  const framer = new StreamFramer();
  t.deepEqual(framer.push(invite.subarray(0, invite.length - 10)), []);
  t.true(framer.buffered > 0);
  const results = framer.end();
  t.is(results.length, 1);
  t.is(results[0]?.ok === false ? results[0].failure : 'ok', 'truncated');
  t.deepEqual(framer.end(), []);
});

test('bare-LF messages are framed on a stream too, with a problem', (t) => {
  const lf = Buffer.from(ack.toString().replace(/\r\n/g, '\n'));
  const framer = new StreamFramer();
  const results = framer.push(Buffer.concat([lf, ack]));
  t.is(results.length, 2);
  t.regex(messageOf(results[0] as ReadResult).problems[0]?.reason ?? '', /bare LF/);
  t.true(messageOf(results[1] as ReadResult).bytes.equals(ack));
});

test('the maximum message size must be a positive integer', (t) => {
  t.throws(() => new StreamFramer({ maxMessageSize: 0 }), { instanceOf: RangeError });
  t.is(new StreamFramer().maxMessageSize, 65536);
});

test('readMessageBytes applies stream rules to TCP/TLS records and datagram rules to UDP/WS', (t) => {
  const noLength = Buffer.from(ack.toString().replace('Content-Length: 0\r\n', ''));
  t.deepEqual(messageOf(readMessageBytes(noLength, 'udp')).problems, []);
  t.deepEqual(messageOf(readMessageBytes(noLength, 'wss')).problems, []);
  const tcp = messageOf(readMessageBytes(noLength, 'tcp'));
  t.is(tcp.problems[0]?.code, 'content-length-mismatch');
  // A record with bytes after the declared body: discarded silently on UDP, reported on TCP.
  const trailing = Buffer.concat([ack, Buffer.from('OPTIONS smuggled')]);
  t.deepEqual(messageOf(readMessageBytes(trailing, 'udp')).problems, []);
  const tls = messageOf(readMessageBytes(trailing, 'tls'));
  t.regex(tls.problems[0]?.reason ?? '', /16 bytes follow the 0-byte body/);
  t.true(tls.bytes.equals(ack));
  // Trailing CRLF after a record is harmless.
  t.deepEqual(messageOf(readMessageBytes(Buffer.concat([ack, Buffer.from('\r\n')]), 'tcp')).problems, []);
});
