/**
 * Properties (fast-check):
 * - arbitrary bytes, and random mutations of real messages, never make the reader throw,
 *   whatever is read from the result afterwards;
 * - splitting a TCP stream at any byte boundaries gives the same results as one push;
 * - a header section built from arbitrary well-formed fields is indexed back exactly.
 */
import test from 'ava';
import fc from 'fast-check';
import { readDatagram } from '../../src/sip/datagram.js';
import type { ReadResult } from '../../src/sip/message.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { readMessageBytes } from '../../src/sip/read-message.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { datFiles, fixture, messageOf } from './fixtures.js';
import { mutate, mutation } from './mutations.js';

const SEEDS: readonly Buffer[] = [
  ...datFiles('rfc4475').map((file) => fixture(`rfc4475/${file}`)),
  ...datFiles('rfc5118').map((file) => fixture(`rfc5118/${file}`)),
  ...datFiles('rfc5118/wire').map((file) => fixture(`rfc5118/wire/${file}`)),
  ...datFiles('sip').map((file) => fixture(`sip/${file}`)),
];

/** Seeds that frame cleanly on a stream (Content-Length present and right, head closed). */
const STREAMABLE: readonly Buffer[] = SEEDS.filter((bytes) => {
  const result = readDatagram(bytes);
  return (
    result.ok &&
    result.message.contentLength !== null &&
    result.message.bytes.length === bytes.length &&
    !result.message.problems.some((p) => p.code !== 'malformed-message' || p.reason.includes('not closed'))
  );
});

/** Reads everything a consumer might read; throws only if the reader does. */
function exercise(result: ReadResult): number {
  if (!result.ok) return result.reason.length + result.bytes.length;
  const m = result.message;
  let touched = m.problems.length + m.headers.length + m.body.length + m.bodyOffset;
  touched +=
    (m.callId?.length ?? 0) +
    (m.cseq?.number ?? 0) +
    (m.topVia?.host.length ?? 0) +
    (m.contentType?.length ?? 0);
  touched += m.startLine.length + (m.method?.length ?? 0) + (m.reason?.length ?? 0) + (m.contentLength ?? 0);
  for (const name of ['via', 'contact', 'route', 'to', 'from', 'date', 'x-unknown', 'l', 'c']) {
    touched += m.headerValues(name).length + m.headerFields(name).length + (m.header(name)?.length ?? 0);
  }
  for (const field of m.headers) touched += field.value.length + field.name.length + field.start + field.end;
  const { bodies, problems } = sdpBodies(m);
  for (const body of bodies) touched += body.text.length + body.partPath.length;
  return touched + problems.length;
}

function framerResults(
  chunks: readonly Buffer[],
  maxMessageSize?: number,
): { results: ReadResult[]; pings: number } {
  let pings = 0;
  const framer = new StreamFramer({ maxMessageSize, onPing: () => pings++ });
  const results: ReadResult[] = [];
  for (const chunk of chunks) {
    results.push(...framer.push(chunk));
    if (framer.buffered > (maxMessageSize ?? 65536)) throw new Error(`buffered ${framer.buffered} bytes`);
  }
  results.push(...framer.end());
  return { results, pings };
}

/** A comparable summary of a result: verdict, reason, exact bytes, problems. */
function summary(result: ReadResult): string {
  if (!result.ok) return `fail ${result.failure} ${result.reason} ${result.bytes.toString('hex')}`;
  const problems = result.message.problems.map((p) => `${p.code}:${p.reason}`).join('|');
  return `ok ${result.message.bytes.toString('hex')} ${problems}`;
}

/** Bytes that stress the grammar: separators, quotes, line ends, plus anything. */
const sipishByte = fc.oneof(
  fc.constantFrom(...Buffer.from(':;,<>"\\\r\n =/[]@?%\t-0123456789SIPabcvlLmft')),
  fc.integer({ min: 0, max: 255 }),
);

