/**
 * The message limits the SIP reader enforces (src/sip/message-limits.ts): header fields, Via
 * values and header line length. At the limit a message is read; one over, it is an `over-limit`
 * failure naming the limit and saying why, on datagrams, stream records and a framed stream.
 */
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import type { ReadResult } from '../../src/sip/message.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from '../../src/sip/message-limits.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { readMessageBytes } from '../../src/sip/read-message.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { BASIC_HEADERS, messageOf, SIMPLE_SDP, sipMessage } from './fixtures.js';

const LIMITS: MessageLimits = {
  ...DEFAULT_MESSAGE_LIMITS,
  maxHeaders: 20,
  maxVias: 5,
  maxHeaderLineBytes: 200,
};
const INVITE = 'INVITE sip:bob@biloxi.example.com SIP/2.0';
/** BASIC_HEADERS without its Via: the tests choose the Vias. */
const NO_VIA = BASIC_HEADERS.slice(1);

function via(i: number): string {
  return `Via: SIP/2.0/UDP 192.0.2.${i % 250}:5060;branch=z9hG4bK-${i}`;
}

function vias(count: number): string[] {
  return Array.from({ length: count }, (_, i) => via(i));
}

/** Headers up to `total` fields in all (Content-Length, added by sipMessage, counts as one). */
function headersTotalling(total: number): string[] {
  const filler = Array.from({ length: total - BASIC_HEADERS.length - 1 }, (_, i) => `X-Filler-${i}: ${i}`);
  return [...BASIC_HEADERS, ...filler];
}

function failureOf(result: ReadResult): { failure?: string; limit?: string; reason: string } {
  if (result.ok) throw new Error('expected a read failure, got a message');
  return { failure: result.failure, limit: result.limit, reason: result.reason };
}

test('header fields: at the limit the message is read; one over is over-limit `headers`', (t) => {
  const at = readDatagram(sipMessage(INVITE, headersTotalling(20)), { limits: LIMITS });
  t.true(at.ok);
  if (at.ok) t.is(at.message.headers.length, 20);
  const over = readDatagram(sipMessage(INVITE, headersTotalling(21)), { limits: LIMITS });
  t.deepEqual(failureOf(over), {
    failure: 'over-limit',
    limit: 'headers',
    reason: '21 header fields, over the limit of 20',
  });
});

test('Via values: counted across header fields and comma-separated values', (t) => {
  const at = readDatagram(sipMessage(INVITE, [...vias(5), ...NO_VIA]), { limits: LIMITS });
  t.true(at.ok);
  const fields = readDatagram(sipMessage(INVITE, [...vias(6), ...NO_VIA]), { limits: LIMITS });
  t.deepEqual(failureOf(fields), {
    failure: 'over-limit',
    limit: 'vias',
    reason: '6 Via header field values, over the limit of 5',
  });
  // Three fields, two of them carrying several values (one in compact form), one folded.
  const joined = [
    'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
    'v: SIP/2.0/UDP c.example.com;branch=z9hG4bK3,SIP/2.0/UDP d.example.com;branch=z9hG4bK4',
    'Via: SIP/2.0/UDP e.example.com;branch=z9hG4bK5,\r\n SIP/2.0/UDP f.example.com;branch=z9hG4bK6',
  ];
  t.deepEqual(failureOf(readDatagram(sipMessage(INVITE, [...joined, ...NO_VIA]), { limits: LIMITS })), {
    failure: 'over-limit',
    limit: 'vias',
    reason: '6 Via header field values, over the limit of 5',
  });
  // A comma inside a quoted via-extension value separates nothing.
  const quoted = [...vias(4), 'Via: SIP/2.0/UDP e.example.com;branch=z9hG4bK5;x="a,b,c"', ...NO_VIA];
  t.true(readDatagram(sipMessage(INVITE, quoted), { limits: LIMITS }).ok);
});

test('header line bytes: at the limit the message is read; one byte over is over-limit, folding included', (t) => {
  const subject = (bytes: number) => `Subject: ${'x'.repeat(bytes - 'Subject: '.length)}`;
  t.true(readDatagram(sipMessage(INVITE, [...BASIC_HEADERS, subject(200)]), { limits: LIMITS }).ok);
  t.deepEqual(
    failureOf(readDatagram(sipMessage(INVITE, [...BASIC_HEADERS, subject(201)]), { limits: LIMITS })),
    {
      failure: 'over-limit',
      limit: 'header-line-bytes',
      reason: '201 bytes in one header line, over the limit of 200',
    },
  );
  // Two physical lines of 150 bytes each: one header line of 302 bytes (CRLF between them).
  const folded = `${subject(150)}\r\n ${'y'.repeat(149)}`;
  t.deepEqual(
    failureOf(readDatagram(sipMessage(INVITE, [...BASIC_HEADERS, folded]), { limits: LIMITS })).limit,
    'header-line-bytes',
  );
});

test('1,000 Via header fields are refused with the default limits, counted to the end', (t) => {
  const result = readDatagram(sipMessage(INVITE, [...vias(1000), ...NO_VIA], SIMPLE_SDP));
  t.deepEqual(failureOf(result), {
    failure: 'over-limit',
    limit: 'vias',
    reason: '1000 Via header field values, over the limit of 70',
  });
  // The refused message's bytes come back whole (a request may still be answered from them).
  if (!result.ok) t.true(result.bytes.toString('latin1').startsWith(INVITE));
});

