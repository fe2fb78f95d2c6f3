/**
 * TCP reassembly: per connection direction (source and destination address and port), payload
 * bytes are put back in sequence order and handed over in order. A SYN gives the initial
 * sequence number; a direction first seen mid-stream starts at its first segment. Segments from
 * the future are held (bounded: past the bound the gap is skipped); bytes already delivered
 * (retransmissions, overlaps) are dropped. A FIN, once every byte before it was delivered, or a
 * RST ends the direction. The number of directions tracked at once is bounded too: the least
 * recently active one is ended first.
 */
import { KeyedQueue } from '../../report/keyed-queue.js';

export interface TcpSegment {
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly payload: Buffer;
}

/** What a consumer does with a direction's bytes; `gap` tells bytes were lost before `data`. */
export interface StreamSink<S> {
  open(key: string, segment: TcpSegment): S;
  data(stream: S, bytes: Buffer, gap: boolean): void;
  end(stream: S): void;
}

export interface TcpLimits {
  /** Directions tracked at once. */
  readonly maxStreams?: number;
  /** Out-of-order bytes held per direction before the gap is given up on. */
  readonly maxHeldBytes?: number;
  /** Out-of-order segments held per direction. */
  readonly maxHeldSegments?: number;
}

interface Direction<S> {
  readonly key: string;
  readonly stream: S;
  /** Next sequence number expected, or null before the first data (after a SYN it is set). */
  next: number | null;
  /** Sequence number of the FIN, once seen. */
  finAt: number | null;
  held: { seq: number; bytes: Buffer }[];
  heldBytes: number;
}

/** Signed 32-bit difference a - b in sequence space (RFC 1982 arithmetic). */
const seqDiff = (a: number, b: number) => (a - b) | 0;

export class TcpReassembler<S> {
  readonly #sink: StreamSink<S>;
  /** Least recently active first (a KeyedQueue: moving a Map entry per segment leaves holes that reading its front walks). */
  readonly #directions = new KeyedQueue<string, Direction<S>>();
  readonly #maxStreams: number;
  readonly #maxHeldBytes: number;
  readonly #maxHeldSegments: number;
  /** Gaps skipped because held segments passed the bound. */
  gaps = 0;

  constructor(sink: StreamSink<S>, limits: TcpLimits = {}) {
    this.#sink = sink;
    this.#maxStreams = limits.maxStreams ?? 65_536;
    this.#maxHeldBytes = limits.maxHeldBytes ?? 1024 * 1024;
    this.#maxHeldSegments = limits.maxHeldSegments ?? 256;
  }

  get tracked(): number {
    return this.#directions.size;
  }

  add(segment: TcpSegment): void {
    const key = `${segment.src}|${segment.srcPort}|${segment.dst}|${segment.dstPort}`;
    let direction = this.#directions.get(key);
    if (segment.rst) {
      if (direction !== undefined) this.#close(direction);
      const reverse = this.#directions.get(
        `${segment.dst}|${segment.dstPort}|${segment.src}|${segment.srcPort}`,
      );
      if (reverse !== undefined) this.#close(reverse);
      return;
    }
    if (segment.syn && direction !== undefined && direction.next !== null) {
      // A new connection on the same addresses (or a retransmitted SYN).
      if (seqDiff(segment.seq + 1, direction.next) === 0) return;
      this.#close(direction);
      direction = undefined;
    }
    if (direction === undefined) {
      if (!segment.syn && segment.payload.length === 0) return; // a bare ACK or FIN: nothing to read
      direction = this.#open(key, segment);
    } else {
      // Least recently active first: move it to the end.
      this.#directions.pushBack(key, direction);
    }
    let seq = segment.seq;
    if (segment.syn) {
      direction.next = (seq + 1) | 0;
      seq = direction.next;
    } else if (direction.next === null) {
      direction.next = seq;
    }
    if (segment.fin) direction.finAt = (seq + segment.payload.length) | 0;
    if (segment.payload.length > 0) this.#place(direction, seq, segment.payload);
    if (
      direction.finAt !== null &&
      direction.next !== null &&
      seqDiff(direction.next, direction.finAt) >= 0
    ) {
      this.#close(direction);
    }
  }

  /** Ends every direction still open (the capture ended). */
  finish(): void {
    for (const direction of [...this.#directions.values()]) this.#close(direction);
  }

  #open(key: string, segment: TcpSegment): Direction<S> {
    if (this.#directions.size >= this.#maxStreams) {
      const oldest = this.#directions.first();
      if (oldest !== undefined) this.#close(oldest);
    }
    const direction: Direction<S> = {
      key,
      stream: this.#sink.open(key, segment),
      next: null,
      finAt: null,
      held: [],
      heldBytes: 0,
    };
    this.#directions.pushBack(key, direction);
    return direction;
  }

  #close(direction: Direction<S>): void {
    this.#directions.delete(direction.key);
    this.#sink.end(direction.stream);
  }

  #place(direction: Direction<S>, seq: number, bytes: Buffer): void {
    const next = direction.next ?? seq;
    const ahead = seqDiff(seq, next);
    if (ahead > 0) {
      this.#hold(direction, seq, bytes);
      return;
    }
    // Bytes before `next` were delivered already: keep only what is new.
    if (-ahead >= bytes.length) return;
    this.#deliver(direction, bytes.subarray(-ahead), false);
    this.#drain(direction);
  }

  #deliver(direction: Direction<S>, bytes: Buffer, gap: boolean): void {
    direction.next = ((direction.next ?? 0) + bytes.length) | 0;
    this.#sink.data(direction.stream, bytes, gap);
  }

  /** Delivers held segments that have become in order. */
  #drain(direction: Direction<S>): void {
    while (direction.held.length > 0) {
      const first = direction.held[0];
      if (first === undefined || direction.next === null) return;
      const ahead = seqDiff(first.seq, direction.next);
      if (ahead > 0) return;
      direction.held.shift();
      direction.heldBytes -= first.bytes.length;
      if (-ahead < first.bytes.length) this.#deliver(direction, first.bytes.subarray(-ahead), false);
    }
  }

  #hold(direction: Direction<S>, seq: number, bytes: Buffer): void {
    const held = direction.held;
    const next = direction.next ?? seq;
    // Sorted by distance from `next`; a segment already held at that place is a retransmission.
    const distance = seqDiff(seq, next);
    let at = held.length;
    while (at > 0 && seqDiff((held[at - 1] as { seq: number }).seq, next) > distance) at--;
    if (at > 0 && (held[at - 1] as { seq: number }).seq === seq) return;
    held.splice(at, 0, { seq, bytes });
    direction.heldBytes += bytes.length;
    if (held.length <= this.#maxHeldSegments && direction.heldBytes <= this.#maxHeldBytes) return;
    // The missing bytes are not coming: skip the gap to the first held segment.
    const first = held.shift() as { seq: number; bytes: Buffer };
    direction.heldBytes -= first.bytes.length;
    this.gaps++;
    direction.next = first.seq;
    this.#deliver(direction, first.bytes, true);
    this.#drain(direction);
  }
}
