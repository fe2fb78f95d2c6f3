/**
 * The capture reader on hand-built bytes: file formats, link types, IP, fragments, TCP
 * reassembly, and what becomes a SIP record.
 */
import test from 'ava';
import { ipv6Text } from '../../src/sources/address-text.js';
import {
  type CaptureEvent,
  CaptureFormatError,
  CaptureReader,
} from '../../src/sources/pcap/capture-reader.js';
import { FragmentReassembler, parseIp } from '../../src/sources/pcap/ip.js';
import { PcapFileParser } from '../../src/sources/pcap/pcap-file.js';
import { PcapngFileParser } from '../../src/sources/pcap/pcapng-file.js';
import { sniff } from '../../src/sources/pcap/sip-sniff.js';
import {
  ethernet,
  FIN,
  INVITE,
  ipv4,
  ipv6,
  loopback,
  OK,
  PcapngWriter,
  pcapFile,
  RST,
  SYN,
  sll,
  sll2,
  tcp,
  udp,
  v6Fragment,
  v6Option,
} from './pcap-bytes.js';

/** Reads a whole file through a CaptureReader in chunks of `chunk` bytes. */
function read(bytes: Buffer, chunk = bytes.length): { events: CaptureEvent[]; reader: CaptureReader } {
  const reader = new CaptureReader();
  const events: CaptureEvent[] = [];
  for (let at = 0; at < bytes.length; at += chunk)
    events.push(...reader.push(bytes.subarray(at, at + chunk)));
  events.push(...reader.end());
  return { events, reader };
}

const sip = (events: readonly CaptureEvent[]) =>
  events.flatMap((event) => (event.kind === 'sip' ? [event] : []));

const callIds = (events: readonly CaptureEvent[]) =>
  sip(events).map((event) =>
    event.result.ok ? event.result.message.callId : `failed:${event.result.reason}`,
  );

const T0 = 1_780_000_000; // 2026-05-28T20:26:40Z

test('classic pcap, microseconds, little-endian: a UDP SIP message with its envelope', (t) => {
  const frame = ethernet(ipv4(udp(5060, 5080, INVITE('a@x'))));
  const { events } = read(pcapFile(1, [{ seconds: T0, fraction: 123_456, data: frame }]));
  const [event] = sip(events);
  t.truthy(event);
  t.true(event?.result.ok);
  t.deepEqual(event?.envelope, {
    transport: 'udp',
    src: { host: '192.0.2.1', port: 5060 },
    dst: { host: '198.51.100.2', port: 5080 },
    time: '2026-05-28T20:26:40.123Z',
  });
});

test('classic pcap, nanoseconds, big-endian (swapped), read one byte at a time', (t) => {
  const records = [
    { seconds: T0, fraction: 999_000_001, data: ethernet(ipv4(udp(5060, 5060, INVITE('one@x')))) },
    { seconds: T0 + 1, fraction: 5_000_000, data: ethernet(ipv4(udp(5060, 5060, OK('one@x')))) },
  ];
  const bytes = pcapFile(1, records, { le: false, ns: true });
  const { events } = read(bytes, 1);
  t.deepEqual(callIds(events), ['one@x', 'one@x']);
  t.deepEqual(
    sip(events).map((event) => event.envelope.time),
    ['2026-05-28T20:26:40.999Z', '2026-05-28T20:26:41.005Z'],
  );
  const parser = new PcapFileParser();
  const packets = parser.push(bytes);
  t.is(packets[0]?.nanos, 999_000_001);
  t.is(parser.linkType, 1);
});

test('pcapng: if_tsresol 9, a second section in the other byte order, SPB, unknown blocks skipped', (t) => {
  const first = new PcapngWriter(true)
    .section()
    .interface(1, 9)
    .block(0x0bad, Buffer.from('a custom block'))
    .packet(0, BigInt(T0) * 1_000_000_000n + 250_000_000n, ethernet(ipv4(udp(5060, 5060, INVITE('ng1@x')))))
    .bytes();
  const second = new PcapngWriter(false)
    .section()
    .interface(113)
    .interface(101, 0x80 | 10) // 2^-10 s units
    .packet(1, BigInt(T0 + 2) * 1024n + 512n, ipv4(udp(5060, 5060, OK('ng1@x'))))
    .simple(sll(ipv4(udp(5060, 5060, INVITE('spb@x')))))
    .packet(0, BigInt(T0 + 3) * 1_000_000n, sll(ipv4(udp(5060, 5060, OK('spb@x')))))
    .bytes();
  const bytes = Buffer.concat([first, second]);
  for (const chunk of [bytes.length, 7, 1]) {
    const { events } = read(bytes, chunk);
    t.deepEqual(callIds(events), ['ng1@x', 'ng1@x', 'spb@x', 'spb@x'], `chunks of ${chunk}`);
    t.deepEqual(
      sip(events).map((event) => event.envelope.time),
      [
        '2026-05-28T20:26:40.250Z',
        '2026-05-28T20:26:42.500Z',
        '1970-01-01T00:00:00.000Z',
        '2026-05-28T20:26:43.000Z',
      ],
    );
  }
  const parser = new PcapngFileParser();
  parser.push(bytes);
  t.is(parser.sections, 2);
});

