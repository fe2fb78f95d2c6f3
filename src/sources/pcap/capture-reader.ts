/**
 * A capture file, whole: bytes in (chunk by chunk, from pcap or pcapng), SIP records out. Frames
 * go through the link layer, IP (with fragment reassembly), then UDP (one SIP message per
 * datagram) or TCP (reassembled per direction and framed by Content-Length). SIP is recognised
 * by content on any port; a TCP direction that starts with a TLS record is an encrypted flow,
 * counted and skipped; everything else is counted and ignored.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Endpoint, Envelope } from '../../sip/envelope.js';
import { isoTime } from '../../sip/iso-time.js';
import type { ReadResult } from '../../sip/message.js';
import { readMessageBytes } from '../../sip/read-message.js';
import { StreamFramer } from '../../sip/stream-framer.js';
import { FragmentReassembler, type IpPacket, isFragment, PROTO_TCP, PROTO_UDP, parseIp } from './ip.js';
import { ipPayload } from './link-layer.js';
import { type CapturedPacket, CaptureFormatError, packetMillis } from './packet.js';
import { PcapFileParser } from './pcap-file.js';
import { PcapngFileParser } from './pcapng-file.js';
import { sniff } from './sip-sniff.js';
import { type StreamSink, TcpReassembler, type TcpSegment } from './tcp-streams.js';

export { CaptureFormatError };

/**
 * A capture that cannot be read on from some record: the format error, with the reader's counters
 * of everything before that record (every packet before it was read, and its events handed out).
 */
export class CorruptCaptureError extends CaptureFormatError {
  readonly stats: CaptureStats;

  constructor(message: string, stats: CaptureStats) {
    super(message);
    this.stats = stats;
  }
}

export type CaptureEvent =
  | { readonly kind: 'sip'; readonly result: ReadResult; readonly envelope: Envelope }
  /** A TCP connection whose first bytes are a TLS record: its SIP cannot be read. */
  | {
      readonly kind: 'encrypted-flow';
      readonly src: Endpoint;
      readonly dst: Endpoint;
      readonly time: string;
    };

export interface CaptureStats {
  packets: number;
  /** Frames that are not IPv4/IPv6 on a known link type, or are malformed. */
  nonIp: number;
  /** UDP datagrams and TCP directions that are neither SIP nor TLS. */
  nonSipDatagrams: number;
  nonSipStreams: number;
  keepAlives: number;
  sipMessages: number;
  encryptedFlows: number;
  /** IP datagrams whose fragments never all came, and TCP gaps skipped. */
  fragmentsDropped: number;
  tcpGaps: number;
  /** Bytes at the end of the file that are not a whole record (a capture cut short). */
  truncatedBytes: number;
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

type Mode = 'unknown' | 'sip' | 'tls' | 'other' | 'resync';

interface StreamState {
  readonly key: string;
  readonly reverseKey: string;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  mode: Mode;
  framer: StreamFramer | null;
}

export class CaptureReader {
  #parser: PcapFileParser | PcapngFileParser | null = null;
  #head = Buffer.alloc(0);
  readonly #fragments = new FragmentReassembler();
  readonly #tcp: TcpReassembler<StreamState>;
  readonly #streams = new Map<string, StreamState>();
  #events: CaptureEvent[] = [];
  /** Set at a corrupt record: nothing after it is read, and the error follows the last events. */
  #failure: CorruptCaptureError | null = null;
  /** The current packet's time (packets of the same millisecond share one text: isoTime). */
  #time = '1970-01-01T00:00:00.000Z';
  readonly stats: CaptureStats = {
    packets: 0,
    nonIp: 0,
    nonSipDatagrams: 0,
    nonSipStreams: 0,
    keepAlives: 0,
    sipMessages: 0,
    encryptedFlows: 0,
    fragmentsDropped: 0,
    tcpGaps: 0,
    truncatedBytes: 0,
  };