test('arbitrary bytes never make readDatagram, StreamFramer or sdpBodies throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat({ max: 2048 }), (array, cut) => {
      const bytes = Buffer.from(array);
      exercise(readDatagram(bytes));
      exercise(readMessageBytes(bytes, 'tcp'));
      for (const result of framerResults([bytes.subarray(0, cut), bytes.subarray(cut)], 512).results)
        exercise(result);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('SIP-like random heads never make the reader throw', (t) => {
  const starts = fc.constantFrom(
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n',
    'SIP/2.0 200 OK\r\n',
    'MESSAGE sip:a@b SIP/2.0\r\nContent-Type: multipart/mixed;boundary=b\r\n',
    'INVITE sip:a@b SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\n',
  );
  fc.assert(
    fc.property(starts, fc.array(sipishByte, { maxLength: 600 }), (start, tail) => {
      const bytes = Buffer.concat([Buffer.from(start), Buffer.from(tail)]);
      exercise(readDatagram(bytes));
      for (const result of framerResults([bytes]).results) exercise(result);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('random mutations of real messages never make the reader throw', (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SEEDS),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      (seed, mutations) => {
        const bytes = mutate(seed, mutations);
        exercise(readDatagram(bytes));
        exercise(readMessageBytes(bytes, 'tls'));
        for (const result of framerResults([bytes, seed]).results) exercise(result);
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});

test('random multipart bodies never make sdpBodies throw', (t) => {
  const part = fc.oneof(
    fc.constant('Content-Type: application/sdp\r\n\r\nv=0\r\n'),
    fc.constant(
      'Content-Type: multipart/mixed;boundary=b\r\n\r\n--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b--',
    ),
    fc.constant('\r\nno headers'),
    fc.constant('Content-Type: application/sdp\r\nContent-Transfer-Encoding: base64\r\n\r\ndj0wDQo=\r\n'),
    fc.string({ maxLength: 60 }),
  );
  fc.assert(
    fc.property(fc.array(part, { maxLength: 6 }), fc.array(sipishByte, { maxLength: 40 }), (parts, noise) => {
      const body = Buffer.concat([
        Buffer.from(parts.map((p) => `--b\r\n${p}\r\n`).join('')),
        Buffer.from(noise),
        Buffer.from('--b--'),
      ]);
      const head = `INVITE sip:a@b SIP/2.0\r\nContent-Type: multipart/mixed; boundary="b"\r\nContent-Length: ${body.length}\r\n\r\n`;
      exercise(readDatagram(Buffer.concat([Buffer.from(head), body])));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('splitting a stream at any byte boundaries gives the same results', (t) => {
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...STREAMABLE) },
    { weight: 2, arbitrary: fc.constantFrom(Buffer.from('\r\n'), Buffer.from('\r\n\r\n')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...STREAMABLE), fc.array(mutation, { minLength: 1, maxLength: 2 }))
        .map(([seed, mutations]) => mutate(seed, mutations)),
    },
  );
  fc.assert(
    fc.property(
      fc.array(piece, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.constantFrom(undefined, 400, 1500, 4000),
      (pieces, cutSeeds, max) => {
        const stream = Buffer.concat(pieces);
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const cut of [...cuts, stream.length]) {
          chunks.push(stream.subarray(from, cut));
          from = cut;
        }
        const whole = framerResults([stream], max);
        const split = framerResults(chunks, max);
        return (
          split.pings === whole.pings &&
          split.results.length === whole.results.length &&
          split.results.every(
            (result, index) => summary(result) === summary(whole.results[index] as ReadResult),
          )
        );
      },
    ),
    { numRuns: 1500 },
  );
  t.true(STREAMABLE.length > 40);
});

test('well-formed header fields are indexed back in order, with offsets of their own bytes', (t) => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9!%*_+`'~.-]{0,20}$/);
  const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/);
  const folded = fc.tuple(value, fc.array(value, { maxLength: 2 }));
  fc.assert(
    fc.property(fc.array(fc.tuple(name, folded), { maxLength: 15 }), (fields) => {
      const lines = fields.map(([n, [first, rest]]) =>
        [`${n}: ${first}`, ...rest.map((more) => ` ${more}`)].join('\r\n'),
      );
      const bytes = Buffer.from(
        `OPTIONS sip:a@b SIP/2.0\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`,
      );
      const message = messageOf(readDatagram(bytes));
      if (message.headers.length !== fields.length) return false;
      return fields.every(([n, [first, rest]], index) => {
        const field = message.headers[index];
        return (
          field !== undefined &&
          field.rawName === n &&
          field.value === [first, ...rest].join(' ') &&
          bytes.subarray(field.start, field.end).toString() === `${lines[index]}\r\n`
        );
      });
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