test('every link type, VLAN tags stacked, IPv4 options, IPv6 with extension headers', (t) => {
  const v4 = (id: string) => ipv4(udp(5060, 5060, INVITE(id)), { options: Buffer.from([1, 1, 1, 0]) });
  const v6 = (id: string) =>
    ipv6(udp(5060, 5060, INVITE(id)), {
      first: 0,
      extensions: Buffer.concat([v6Option(43), v6Option(60), v6Option(17)]),
      src: '2001:db8:0:0:1::1',
      dst: 'fe80::2',
    });
  const cases: [number, Buffer, string][] = [
    [1, ethernet(v4('eth')), 'eth'],
    [1, ethernet(v4('qinq'), [0x88a8, 0x8100]), 'qinq'],
    [1, ethernet(v6('eth6'), [0x8100]), 'eth6'],
    [113, sll(v4('sll')), 'sll'],
    [276, sll2(v6('sll2')), 'sll2'],
    [101, v6('raw'), 'raw'],
    [12, v4('raw12'), 'raw12'],
    [0, loopback(v4('null'), false), 'null'],
    [108, loopback(v6('loop'), true), 'loop'],
  ];
  for (const [linkType, frame, id] of cases) {
    const { events } = read(pcapFile(linkType, [{ seconds: T0, fraction: 0, data: frame }]));
    t.deepEqual(callIds(events), [id], `link type ${linkType} (${id})`);
  }
  const { events } = read(pcapFile(1, [{ seconds: T0, fraction: 0, data: ethernet(v6('six')) }]));
  t.deepEqual(sip(events)[0]?.envelope.src, { host: '2001:db8::1:0:0:1', port: 5060 });
  t.deepEqual(sip(events)[0]?.envelope.dst, { host: 'fe80::2', port: 5060 });
});

