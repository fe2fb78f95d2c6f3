/**
 * One captured frame as the capture file formats hand it over: its link type, its time and the
 * bytes captured (possibly fewer than were on the wire).
 */
export interface CapturedPacket {
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  readonly linkType: number;
  /** Whole seconds since the epoch. */
  readonly seconds: number;
  /** Nanoseconds within the second. */
  readonly nanos: number;
  readonly data: Buffer;
}

/** A capture file that cannot be read on (bad magic, a record longer than any sane frame...). */
export class CaptureFormatError extends Error {}

/** Largest record accepted: a frame bigger than this means the file is corrupt. */
export const MAX_RECORD = 16 * 1024 * 1024;

/** Milliseconds since the epoch of a packet. */
export function packetMillis(packet: Pick<CapturedPacket, 'seconds' | 'nanos'>): number {
  return packet.seconds * 1000 + Math.floor(packet.nanos / 1e6);
}

/**
 * Bytes received in chunks, read from the front. Chunks are never written to, so a view handed
 * out stays valid: only the unconsumed tail of the last chunk is ever copied.
 */
export class ByteQueue {
  #data: Buffer = Buffer.alloc(0);
  #pos = 0;

  push(chunk: Buffer): void {
    if (this.#pos >= this.#data.length) this.#data = chunk;
    else this.#data = Buffer.concat([this.#data.subarray(this.#pos), chunk]);
    this.#pos = 0;
  }

  get available(): number {
    return this.#data.length - this.#pos;
  }

  /** A view of the next n bytes, without consuming them (n must be available). */
  peek(n: number): Buffer {
    return this.#data.subarray(this.#pos, this.#pos + n);
  }

  /** The next n bytes, consumed (n must be available). */
  take(n: number): Buffer {
    const view = this.#data.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return view;
  }
}

/**
 * What both capture formats share: a push parser (feed chunks, get packets) whose bytes wait in a
 * ByteQueue until a record is whole, so memory is bounded by one record. A corrupt record stops it:
 * the packets before it are still returned, and the error is kept in `failure`.
 */
export abstract class CaptureFileParser {
  protected readonly queue = new ByteQueue();
  #failure: CaptureFormatError | null = null;

  /** Bytes of an incomplete record held at the end (a capture cut short leaves some). */
  get pending(): number {
    return this.queue.available;
  }

  /** Why the file cannot be read on, once a corrupt record was met: nothing is parsed after it. */
  get failure(): CaptureFormatError | null {
    return this.#failure;
  }

  /** The packets whose records `chunk` completes; at a corrupt record, those before it (see failure). */
  push(chunk: Buffer): CapturedPacket[] {
    const packets: CapturedPacket[] = [];
    if (this.#failure !== null) return packets;
    this.queue.push(chunk);
    try {
      this.parseQueued(packets);
    } catch (error) {
      if (!(error instanceof CaptureFormatError)) throw error;
      this.#failure = error;
    }
    return packets;
  }

  /** Appends to `packets` the packet of every record complete in the queue; throws CaptureFormatError. */
  protected abstract parseQueued(packets: CapturedPacket[]): void;
}
