/**
 * Classic libpcap files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a
 * 24-byte file header whose magic gives the byte order and the timestamp unit (a1b2c3d4:
 * microseconds, a1b23c4d: nanoseconds), then records of a 16-byte header and the frame.
 * Push parser: feed chunks, get packets; memory is bounded by one record. A corrupt record stops
 * it: the packets before it are still returned, and the error is kept in `failure`.
 */
import { ByteQueue, type CapturedPacket, CaptureFormatError, MAX_RECORD } from './packet.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapFileParser {
  readonly #queue = new ByteQueue();
  #littleEndian = false;
  #nanoUnits = false;
  #linkType = -1;
  /** Bytes consumed so far: where the next record starts in the file. */
  #offset = 0;
  #failure: CaptureFormatError | null = null;

  get linkType(): number {
    return this.#linkType;
  }

  /** Bytes of an incomplete record held at the end (a capture cut short leaves some). */
  get pending(): number {
    return this.#queue.available;
  }

  /** Why the file cannot be read on, once a corrupt record was met: nothing is parsed after it. */
  get failure(): CaptureFormatError | null {
    return this.#failure;
  }

  /** The packets whose records `chunk` completes; at a corrupt record, those before it (see failure). */
  push(chunk: Buffer): CapturedPacket[] {
    const packets: CapturedPacket[] = [];
    if (this.#failure !== null) return packets;
    this.#queue.push(chunk);
    try {
      this.#parse(packets);
    } catch (error) {
      if (!(error instanceof CaptureFormatError)) throw error;
      this.#failure = error;
    }
    return packets;
  }

  /** Appends to `packets` every record complete in the queue; throws CaptureFormatError. */
  #parse(packets: CapturedPacket[]): void {
    if (this.#linkType < 0) {
      if (this.#queue.available < FILE_HEADER) return;
      this.#readFileHeader(this.#queue.take(FILE_HEADER));
      this.#offset += FILE_HEADER;
    }
    const le = this.#littleEndian;
    while (this.#queue.available >= RECORD_HEADER) {
      const head = this.#queue.peek(RECORD_HEADER);
      const seconds = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
      const fraction = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      const captured = le ? head.readUInt32LE(8) : head.readUInt32BE(8);
      if (captured > MAX_RECORD) {
        throw new CaptureFormatError(
          `pcap record at byte ${this.#offset} claims ${captured} bytes: corrupt file`,
        );
      }
      if (this.#queue.available < RECORD_HEADER + captured) break;
      this.#queue.take(RECORD_HEADER);
      const data = this.#queue.take(captured);
      this.#offset += RECORD_HEADER + captured;
      packets.push({
        linkType: this.#linkType,
        seconds,
        nanos: this.#nanoUnits ? fraction : fraction * 1000,
        data,
      });
    }
  }

  #readFileHeader(header: Buffer): void {
    const magic = header.readUInt32BE(0);
    switch (magic) {
      case 0xa1b2c3d4:
        break;
      case 0xd4c3b2a1:
        this.#littleEndian = true;
        break;
      case 0xa1b23c4d:
        this.#nanoUnits = true;
        break;
      case 0x4d3cb2a1:
        this.#littleEndian = true;
        this.#nanoUnits = true;
        break;
      default:
        throw new CaptureFormatError(`not a pcap file (magic ${magic.toString(16)})`);
    }
    // The link type is the low 16 bits; the upper ones may carry FCS information.
    this.#linkType = (this.#littleEndian ? header.readUInt32LE(20) : header.readUInt32BE(20)) & 0xffff;
  }
}