test('a 64 KiB header line is refused with the default limits', (t) => {
  const line = `X-Long: ${'a'.repeat(64 * 1024 - 'X-Long: '.length)}`;
  t.deepEqual(failureOf(readDatagram(sipMessage(INVITE, [...BASIC_HEADERS, line]))), {
    failure: 'over-limit',
    limit: 'header-line-bytes',
    reason: '65536 bytes in one header line, over the limit of 8192',
  });
});

test('stream records (HEP, traces of TCP) use the same limits', (t) => {
  const over = readMessageBytes(sipMessage(INVITE, [...vias(6), ...NO_VIA]), 'tcp', { limits: LIMITS });
  t.is(failureOf(over).limit, 'vias');
  t.true(readMessageBytes(sipMessage(INVITE, [...vias(5), ...NO_VIA]), 'tls', { limits: LIMITS }).ok);
});

test('stream framing: an over-limit message is refused, its body skipped, and the next message read', (t) => {
  const framer = new StreamFramer({ limits: LIMITS });
  const over = sipMessage(INVITE, [...vias(6), ...NO_VIA], SIMPLE_SDP);
  const next = sipMessage(INVITE, [...vias(1), ...NO_VIA], SIMPLE_SDP);
  const stream = Buffer.concat([over, next]);
  // Cut in three: inside the refused message's head, inside its body, and inside the next one.
  const cuts = [100, over.length - 20, over.length + 40];
  const results: ReadResult[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    results.push(...framer.push(Buffer.from(stream.subarray(from, cut))));
    from = cut;
  }
  t.is(results.length, 2);
  t.deepEqual(failureOf(results[0]!), {
    failure: 'over-limit',
    limit: 'vias',
    reason: '6 Via header field values, over the limit of 5',
  });
  t.true(results[1]?.ok);
  if (results[1]?.ok) t.deepEqual(results[1].message.bytes, next);
  t.is(framer.broken, null);
});

test('stream framing: a Content-Length past the limit still frames the stream', (t) => {
  // The limit stops indexing before Content-Length (the last field): it is still found.
  const framer = new StreamFramer({ limits: LIMITS });
  const over = sipMessage(INVITE, headersTotalling(40), SIMPLE_SDP);
  const next = sipMessage(INVITE, [...BASIC_HEADERS], SIMPLE_SDP);
  const results = framer.push(Buffer.concat([over, next]));
  t.is(results.length, 2);
  t.is(failureOf(results[0]!).reason, '40 header fields, over the limit of 20');
  t.true(results[1]?.ok);
});

test('the default limits are those of the config (proxy.limits.message)', (t) => {
  t.true(readDatagram(sipMessage(INVITE, [...vias(70), ...NO_VIA])).ok);
  t.is(failureOf(readDatagram(sipMessage(INVITE, [...vias(71), ...NO_VIA]))).limit, 'vias');
  t.true(new StreamFramer().push(sipMessage(INVITE, [...vias(70), ...NO_VIA]))[0]?.ok);
  t.is(failureOf(new StreamFramer().push(sipMessage(INVITE, [...vias(71), ...NO_VIA]))[0]!).limit, 'vias');
});

/** An INVITE whose body is `parts` SDP parts, nested `depth` multiparts deep (depth >= 1). */
function multipartInvite(depth: number, parts: number) {
  let body = Array.from(
    { length: parts },
    () => `--b${depth}\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}\r\n`,
  ).join('');
  body += `--b${depth}--`;
  for (let level = depth - 1; level >= 1; level--) {
    body = `--b${level}\r\nContent-Type: multipart/mixed;boundary=b${level + 1}\r\n\r\n${body}\r\n--b${level}--`;
  }
  const headers = [...BASIC_HEADERS, 'Content-Type: multipart/mixed;boundary=b1'];
  return messageOf(readDatagram(sipMessage(INVITE, headers, body)));
}

test('multipart depth: at the limit every SDP is read; one deeper, none is', (t) => {
  const limits = { maxMultipartDepth: 3, maxMultipartParts: 16 };
  const at = sdpBodies(multipartInvite(3, 1), limits);
  t.deepEqual(
    at.bodies.map((body) => body.partPath),
    ['1.1.1'],
  );
  t.is(at.overLimit, undefined);
  t.deepEqual(sdpBodies(multipartInvite(4, 1), limits), {
    bodies: [],
    problems: [],
    overLimit: {
      limit: 'multipart-depth',
      reason: '4 levels of multipart nesting, over the limit of 3 (at part 1.1.1)',
    },
  });
});

test('multipart parts: at the limit every part is read; one more, none is', (t) => {
  const limits = { maxMultipartDepth: 4, maxMultipartParts: 5 };
  t.is(sdpBodies(multipartInvite(1, 5), limits).bodies.length, 5);
  t.deepEqual(sdpBodies(multipartInvite(1, 9), limits), {
    bodies: [],
    problems: [],
    overLimit: {
      limit: 'multipart-parts',
      reason: '9 parts in one multipart body, over the limit of 5 (the body)',
    },
  });
  // The defaults: 16 parts.
  t.is(sdpBodies(multipartInvite(1, 16)).bodies.length, 16);
  t.is(sdpBodies(multipartInvite(1, 17)).overLimit?.limit, 'multipart-parts');
});
