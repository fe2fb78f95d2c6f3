/**
 * HEPv3 (the Homer Encapsulation Protocol, version 3), as capture agents (Kamailio's siptrace,
 * OpenSIPS' proto_hep, FreeSWITCH, heplify, SBCs) send it: a packet is
 *
 *   "HEP3" | total length uint16 (the whole packet, magic included) | chunks...
 *
 * and every chunk is
 *
 *   vendor id uint16 | type id uint16 | chunk length uint16 (its 6-byte header included) | value
 *
 * all in network byte order. The generic chunks (vendor 0) read here are 1 IP family, 2 IP
 * protocol, 3/4 IPv4 source/destination, 5/6 IPv6 source/destination, 7/8 ports, 9/10 time
 * (seconds, microseconds), 11 protocol type (1 = SIP), 12 capture agent id, 15 payload and 16
 * gzip-compressed payload. Chunks of other vendors and other types (keep-alive timer, auth key,
 * correlation id, VLAN...) are skipped by their length. Written from the format, not from hep-js.
 *
 * Nothing here throws on bad input: a packet that cannot be read is a HepError with a reason.
 */
import { gunzipSync } from 'node:zlib';
import { ipv4Text, ipv6Text } from '../address-text.js';

export const HEP3_MAGIC = 'HEP3';
/** Magic (4) and total length (2). */
export const HEP3_HEADER_BYTES = 6;
export const HEP3_CHUNK_HEADER_BYTES = 6;
/** A decompressed payload larger than this is refused (a gzip bomb in one small packet). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export const HEP_CHUNK = {
  ipFamily: 1,
  ipProtocol: 2,
  ipv4Src: 3,
  ipv4Dst: 4,
  ipv6Src: 5,
  ipv6Dst: 6,
  srcPort: 7,
  dstPort: 8,
  timeSeconds: 9,
  timeMicros: 10,
  protocolType: 11,
  captureId: 12,
  keepAliveTimer: 13,
  authKey: 14,
  payload: 15,
  compressedPayload: 16,
  correlationId: 17,
  vlanId: 18,
} as const;

/** Chunk 11's value for SIP; only SIP payloads are judged. */
export const HEP_PROTOCOL_SIP = 1;
export const IP_PROTOCOL_TCP = 6;
export const IP_PROTOCOL_UDP = 17;
export const AF_INET = 2;
export const AF_INET6 = 10;

export interface HepPacket {
  /** 2 (IPv4), 10 (IPv6), or null when absent. */
  readonly ipFamily: number | null;
  /** 17 UDP, 6 TCP, or null when absent. */
  readonly ipProtocol: number | null;
  readonly srcHost: string | null;
  readonly dstHost: string | null;
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  /** Milliseconds since the epoch from chunks 9 and 10, or null when chunk 9 is absent. */
  readonly timeMs: number | null;
  /** Chunk 11: 1 is SIP. */
  readonly protocolType: number | null;
  readonly captureId: number | null;
  readonly correlationId: string | null;
  /** Chunk 15, or chunk 16 decompressed. */
  readonly payload: Buffer | null;
  /** Chunks of a vendor other than 0 or of an unknown type, skipped. */
  readonly skippedChunks: number;
}

export interface HepError {
  readonly error: string;
}

export function isHepError(value: HepPacket | HepError): value is HepError {
  return 'error' in value;
}

/** True when `bytes` starts with the HEP3 magic. */
export function hasHep3Magic(bytes: Buffer, offset = 0): boolean {
  return (
    bytes.length - offset >= 4 &&
    bytes[offset] === 0x48 &&
    bytes[offset + 1] === 0x45 &&
    bytes[offset + 2] === 0x50 &&
    bytes[offset + 3] === 0x33
  );
}

