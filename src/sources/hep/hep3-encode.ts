/**
 * Builds HEPv3 packets (see hep3-decode.ts for the format). Used by the tests, to feed the
 * collector packets of every shape, and handy for a replay tool: a trace record becomes the
 * packet a capture agent would have sent for it.
 */
import { isIP } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  AF_INET,
  AF_INET6,
  HEP_CHUNK,
  HEP_PROTOCOL_SIP,
  HEP3_HEADER_BYTES,
  IP_PROTOCOL_TCP,
  IP_PROTOCOL_UDP,
} from './hep3-decode.js';

export interface HepChunk {
  readonly vendor?: number;
  readonly type: number;
  readonly value: Buffer;
}

export interface Hep3PacketFields {
  readonly src: { readonly host: string; readonly port: number };
  readonly dst: { readonly host: string; readonly port: number };
  /** 'udp' or 'tcp' (a TLS leg is mirrored as TCP: HEP has no TLS flag). */
  readonly protocol: 'udp' | 'tcp';
  readonly timeMs: number;
  readonly payload: Buffer | string;
  /** Send the payload as chunk 16 (gzip) instead of 15. */
  readonly compress?: boolean;
  readonly protocolType?: number;
  readonly captureId?: number;
  /** More chunks, appended after the payload (unknown ones, other vendors...). */
  readonly extraChunks?: readonly HepChunk[];
}

export function chunk(type: number, value: Buffer, vendor = 0): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16BE(vendor, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt16BE(value.length + 6, 4);
  return Buffer.concat([header, value]);
}

export function uint8(value: number): Buffer {
  return Buffer.from([value]);
}

export function uint16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

export function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/** An IPv4 or IPv6 address as its 4 or 16 bytes. */
export function addressBytes(host: string): Buffer {
  if (isIP(host) === 4) return Buffer.from(host.split('.').map(Number));
  if (isIP(host) !== 6) throw new Error(`${host} is not an IP address`);
  const [head = '', tail] = host.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const buffer = Buffer.alloc(16);
  for (const [index, group] of all.entries()) buffer.writeUInt16BE(Number.parseInt(group, 16), index * 2);
  return buffer;
}

/** Wraps chunks into a packet: magic, total length, chunks. */
export function hep3Packet(chunks: readonly Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  const header = Buffer.alloc(HEP3_HEADER_BYTES);
  header.write('HEP3', 0, 'latin1');
  header.writeUInt16BE(HEP3_HEADER_BYTES + body.length, 4);
  return Buffer.concat([header, body]);
}

/** A whole packet as a capture agent sends one SIP message. */
export function encodeHep3(fields: Hep3PacketFields): Buffer {
  const v6 = isIP(fields.src.host) === 6;
  const payload = typeof fields.payload === 'string' ? Buffer.from(fields.payload) : fields.payload;
  return hep3Packet([
    chunk(HEP_CHUNK.ipFamily, uint8(v6 ? AF_INET6 : AF_INET)),
    chunk(HEP_CHUNK.ipProtocol, uint8(fields.protocol === 'udp' ? IP_PROTOCOL_UDP : IP_PROTOCOL_TCP)),
    chunk(v6 ? HEP_CHUNK.ipv6Src : HEP_CHUNK.ipv4Src, addressBytes(fields.src.host)),
    chunk(v6 ? HEP_CHUNK.ipv6Dst : HEP_CHUNK.ipv4Dst, addressBytes(fields.dst.host)),
    chunk(HEP_CHUNK.srcPort, uint16(fields.src.port)),
    chunk(HEP_CHUNK.dstPort, uint16(fields.dst.port)),
    chunk(HEP_CHUNK.timeSeconds, uint32(Math.floor(fields.timeMs / 1000))),
    chunk(HEP_CHUNK.timeMicros, uint32((fields.timeMs % 1000) * 1000)),
    chunk(HEP_CHUNK.protocolType, uint8(fields.protocolType ?? HEP_PROTOCOL_SIP)),
    chunk(HEP_CHUNK.captureId, uint32(fields.captureId ?? 2001)),
    fields.compress
      ? chunk(HEP_CHUNK.compressedPayload, gzipSync(payload))
      : chunk(HEP_CHUNK.payload, payload),
    ...(fields.extraChunks ?? []).map((extra) => chunk(extra.type, extra.value, extra.vendor ?? 0)),
  ]);
}
