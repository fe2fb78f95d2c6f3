/**
 * Classic libpcap files (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a
 * 24-byte file header whose magic gives the byte order and the timestamp unit (a1b2c3d4:
 * microseconds, a1b23c4d: nanoseconds), then records of a 16-byte header and the frame.
 * A push parser (CaptureFileParser): memory is bounded by one record, and a corrupt record ends
 * the file with the packets before it still returned.
 */
import { type CapturedPacket, CaptureFileParser, CaptureFormatError, MAX_RECORD } from './packet.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapFileParser extends CaptureFileParser {
  #littleEndian = false;
  #nanoUnits = false;
  #linkType = -1;
  /** Bytes consumed so far: where the next record starts in the file. */
  #offset = 0;

  get linkType(): number {
    return this.#linkType;
  }

  protected parseQueued(packets: CapturedPacket[]): void {
    if (this.#linkType < 0) {
      if (this.queue.available < FILE_HEADER) return;
      this.#readFileHeader(this.queue.take(FILE_HEADER));
      this.#offset += FILE_HEADER;
    }
    const le = this.#littleEndian;
    while (this.queue.available >= RECORD_HEADER) {
      const head = this.queue.peek(RECORD_HEADER);
      const seconds = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
      const fraction = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      const captured = le ? head.readUInt32LE(8) : head.readUInt32BE(8);
      if (captured > MAX_RECORD) {
        throw new CaptureFormatError(
          `pcap record at byte ${this.#offset} claims ${captured} bytes: corrupt file`,
        );
      }
      if (this.queue.available < RECORD_HEADER + captured) break;
      this.queue.take(RECORD_HEADER);
      const data = this.queue.take(captured);
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
