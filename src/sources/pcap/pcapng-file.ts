/**
 * pcapng files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): a sequence of
 * blocks (type, total length, body, total length again). A Section Header Block (SHB) starts each
 * section and gives its byte order; Interface Description Blocks (IDB) number the interfaces of
 * the section, with their link type, snap length and timestamp resolution (option if_tsresol);
 * Enhanced Packet Blocks (EPB) and Simple Packet Blocks (SPB, interface 0) carry frames.
 * Every other block is skipped. A push parser (CaptureFileParser): memory is bounded by one block,
 * and a corrupt block ends the file with the packets before it still returned.
 */
import {
  type CapturedPacket,
  CaptureFileParser,
  CaptureFormatError,
  MAX_RECORD,
  packetMillis,
} from './packet.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
/** The last millisecond a JavaScript Date holds (ECMA-262 §21.4.1.22: 8.64e15 ms after the epoch). */
const MAX_DATE_MS = 8.64e15;
const IF_TSRESOL = 9;

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per second, as a BigInt (10^6 by default). */
  readonly unitsPerSecond: bigint;
}

export class PcapngFileParser extends CaptureFileParser {
  #littleEndian = false;
  #inSection = false;
  #interfaces: Interface[] = [];
  #offset = 0;
  /** Sections seen so far. */
  sections = 0;

  protected parseQueued(packets: CapturedPacket[]): void {
    while (this.queue.available >= 12) {
      const head = this.queue.peek(12);
      const type = head.readUInt32BE(0);
      if (type === SHB) {
        // The byte order of the section, and so of this block's length, comes from its BOM.
        const bom = head.readUInt32BE(8);
        if (bom === BYTE_ORDER_MAGIC) this.#littleEndian = false;
        else if (bom === 0x4d3c2b1a) this.#littleEndian = true;
        else
          throw new CaptureFormatError(`pcapng section at byte ${this.#offset} has a bad byte-order magic`);
      } else if (!this.#inSection) {
        throw new CaptureFormatError('not a pcapng file (no section header block first)');
      }
      const length = this.#littleEndian ? head.readUInt32LE(4) : head.readUInt32BE(4);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        throw new CaptureFormatError(`pcapng block at byte ${this.#offset} has a bad length (${length})`);
      }
      if (this.queue.available < length) break;
      const block = this.queue.take(length);
      // Read before #offset moves on, so that an error in the block names where the block starts.
      const packet = this.#readBlock(type === SHB ? SHB : this.#u32(block, 0), block);
      this.#offset += length;
      if (packet !== null) packets.push(packet);
    }
  }

  #u32(buffer: Buffer, at: number): number {
    return this.#littleEndian ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at);
  }

  #u16(buffer: Buffer, at: number): number {
    return this.#littleEndian ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at);
  }

  #readBlock(type: number, block: Buffer): CapturedPacket | null {
    const body = block.subarray(8, block.length - 4);
    switch (type) {
      case SHB:
        this.#inSection = true;
        this.#interfaces = [];
        this.sections++;
        return null;
      case IDB:
        this.#interfaces.push(this.#readInterface(body));
        return null;
      case EPB: {
        if (body.length < 20)
          throw new CaptureFormatError(`short enhanced packet block at byte ${this.#offset}`);
        const iface = this.#interface(this.#u32(body, 0));
        const units = (BigInt(this.#u32(body, 4)) << 32n) | BigInt(this.#u32(body, 8));
        const time = split(units, iface.unitsPerSecond);
        // A 64-bit count of units (10^0 per second for a damaged if_tsresol) can pass the last
        // moment a Date holds; every time reported is a Date's text, so the file cannot be read on.
        // Compared in milliseconds, as the time is reported: the last second holds only its first one.
        if (packetMillis(time) > MAX_DATE_MS) {
          throw new CaptureFormatError(
            `pcapng packet at byte ${this.#offset} is time-stamped after the year 275760 (its interface counts ${iface.unitsPerSecond} units per second): corrupt file`,
          );
        }
        const captured = Math.min(this.#u32(body, 12), body.length - 20);
        return { linkType: iface.linkType, ...time, data: body.subarray(20, 20 + captured) };
      }
      case SPB: {
        if (body.length < 4)
          throw new CaptureFormatError(`short simple packet block at byte ${this.#offset}`);
        const iface = this.#interface(0);
        const original = this.#u32(body, 0);
        let captured = Math.min(original, body.length - 4);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        // An SPB has no timestamp.
        return { linkType: iface.linkType, seconds: 0, nanos: 0, data: body.subarray(4, 4 + captured) };
      }
      default:
        return null;
    }
  }

  #interface(id: number): Interface {
    const iface = this.#interfaces[id];
    if (iface === undefined) {
      throw new CaptureFormatError(
        `pcapng packet at byte ${this.#offset} names interface ${id}, never described`,
      );
    }
    return iface;
  }

  #readInterface(body: Buffer): Interface {
    if (body.length < 8)
      throw new CaptureFormatError(`short interface description block at byte ${this.#offset}`);
    const linkType = this.#u16(body, 0);
    const snapLength = this.#u32(body, 4);
    let unitsPerSecond = 1_000_000n;
    let at = 8;
    while (at + 4 <= body.length) {
      const code = this.#u16(body, at);
      const length = this.#u16(body, at + 2);
      if (code === OPT_END) break;
      if (code === IF_TSRESOL && length >= 1 && at + 4 < body.length) {
        const resolution = body[at + 4] ?? 6;
        const exponent = BigInt(resolution & 0x7f);
        unitsPerSecond = resolution & 0x80 ? 1n << exponent : 10n ** exponent;
      }
      at += 4 + Math.ceil(length / 4) * 4;
    }
    return { linkType, snapLength, unitsPerSecond };
  }
}

function split(units: bigint, unitsPerSecond: bigint): { seconds: number; nanos: number } {
  const seconds = units / unitsPerSecond;
  const rest = units % unitsPerSecond;
  return { seconds: Number(seconds), nanos: Number((rest * 1_000_000_000n) / unitsPerSecond) };
}