/** Decodes one whole HEP3 packet (a UDP datagram, or one frame cut from a TCP stream). */
export function decodeHep3(bytes: Buffer, maxPayloadBytes = MAX_PAYLOAD_BYTES): HepPacket | HepError {
  if (bytes.length < HEP3_HEADER_BYTES) return { error: `${bytes.length} bytes, shorter than a HEP3 header` };
  if (!hasHep3Magic(bytes)) {
    // HEPv1/v2 start with the version byte (1 or 2); say so rather than "garbage".
    const first = bytes[0];
    return {
      error:
        first === 1 || first === 2
          ? `HEPv${first} packet: only HEPv3 is read (set the agent's HEP version to 3)`
          : 'no HEP3 magic',
    };
  }
  const total = bytes.readUInt16BE(4);
  if (total < HEP3_HEADER_BYTES) return { error: `total length ${total} is shorter than the header` };
  if (total > bytes.length) return { error: `total length ${total} but only ${bytes.length} bytes` };
  let ipFamily: number | null = null;
  let ipProtocol: number | null = null;
  let srcHost: string | null = null;
  let dstHost: string | null = null;
  let srcPort: number | null = null;
  let dstPort: number | null = null;
  let seconds: number | null = null;
  let micros = 0;
  let protocolType: number | null = null;
  let captureId: number | null = null;
  let correlationId: string | null = null;
  let payload: Buffer | null = null;
  let skippedChunks = 0;
  let offset = HEP3_HEADER_BYTES;
  while (offset < total) {
    if (total - offset < HEP3_CHUNK_HEADER_BYTES) {
      return { error: `${total - offset} bytes left at offset ${offset}, shorter than a chunk header` };
    }
    const vendor = bytes.readUInt16BE(offset);
    const type = bytes.readUInt16BE(offset + 2);
    const length = bytes.readUInt16BE(offset + 4);
    if (length < HEP3_CHUNK_HEADER_BYTES) {
      return { error: `chunk ${vendor}/${type} at offset ${offset} has length ${length} (< 6)` };
    }
    if (offset + length > total) {
      return { error: `chunk ${vendor}/${type} at offset ${offset} runs past the packet (${length} bytes)` };
    }
    const value = bytes.subarray(offset + HEP3_CHUNK_HEADER_BYTES, offset + length);
    offset += length;
    if (vendor !== 0) {
      skippedChunks++;
      continue;
    }
    const bad = (what: string) => ({ error: `chunk ${type} (${what}) has ${value.length} value bytes` });
    switch (type) {
      case HEP_CHUNK.ipFamily:
        if (value.length !== 1) return bad('IP family');
        ipFamily = value[0]!;
        break;
      case HEP_CHUNK.ipProtocol:
        if (value.length !== 1) return bad('IP protocol');
        ipProtocol = value[0]!;
        break;
      case HEP_CHUNK.ipv4Src:
      case HEP_CHUNK.ipv4Dst:
        if (value.length !== 4) return bad('IPv4 address');
        if (type === HEP_CHUNK.ipv4Src) srcHost = ipv4Text(value, 0);
        else dstHost = ipv4Text(value, 0);
        break;
      case HEP_CHUNK.ipv6Src:
      case HEP_CHUNK.ipv6Dst:
        if (value.length !== 16) return bad('IPv6 address');
        if (type === HEP_CHUNK.ipv6Src) srcHost = ipv6Text(value, 0);
        else dstHost = ipv6Text(value, 0);
        break;
      case HEP_CHUNK.srcPort:
      case HEP_CHUNK.dstPort:
        if (value.length !== 2) return bad('port');
        if (type === HEP_CHUNK.srcPort) srcPort = value.readUInt16BE(0);
        else dstPort = value.readUInt16BE(0);
        break;
      case HEP_CHUNK.timeSeconds:
        if (value.length !== 4) return bad('time seconds');
        seconds = value.readUInt32BE(0);
        break;
      case HEP_CHUNK.timeMicros:
        if (value.length !== 4) return bad('time microseconds');
        micros = value.readUInt32BE(0);
        break;
      case HEP_CHUNK.protocolType:
        if (value.length !== 1) return bad('protocol type');
        protocolType = value[0]!;
        break;
      case HEP_CHUNK.captureId:
        // uint32 in the draft; some agents send a uint16.
        if (value.length === 4) captureId = value.readUInt32BE(0);
        else if (value.length === 2) captureId = value.readUInt16BE(0);
        else return bad('capture agent id');
        break;
      case HEP_CHUNK.correlationId:
        correlationId = value.toString('latin1');
        break;
      case HEP_CHUNK.payload:
        payload = Buffer.from(value); // a copy: the datagram/stream buffer is not kept
        break;
      case HEP_CHUNK.compressedPayload: {
        try {
          payload = gunzipSync(value, { maxOutputLength: maxPayloadBytes });
        } catch (error) {
          return { error: `compressed payload: ${(error as Error).message}` };
        }
        break;
      }
      default:
        skippedChunks++;
    }
  }
  if (payload !== null && payload.length > maxPayloadBytes) {
    return { error: `payload of ${payload.length} bytes, more than ${maxPayloadBytes}` };
  }
  return {
    ipFamily,
    ipProtocol,
    srcHost,
    dstHost,
    srcPort,
    dstPort,
    timeMs: seconds === null ? null : seconds * 1000 + Math.floor(micros / 1000),
    protocolType,
    captureId,
    correlationId,
    payload,
    skippedChunks,
  };
}

/**
 * HEP over TCP: a stream of HEP3 packets back to back, each framed by its own total length (the
 * uint16 after the magic). Feed the bytes as they come; whole packets come out. A stream that
 * does not start with the magic where a packet should begin cannot be resynchronized reliably
 * (a payload may contain "HEP3"), so the framer stops and says why: the connection is closed.
 */
export class Hep3StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);
  #failed: string | null = null;

  get failed(): string | null {
    return this.#failed;
  }

  /** Bytes held waiting for the rest of a packet. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Appends `chunk` and returns every whole packet now available (each its own Buffer). */
  push(chunk: Buffer): Buffer[] {
    if (this.#failed !== null) return [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const packets: Buffer[] = [];
    let offset = 0;
    while (this.#buffer.length - offset >= HEP3_HEADER_BYTES) {
      if (!hasHep3Magic(this.#buffer, offset)) {
        this.#failed = `no HEP3 magic at the start of a packet (stream offset +${offset})`;
        break;
      }
      const total = this.#buffer.readUInt16BE(offset + 4);
      if (total < HEP3_HEADER_BYTES) {
        this.#failed = `a packet's total length is ${total}, shorter than its header`;
        break;
      }
      if (this.#buffer.length - offset < total) break;
      packets.push(Buffer.from(this.#buffer.subarray(offset, offset + total)));
      offset += total;
    }
    // A partial magic is checked as soon as its bytes are there.
    if (this.#failed === null && offset < this.#buffer.length) {
      const rest = this.#buffer.subarray(offset, Math.min(offset + 4, this.#buffer.length));
      if (!HEP3_MAGIC.startsWith(rest.toString('latin1')))
        this.#failed = `no HEP3 magic at the start of a packet (stream offset +${offset})`;
    }
    this.#buffer = this.#failed === null ? Buffer.from(this.#buffer.subarray(offset)) : Buffer.alloc(0);
    return packets;
  }
}
