/** Builders of capture bytes for the pcap tests: frames, IP packets, and whole files. */

export const INVITE = (callId: string, body = '') =>
  Buffer.from(
    `INVITE sip:bob@198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-${callId}\r\n` +
      `Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=a\r\nTo: <sip:bob@198.51.100.2>\r\n` +
      `Call-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.1>\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

export const OK = (callId: string) =>
  Buffer.from(
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-${callId}\r\n` +
      `From: <sip:alice@192.0.2.1>;tag=a\r\nTo: <sip:bob@198.51.100.2>;tag=b\r\n` +
      `Call-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
  );

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

function v4Address(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

function v6Address(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const h = parts(head);
  const t = text.includes('::') ? parts(tail) : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return Buffer.concat(groups.map(u16));
}

export function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([header, payload]);
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

export function tcp(srcPort: number, dstPort: number, seq: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt32BE(seq >>> 0, 4);
  header[12] = 5 << 4;
  header[13] = flags | ACK;
  return Buffer.concat([header, payload]);
}

export interface V4Options {
  readonly src?: string;
  readonly dst?: string;
  readonly protocol?: number;
  readonly id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  readonly offset?: number;
  readonly more?: boolean;
  /** IP options (a multiple of 4 bytes). */
  readonly options?: Buffer;
}

export function ipv4(payload: Buffer, o: V4Options = {}): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const header = Buffer.alloc(20);
  header[0] = 0x40 | ((20 + options.length) / 4);
  header.writeUInt16BE(20 + options.length + payload.length, 2);
  header.writeUInt16BE(o.id ?? 1, 4);
  header.writeUInt16BE(((o.more ? 1 : 0) << 13) | ((o.offset ?? 0) / 8), 6);
  header[8] = 64;
  header[9] = o.protocol ?? 17;
  v4Address(o.src ?? '192.0.2.1').copy(header, 12);
  v4Address(o.dst ?? '198.51.100.2').copy(header, 16);
  return Buffer.concat([header, options, payload]);
}

export interface V6Options {
  readonly src?: string;
  readonly dst?: string;
  readonly next?: number;
  /** Extension headers already built, the first one's type in `next`. */
  readonly extensions?: Buffer;
  readonly first?: number;
}

export function ipv6(payload: Buffer, o: V6Options = {}): Buffer {
  const extensions = o.extensions ?? Buffer.alloc(0);
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  header.writeUInt16BE(extensions.length + payload.length, 4);
  header[6] = o.first ?? o.next ?? 17;
  header[7] = 64;
  v6Address(o.src ?? '2001:db8::1').copy(header, 8);
  v6Address(o.dst ?? '2001:db8::2').copy(header, 24);
  return Buffer.concat([header, extensions, payload]);
}

/** An IPv6 extension header of 8 bytes (hop-by-hop, routing, destination options: padding only). */
export function v6Option(next: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = next;
  b[1] = 0;
  return b;
}

export function v6Fragment(next: number, offset: number, more: boolean, id: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = next;
  b.writeUInt16BE(offset | (more ? 1 : 0), 2);
  b.writeUInt32BE(id, 4);
  return b;
}

export function ethernet(ip: Buffer, vlans: readonly number[] = []): Buffer {
  const macs = Buffer.alloc(12, 0xaa);
  const tags = vlans.flatMap((tpid, i) => [u16(tpid), u16(100 + i)]);
  return Buffer.concat([macs, ...tags, u16((ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800), ip]);
}

export function sll(ip: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(772, 2);
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE((ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([h, ip]);
}

export function sll2(ip: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE((ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800, 0);
  h.writeUInt32BE(1, 4);
  return Buffer.concat([h, ip]);
}

/** BSD loopback header: the address family, little-endian (NULL on x86) or big-endian (LOOP). */
export function loopback(ip: Buffer, bigEndian: boolean): Buffer {
  const h = Buffer.alloc(4);
  const family = (ip[0] ?? 0) >> 4 === 6 ? 30 : 2;
  if (bigEndian) h.writeUInt32BE(family);
  else h.writeUInt32LE(family);
  return Buffer.concat([h, ip]);
}

export interface Record {
  readonly seconds: number;
  /** µs or ns, as the file's unit. */
  readonly fraction: number;
  readonly data: Buffer;
}

export function pcapFile(
  linkType: number,
  records: readonly Record[],
  o: { le?: boolean; ns?: boolean } = {},
) {
  const le = o.le ?? true;
  const w32 = (b: Buffer, n: number, at: number) => (le ? b.writeUInt32LE(n, at) : b.writeUInt32BE(n, at));
  const w16 = (b: Buffer, n: number, at: number) => (le ? b.writeUInt16LE(n, at) : b.writeUInt16BE(n, at));
  const header = Buffer.alloc(24);
  w32(header, o.ns ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(header, 2, 4);
  w16(header, 4, 6);
  w32(header, 262144, 16);
  w32(header, linkType, 20);
  const parts: Buffer[] = [header];
  for (const r of records) {
    const h = Buffer.alloc(16);
    w32(h, r.seconds, 0);
    w32(h, r.fraction, 4);
    w32(h, r.data.length, 8);
    w32(h, r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** pcapng blocks in one byte order. */
export class PcapngWriter {
  readonly #le: boolean;
  readonly #parts: Buffer[] = [];
  constructor(le: boolean) {
    this.#le = le;
  }
  #w32(b: Buffer, n: number, at: number) {
    if (this.#le) b.writeUInt32LE(n >>> 0, at);
    else b.writeUInt32BE(n >>> 0, at);
  }
  #w16(b: Buffer, n: number, at: number) {
    if (this.#le) b.writeUInt16LE(n, at);
    else b.writeUInt16BE(n, at);
  }
  block(type: number, body: Buffer): this {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const b = Buffer.alloc(12 + padded.length);
    this.#w32(b, type, 0);
    this.#w32(b, b.length, 4);
    padded.copy(b, 8);
    this.#w32(b, b.length, b.length - 4);
    this.#parts.push(b);
    return this;
  }
  section(): this {
    const body = Buffer.alloc(16);
    this.#w32(body, 0x1a2b3c4d, 0);
    this.#w16(body, 1, 4);
    body.writeBigInt64BE(-1n, 8);
    return this.block(0x0a0d0d0a, body);
  }
  interface(linkType: number, tsresol?: number, snapLength = 0): this {
    const body = Buffer.alloc(8);
    this.#w16(body, linkType, 0);
    this.#w32(body, snapLength, 4);
    const options: Buffer[] = [];
    if (tsresol !== undefined) {
      const o = Buffer.alloc(8);
      this.#w16(o, 9, 0);
      this.#w16(o, 1, 2);
      o[4] = tsresol;
      options.push(o, Buffer.alloc(4));
    }
    return this.block(1, Buffer.concat([body, ...options]));
  }
  packet(iface: number, units: bigint, data: Buffer): this {
    const body = Buffer.alloc(20);
    this.#w32(body, iface, 0);
    this.#w32(body, Number(units >> 32n), 4);
    this.#w32(body, Number(units & 0xffffffffn), 8);
    this.#w32(body, data.length, 12);
    this.#w32(body, data.length, 16);
    return this.block(6, Buffer.concat([body, data]));
  }
  simple(data: Buffer): this {
    const body = Buffer.alloc(4);
    this.#w32(body, data.length, 0);
    return this.block(3, Buffer.concat([body, data]));
  }
  bytes(): Buffer {
    return Buffer.concat(this.#parts);
  }
}
