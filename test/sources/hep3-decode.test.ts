import { gzipSync } from 'node:zlib';
import test from 'ava';
import fc from 'fast-check';
import {
  decodeHep3,
  HEP_CHUNK,
  Hep3StreamFramer,
  type HepPacket,
  isHepError,
} from '../../src/sources/hep/hep3-decode.js';
import {
  addressBytes,
  chunk,
  encodeHep3,
  hep3Packet,
  uint8,
  uint16,
  uint32,
} from '../../src/sources/hep/hep3-encode.js';

const SIP =
  'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n';

function decoded(bytes: Buffer): HepPacket {
  const packet = decodeHep3(bytes);
  if (isHepError(packet)) throw new Error(packet.error);
  return packet;
}

/** A packet built by hand, byte by byte, without the encoder. */
function handBuiltIpv4(): Buffer {
  const payload = Buffer.from(SIP);
  const chunks = [
    [0, 1, 7, 2], // family IPv4
    [0, 2, 7, 17], // UDP
    [0, 3, 10, 192, 0, 2, 1], // src
    [0, 4, 10, 198, 51, 100, 7], // dst
    [0, 7, 8, 0x13, 0xc4], // 5060
    [0, 8, 8, 0x13, 0xc5], // 5061
    [0, 9, 10, 0x65, 0x00, 0x00, 0x00], // seconds 0x65000000
    [0, 10, 10, 0, 0x07, 0xa1, 0x20], // 500000 µs
    [0, 11, 7, 1], // SIP
    [0, 12, 10, 0, 0, 0x07, 0xd1], // capture id 2001
  ].map((fields) => {
    const [typeHigh, type, length, ...value] = fields as [number, number, number, ...number[]];
    return Buffer.from([0, 0, typeHigh, type, 0, length, ...value]);
  });
  const payloadHeader = Buffer.from([0, 0, 0, 15, (payload.length + 6) >> 8, (payload.length + 6) & 0xff]);
  const body = Buffer.concat([...chunks, payloadHeader, payload]);
  return Buffer.concat([
    Buffer.from('HEP3'),
    Buffer.from([(body.length + 6) >> 8, (body.length + 6) & 0xff]),
    body,
  ]);
}

test('a hand-built IPv4 UDP packet: every generic field', (t) => {
  const packet = decoded(handBuiltIpv4());
  t.is(packet.ipFamily, 2);
  t.is(packet.ipProtocol, 17);
  t.is(packet.srcHost, '192.0.2.1');
  t.is(packet.dstHost, '198.51.100.7');
  t.is(packet.srcPort, 5060);
  t.is(packet.dstPort, 5061);
  t.is(packet.timeMs, 0x65000000 * 1000 + 500);
  t.is(packet.protocolType, 1);
  t.is(packet.captureId, 2001);
  t.is(packet.payload?.toString(), SIP);
  t.is(packet.skippedChunks, 0);
});

test('the encoder and the hand-built packet agree', (t) => {
  const encoded = encodeHep3({
    src: { host: '192.0.2.1', port: 5060 },
    dst: { host: '198.51.100.7', port: 5061 },
    protocol: 'udp',
    timeMs: 0x65000000 * 1000 + 500,
    payload: SIP,
  });
  t.deepEqual(encoded, handBuiltIpv4());
});

test('IPv6 addresses, TCP, written in RFC 5952 form', (t) => {
  const packet = decoded(
    encodeHep3({
      src: { host: '2001:db8::1', port: 5061 },
      dst: { host: '2001:db8:0:1:0:0:0:ff', port: 40000 },
      protocol: 'tcp',
      timeMs: 1_700_000_000_123,
      payload: SIP,
    }),
  );
  t.is(packet.ipFamily, 10);
  t.is(packet.ipProtocol, 6);
  t.is(packet.srcHost, '2001:db8::1');
  t.is(packet.dstHost, '2001:db8:0:1::ff');
  t.is(packet.timeMs, 1_700_000_000_123);
  t.deepEqual(addressBytes('::1'), Buffer.from([...Array(15).fill(0), 1]));
  const all = hep3Packet([
    chunk(HEP_CHUNK.ipv6Src, Buffer.alloc(16)),
    chunk(HEP_CHUNK.ipv6Dst, addressBytes('1::')),
  ]);
  t.is(decoded(all).srcHost, '::');
  t.is(decoded(all).dstHost, '1::');
});

test('a gzip-compressed payload (chunk 16) is inflated; a bomb or garbage is an error', (t) => {
  const packet = decoded(
    encodeHep3({
      src: { host: '192.0.2.1', port: 5060 },
      dst: { host: '192.0.2.2', port: 5060 },
      protocol: 'udp',
      timeMs: 0,
      payload: SIP,
      compress: true,
    }),
  );
  t.is(packet.payload?.toString(), SIP);
  const bomb = hep3Packet([chunk(HEP_CHUNK.compressedPayload, gzipSync(Buffer.alloc(10 * 1024 * 1024)))]);
  const bombResult = decodeHep3(bomb);
  t.true(isHepError(bombResult));
  const garbage = decodeHep3(hep3Packet([chunk(HEP_CHUNK.compressedPayload, Buffer.from('not gzip'))]));
  t.regex(isHepError(garbage) ? garbage.error : '', /compressed payload/);
});