test('RFC 5952 IPv6 text: the longest zero run, the first of equal ones', (t) => {
  const at = (groups: number[]) => {
    const b = Buffer.alloc(16);
    for (const [i, g] of groups.entries()) b.writeUInt16BE(g, i * 2);
    return ipv6Text(b, 0);
  };
  t.is(at([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  t.is(at([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
  t.is(at([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  t.is(at([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
});

test('IPv4 fragments out of order, with an overlap: the first bytes win', (t) => {
  const datagram = udp(5060, 5060, INVITE('frag4@x', 'v=0\r\n'.repeat(60)));
  const pieces = [0, 240, 480].map((offset) => ({
    offset,
    data: datagram.subarray(offset, Math.min(offset + 240, datagram.length)),
    more: offset + 240 < datagram.length,
  }));
  const frames = [pieces[2], pieces[0], pieces[1]].map((piece) =>
    ethernet(ipv4(piece?.data ?? Buffer.alloc(0), { id: 7, offset: piece?.offset, more: piece?.more })),
  );
  // A late overlapping fragment with garbage must not change what arrived first.
  const overlap = ethernet(ipv4(Buffer.alloc(16, 0x41), { id: 7, offset: 8, more: true }));
  const records = [frames[0], frames[1], overlap, frames[2]].map((data) => ({
    seconds: T0,
    fraction: 0,
    data: data ?? Buffer.alloc(0),
  }));
  const { events } = read(pcapFile(1, records));
  t.deepEqual(callIds(events), ['frag4@x']);
  const result = sip(events)[0]?.result;
  t.true(result?.ok && result.message.bytes.equals(datagram.subarray(8)));
});

test('IPv6 fragments out of order', (t) => {
  const datagram = udp(5060, 5060, INVITE('frag6@x', 'a=x\r\n'.repeat(50)));
  const cut = 200;
  const frame = (offset: number, end: number, more: boolean) =>
    ethernet(
      ipv6(datagram.subarray(offset, end), {
        first: 0,
        extensions: Buffer.concat([v6Option(44), v6Fragment(17, offset, more, 99)]),
      }),
    );
  const records = [frame(cut, datagram.length, false), frame(0, cut, true)].map((data) => ({
    seconds: T0,
    fraction: 0,
    data,
  }));
  t.deepEqual(callIds(read(pcapFile(1, records)).events), ['frag6@x']);
});

test('fragment reassembly is bounded in count and in age', (t) => {
  const reassembler = new FragmentReassembler({ maxDatagrams: 2, maxAgeSeconds: 10 });
  const fragment = (id: number) => {
    const parsed = parseIp(ipv4(Buffer.alloc(8), { id, more: true }));
    if (parsed === null || !('offset' in parsed)) throw new Error('not a fragment');
    return parsed;
  };
  reassembler.add(fragment(1), 0);
  reassembler.add(fragment(2), 1);
  reassembler.add(fragment(3), 2);
  t.is(reassembler.inProgress, 2);
  t.is(reassembler.dropped, 1);
  reassembler.add(fragment(4), 100);
  t.is(reassembler.inProgress, 1);
  t.is(reassembler.dropped, 3);
});

/** A TCP connection client -> server as frames; `segments` are [seq offset from ISN+1, bytes, flags]. */
function tcpCapture(segments: readonly [number, Buffer, number?][], isn = 0xfffffff0) {
  const frames = [
    ethernet(ipv4(tcp(40000, 5060, isn, SYN, Buffer.alloc(0)), { protocol: 6 })),
    ...segments.map(([offset, bytes, flags]) =>
      ethernet(ipv4(tcp(40000, 5060, (isn + 1 + offset) | 0, flags ?? 0, bytes), { protocol: 6 })),
    ),
  ];
  return pcapFile(
    1,
    frames.map((data, i) => ({ seconds: T0, fraction: i, data })),
  );
}

test('TCP: out of order, retransmitted, two messages in one segment, one over three segments, seq wrap', (t) => {
  const a = INVITE('tcp-a@x');
  const b = OK('tcp-a@x');
  const c = INVITE('tcp-c@x', 'v=0\r\n'.repeat(30));
  const two = Buffer.concat([a, b]);
  const c1 = c.subarray(0, 50);
  const c2 = c.subarray(50, 120);
  const c3 = c.subarray(120);
  const base = two.length;
  const { events, reader } = read(
    tcpCapture([
      [0, two],
      [base + 120, c3], // from the future: held
      [base, c1],
      [0, two], // retransmission: dropped
      [base + 50, c2], // fills the gap: c2 and c3 follow
      [base + 40, c.subarray(40, 80)], // overlap of delivered bytes: dropped
      [base + c.length, Buffer.alloc(0), FIN],
    ]),
  );
  t.deepEqual(callIds(events), ['tcp-a@x', 'tcp-a@x', 'tcp-c@x']);
  t.true(
    sip(events).every((event) => event.envelope.transport === 'tcp' && event.envelope.src.port === 40000),
  );
  const last = sip(events)[2]?.result;
  t.true(last?.ok && last.message.bytes.equals(c));
  t.is(reader.stats.sipMessages, 3);
});

test('TCP: a flow seen mid-stream starts at its first segment; FIN inside a message reports it truncated', (t) => {
  const frames = [
    ethernet(ipv4(tcp(40000, 5060, 5000, 0, INVITE('mid@x')), { protocol: 6 })),
    ethernet(
      ipv4(tcp(40000, 5060, 5000 + INVITE('mid@x').length, FIN, INVITE('cut@x').subarray(0, 30)), {
        protocol: 6,
      }),
    ),
  ];
  const { events } = read(
    pcapFile(
      1,
      frames.map((data) => ({ seconds: T0, fraction: 0, data })),
    ),
  );
  const results = sip(events).map((event) => event.result);
  t.is(results.length, 2);
  t.true(results[0]?.ok);
  t.like(results[1], { ok: false, failure: 'truncated' });
});

test('TCP: RST ends both directions; non-SIP streams and datagrams are counted, not reported', (t) => {
  const frames = [
    ethernet(ipv4(tcp(40000, 80, 1, 0, Buffer.from('GET / HTTP/1.1\r\n\r\n')), { protocol: 6 })),
    ethernet(ipv4(udp(53, 53, Buffer.from('dns-ish')))),
    ethernet(ipv4(udp(5060, 5060, Buffer.from('\r\n\r\n')))),
    ethernet(ipv4(tcp(40001, 5060, 1, 0, INVITE('rst@x').subarray(0, 40)), { protocol: 6 })),
    ethernet(
      ipv4(tcp(5060, 40001, 1, RST, Buffer.alloc(0)), { protocol: 6, src: '198.51.100.2', dst: '192.0.2.1' }),
    ),
  ];
  const { events, reader } = read(
    pcapFile(
      1,
      frames.map((data) => ({ seconds: T0, fraction: 0, data })),
    ),
  );
  t.is(events.length, 1);
  t.like(events[0], { kind: 'sip', result: { ok: false, failure: 'truncated' } });
  t.like(reader.stats, { nonSipStreams: 1, nonSipDatagrams: 1, keepAlives: 1, encryptedFlows: 0 });
});

test('TLS: a TCP connection starting with a handshake record is one encrypted flow', (t) => {
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0]);
  const serverHello = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x05, 2, 0, 0, 1, 0]);
  const frames = [
    ethernet(ipv4(tcp(40000, 5061, 1, 0, hello), { protocol: 6 })),
    ethernet(
      ipv4(tcp(5061, 40000, 1, 0, serverHello), { protocol: 6, src: '198.51.100.2', dst: '192.0.2.1' }),
    ),
    ethernet(
      ipv4(tcp(40000, 5061, 1 + hello.length, 0, Buffer.from('INVITE sip:x SIP/2.0\r\n')), { protocol: 6 }),
    ),
  ];
  const { events, reader } = read(
    pcapFile(
      1,
      frames.map((data) => ({ seconds: T0, fraction: 0, data })),
    ),
  );
  t.deepEqual(
    events.map((event) => event.kind),
    ['encrypted-flow'],
  );
  t.like(events[0], { src: { host: '192.0.2.1', port: 40000 }, dst: { host: '198.51.100.2', port: 5061 } });
  t.is(reader.stats.encryptedFlows, 1);
});

test('sniffing SIP by content', (t) => {
  t.is(sniff(Buffer.from('OPTIONS sip:carrier.example.com SIP/2.0\r\nVia: x\r\n')), 'sip');
  t.is(sniff(Buffer.from('\r\nSIP/2.0 180 Ringing\r\n')), 'sip');
  t.is(sniff(Buffer.from('x-custom tel:+15551234 SIP/2.0\r\n')), 'sip');
  // Malformed is still SIP (RFC 4475 bends these lines): the judge says what is wrong with it.
  t.is(sniff(Buffer.from('INVITE  sip:+1415@mytrunk.pstn.twilio.com SIP/2.0\r\nVia: x\r\n')), 'sip');
  t.is(sniff(Buffer.from('OPTIONS <sip:a@b> SIP/2.0\r\n')), 'sip');
  t.is(sniff(Buffer.from('SIP/2.0  200 OK\r\n')), 'sip');
  t.is(sniff(Buffer.from('hello world SIP/2.1\r\n')), 'other');
  t.is(sniff(Buffer.from('\r\n\r\n')), 'keep-alive');
  t.is(sniff(Buffer.from('GET / HTTP/1.1\r\n')), 'other');
  t.is(sniff(Buffer.from('HTTP/1.1 200 OK\r\n')), 'other');
  t.is(sniff(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])), 'tls');
  t.is(sniff(Buffer.from([0x16, 0xfe, 0xfd])), 'other');
});

test('sniffing reads the first line only, whatever follows it, and a long request line by its beginning', (t) => {
  const uri = (length: number) => `sip:${'a'.repeat(length)}@carrier.example.com`;
  // The first line ends well inside the bytes looked at; what follows it does not matter.
  t.is(sniff(Buffer.from(`SIP/2.0 200\nGET / HTTP/1.1\r\n${'x'.repeat(400)}`)), 'sip');
  t.is(sniff(Buffer.from(`hello\nINVITE ${uri(10)} SIP/2.0\r\n`)), 'other');
  // A request line longer than 256 bytes (its LF beyond them) is told by its method and scheme.
  t.is(sniff(Buffer.from(`INVITE ${uri(300)} SIP/2.0\r\nVia: x\r\n`)), 'sip');
  t.is(sniff(Buffer.from(`INVITE ${'a'.repeat(300)} SIP/2.0\r\nVia: x\r\n`)), 'other');
  // The LF as the 256th byte: the last one looked at.
  const exact = `INVITE ${uri(256 - 'INVITE  SIP/2.0\r\n'.length - uri(0).length)} SIP/2.0\r\n`;
  t.is(Buffer.byteLength(exact), 256);
  t.is(sniff(Buffer.from(`${exact}Via: x\r\n`)), 'sip');
  t.is(sniff(Buffer.from(`INVITE ${uri(300)}`)), 'sip', 'cut short, no LF at all');
});

test('a file that is no capture, or a corrupt record, is a CaptureFormatError', (t) => {
  t.throws(() => new CaptureReader().push(Buffer.from('{"not":"a capture"}')), {
    instanceOf: CaptureFormatError,
  });
  const bytes = pcapFile(1, [{ seconds: T0, fraction: 0, data: Buffer.alloc(10) }]);
  bytes.writeUInt32LE(0x7fffffff, 24 + 8);
  t.throws(() => new CaptureReader().push(bytes), { instanceOf: CaptureFormatError });
  // A record cut short at the end is left over, not an error.
  const cut = pcapFile(1, [{ seconds: T0, fraction: 0, data: ethernet(ipv4(udp(1, 2, INVITE('c@x')))) }]);
  const { reader } = read(cut.subarray(0, cut.length - 10));
  t.true(reader.stats.truncatedBytes > 0);
});