  constructor() {
    const sink: StreamSink<StreamState> = {
      open: (key, segment) => {
        const state: StreamState = {
          key,
          reverseKey: `${segment.dst}|${segment.dstPort}|${segment.src}|${segment.srcPort}`,
          src: { host: segment.src, port: segment.srcPort },
          dst: { host: segment.dst, port: segment.dstPort },
          mode: 'unknown',
          framer: null,
        };
        this.#streams.set(key, state);
        return state;
      },
      data: (state, bytes, gap) => this.#streamData(state, bytes, gap),
      end: (state) => {
        this.#streams.delete(state.key);
        if (state.framer !== null) this.#emitResults(state, state.framer.end());
      },
    };
    this.#tcp = new TcpReassembler(sink);
  }

  /**
   * Feeds file bytes; returns the events they complete, in capture order. The events' messages are
   * views of `chunk`: it must not be written to afterwards. At a corrupt record, the events of
   * every packet before it come first, with the TCP directions ended as at the end of the file;
   * then this or the next call (push or end) throws a CorruptCaptureError, and so does every one after.
   */
  push(chunk: Buffer): CaptureEvent[] {
    if (this.#failure !== null) return this.#handOut();
    if (this.#parser === null) {
      // The first four bytes tell the format; a first chunk may be shorter.
      this.#head = Buffer.concat([this.#head, chunk]);
      if (this.#head.length < 4) return [];
      chunk = this.#head;
      this.#head = Buffer.alloc(0);
      const magic = chunk.readUInt32BE(0);
      if (magic === 0x0a0d0d0a) this.#parser = new PcapngFileParser();
      else if (PCAP_MAGICS.has(magic)) this.#parser = new PcapFileParser();
      else {
        this.#fail(new CaptureFormatError(`not a pcap or pcapng file (magic ${magic.toString(16)})`));
        return this.#handOut();
      }
    }
    for (const packet of this.#parser.push(chunk)) this.#packet(packet);
    if (this.#parser.failure !== null) this.#fail(this.#parser.failure);
    return this.#handOut();
  }

  /** The file ended: ends every TCP direction still open and returns the last events. */
  end(): CaptureEvent[] {
    if (this.#failure === null) {
      this.#finish();
      this.stats.truncatedBytes = (this.#parser?.pending ?? 0) + this.#head.length;
    }
    return this.#handOut();
  }

  /**
   * The file cannot be read on: what was read is finished as at its end (a message complete in a
   * TCP direction is kept, one cut short is reported as at the end of the file). Its unread rest
   * is the error's, not a cut-short record: truncatedBytes stays 0.
   */
  #fail(error: CaptureFormatError): void {
    this.#finish();
    this.#failure = new CorruptCaptureError(error.message, this.stats);
  }

  #finish(): void {
    this.#tcp.finish();
    this.stats.fragmentsDropped = this.#fragments.dropped + this.#fragments.inProgress;
    this.stats.tcpGaps = this.#tcp.gaps;
  }

  /** The events so far; once the file is corrupt and none are left, the error instead. */
  #handOut(): CaptureEvent[] {
    const events = this.#events;
    if (events.length === 0 && this.#failure !== null) throw this.#failure;
    this.#events = [];
    return events;
  }

  /** One frame. Packets are rare enough to be read one by one; the time is that of the packet. */
  #packet(packet: CapturedPacket): void {
    this.stats.packets++;
    const ipBytes = ipPayload(packet.linkType, packet.data);
    const parsed = ipBytes === null ? null : parseIp(ipBytes);
    if (parsed === null) {
      this.stats.nonIp++;
      return;
    }
    let ip: IpPacket | null;
    if (isFragment(parsed)) {
      ip = this.#fragments.add(parsed, packet.seconds + packet.nanos / 1e9);
      if (ip === null) return;
    } else {
      ip = parsed;
    }
    this.#time = isoTime(packetMillis(packet));
    if (ip.protocol === PROTO_UDP) this.#udp(ip);
    else if (ip.protocol === PROTO_TCP) this.#tcpSegment(ip);
    else this.stats.nonSipDatagrams++;
  }

  #udp(ip: IpPacket): void {
    const datagram = ip.payload;
    if (datagram.length < 8) return;
    const length = datagram.readUInt16BE(4);
    const payload = datagram.subarray(8, length >= 8 ? Math.min(length, datagram.length) : datagram.length);
    const kind = sniff(payload);
    if (kind === 'keep-alive') {
      this.stats.keepAlives++;
      return;
    }
    if (kind !== 'sip') {
      this.stats.nonSipDatagrams++;
      return;
    }
    this.stats.sipMessages++;
    this.#events.push({
      kind: 'sip',
      // A view, not a copy: nothing keeps a message past its judging (the judge, ledger and report
      // keep copied strings), and a file chunk is never written to once pushed (see ByteQueue).
      result: readMessageBytes(payload, 'udp'),
      envelope: {
        transport: 'udp',
        src: { host: ip.src, port: datagram.readUInt16BE(0) },
        dst: { host: ip.dst, port: datagram.readUInt16BE(2) },
        time: this.#time,
      },
    });
  }