test('unknown chunks and other vendors are skipped by their length', (t) => {
  const packet = decoded(
    encodeHep3({
      src: { host: '192.0.2.1', port: 5060 },
      dst: { host: '192.0.2.2', port: 5060 },
      protocol: 'udp',
      timeMs: 0,
      payload: SIP,
      extraChunks: [
        { type: 99, value: Buffer.from('whatever') },
        { vendor: 0x0003, type: HEP_CHUNK.payload, value: Buffer.from('not the payload') },
        { type: HEP_CHUNK.correlationId, value: Buffer.from('call-1') },
        { type: HEP_CHUNK.vlanId, value: uint16(12) },
        { type: HEP_CHUNK.authKey, value: Buffer.from('secret') },
      ],
    }),
  );
  t.is(packet.payload?.toString(), SIP);
  t.is(packet.skippedChunks, 4);
  t.is(packet.correlationId, 'call-1');
});

test('truncated packets and lying lengths are errors, never exceptions', (t) => {
  const good = encodeHep3({
    src: { host: '192.0.2.1', port: 5060 },
    dst: { host: '192.0.2.2', port: 5060 },
    protocol: 'udp',
    timeMs: 0,
    payload: SIP,
  });
  for (let cut = 0; cut < good.length; cut++) {
    const result = decodeHep3(good.subarray(0, cut));
    t.true(isHepError(result), `cut at ${cut}`);
  }
  const lyingTotal = Buffer.from(good);
  lyingTotal.writeUInt16BE(good.length + 10, 4);
  t.regex((decodeHep3(lyingTotal) as { error: string }).error, /total length/);
  const tinyChunk = Buffer.from(good);
  tinyChunk.writeUInt16BE(3, 6 + 4); // first chunk's length below its header
  t.regex((decodeHep3(tinyChunk) as { error: string }).error, /length 3/);
  const longChunk = Buffer.from(good);
  longChunk.writeUInt16BE(0xffff, 6 + 4);
  t.regex((decodeHep3(longChunk) as { error: string }).error, /runs past/);
  const badAddress = hep3Packet([chunk(HEP_CHUNK.ipv4Src, Buffer.from([1, 2, 3]))]);
  t.regex((decodeHep3(badAddress) as { error: string }).error, /IPv4 address/);
  t.regex((decodeHep3(Buffer.from([2, 0x10, 0, 0, 0, 0, 0, 0])) as { error: string }).error, /HEPv2/);
  t.regex((decodeHep3(Buffer.from('GET / HTTP/1.1\r\n')) as { error: string }).error, /no HEP3 magic/);
});

test('random bytes after the magic never throw', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const packet = Buffer.concat([Buffer.from('HEP3'), uint16(bytes.length + 6), Buffer.from(bytes)]);
      decodeHep3(packet);
      decodeHep3(Buffer.from(bytes));
    }),
  );
  t.pass();
});

test('a capture id of 2 bytes is read too; a uint8 chunk of another size is an error', (t) => {
  t.is(decoded(hep3Packet([chunk(HEP_CHUNK.captureId, uint16(7))])).captureId, 7);
  t.is(decoded(hep3Packet([chunk(HEP_CHUNK.captureId, uint32(70000))])).captureId, 70000);
  t.true(isHepError(decodeHep3(hep3Packet([chunk(HEP_CHUNK.protocolType, uint16(1))]))));
  t.is(decoded(hep3Packet([chunk(HEP_CHUNK.protocolType, uint8(5))])).protocolType, 5);
});

const packets = [SIP, `${SIP}x`, 'INVITE'].map((payload, index) =>
  encodeHep3({
    src: { host: '192.0.2.1', port: 5060 + index },
    dst: { host: '192.0.2.2', port: 5060 },
    protocol: 'tcp',
    timeMs: index,
    payload,
  }),
);
const stream = Buffer.concat(packets);

test('TCP framing: split at every byte, the same packets come out', (t) => {
  for (let split = 0; split <= stream.length; split++) {
    const framer = new Hep3StreamFramer();
    const out = [...framer.push(stream.subarray(0, split)), ...framer.push(stream.subarray(split))];
    t.deepEqual(out, packets, `split at ${split}`);
    t.is(framer.failed, null);
    t.is(framer.buffered, 0);
  }
});

test('TCP framing: one byte at a time, and random cuts', (t) => {
  const framer = new Hep3StreamFramer();
  const out: Buffer[] = [];
  for (const byte of stream) out.push(...framer.push(Buffer.from([byte])));
  t.deepEqual(out, packets);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 8 }), (cuts) => {
      const points = [0, ...[...cuts].sort((a, b) => a - b), stream.length];
      const each = new Hep3StreamFramer();
      const got: Buffer[] = [];
      for (let i = 1; i < points.length; i++)
        got.push(...each.push(stream.subarray(points[i - 1], points[i])));
      return got.length === packets.length && got.every((packet, i) => packet.equals(packets[i]!));
    }),
  );
});

test('TCP framing: a stream that is not HEP3 fails at once, and stays failed', (t) => {
  const framer = new Hep3StreamFramer();
  t.deepEqual(framer.push(Buffer.from('HE')), []);
  t.is(framer.failed, null);
  t.deepEqual(framer.push(Buffer.from('LLO world')), []);
  t.regex(framer.failed ?? '', /no HEP3 magic/);
  t.deepEqual(framer.push(packets[0]!), []);
  const afterGood = new Hep3StreamFramer();
  t.deepEqual(afterGood.push(Buffer.concat([packets[0]!, Buffer.from('junkjunk')])), [packets[0]!]);
  t.regex(afterGood.failed ?? '', /offset/);
  const zero = new Hep3StreamFramer();
  zero.push(Buffer.from([0x48, 0x45, 0x50, 0x33, 0, 2]));
  t.regex(zero.failed ?? '', /shorter than its header/);
});
