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