  #tcpSegment(ip: IpPacket): void {
    const bytes = ip.payload;
    if (bytes.length < 20) return;
    const dataOffset = ((bytes[12] ?? 0) >> 4) * 4;
    if (dataOffset < 20 || dataOffset > bytes.length) return;
    const flags = bytes[13] ?? 0;
    const segment: TcpSegment = {
      src: ip.src,
      dst: ip.dst,
      srcPort: bytes.readUInt16BE(0),
      dstPort: bytes.readUInt16BE(2),
      seq: bytes.readInt32BE(4),
      fin: (flags & 0x01) !== 0,
      syn: (flags & 0x02) !== 0,
      rst: (flags & 0x04) !== 0,
      payload: bytes.subarray(dataOffset),
    };
    this.#tcp.add(segment);
  }

  #streamData(state: StreamState, bytes: Buffer, gap: boolean): void {
    if (gap && state.mode === 'sip') {
      if (state.framer !== null) this.#emitResults(state, state.framer.end());
      state.framer = null;
      state.mode = 'resync';
    }
    if (state.mode === 'unknown' || state.mode === 'resync') {
      const kind = sniff(bytes);
      if (kind === 'tls' && state.mode === 'unknown') {
        state.mode = 'tls';
        // One flow per connection: the reverse direction, when it is TLS too, was counted.
        if (this.#streams.get(state.reverseKey)?.mode !== 'tls') {
          this.stats.encryptedFlows++;
          this.#events.push({ kind: 'encrypted-flow', src: state.src, dst: state.dst, time: this.#time });
        }
        return;
      }
      if (kind === 'sip' || kind === 'keep-alive') {
        state.mode = 'sip';
        state.framer = new StreamFramer();
      } else {
        if (state.mode === 'unknown') {
          state.mode = 'other';
          this.stats.nonSipStreams++;
        }
        return;
      }
    }
    if (state.mode !== 'sip' || state.framer === null) return;
    this.#emitResults(state, state.framer.push(bytes));
  }

  #emitResults(state: StreamState, results: readonly ReadResult[]): void {
    for (const result of results) {
      this.stats.sipMessages++;
      this.#events.push({
        kind: 'sip',
        result,
        envelope: { transport: 'tcp', src: state.src, dst: state.dst, time: this.#time },
      });
    }
  }
}

export interface ReadCaptureOptions {
  /** Called after each chunk with the bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Chunk size; 1 MiB by default. */
  readonly chunkSize?: number;
}

/**
 * Bytes handed to the reader at a time. Each piece's SIP messages are parsed before any is judged,
 * so a small piece (a few dozen datagrams) keeps them young enough for the cheap garbage collection.
 */
const FEED_BYTES = 16 * 1024;

/**
 * Reads a capture file as a stream (constant memory) and yields its events in batches, in capture
 * order (batches, not single events: one async step per message was a good part of the cost);
 * stats when done. A corrupt record: the events before it are yielded, then the reader's next
 * push or end throws the CorruptCaptureError (with the stats so far) out of this generator.
 */
export async function* readCaptureFile(
  file: string,
  options: ReadCaptureOptions = {},
): AsyncGenerator<readonly CaptureEvent[], CaptureStats> {
  const total = (await stat(file)).size;
  const reader = new CaptureReader();
  let read = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: options.chunkSize ?? 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    read += bytes.length;
    for (let at = 0; at < bytes.length; at += FEED_BYTES) {
      const events = reader.push(bytes.subarray(at, at + FEED_BYTES));
      if (events.length > 0) yield events;
    }
    options.onProgress?.(read, total);
  }
  const last = reader.end();
  if (last.length > 0) yield last;
  return reader.stats;
}
