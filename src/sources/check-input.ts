/**
 * Turns the files given to `trunkguard check` into envelopes and SIP messages, in order.
 * The kind of each file comes from its content: a JSON Lines trace, raw SIP text (one or more
 * messages framed by Content-Length), or a capture (pcap/pcapng: see pcap/capture-reader.ts).
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Envelope, Transport } from '../sip/envelope.js';
import type { ReadResult } from '../sip/message.js';
import { readMessageBytes } from '../sip/read-message.js';
import { StreamFramer } from '../sip/stream-framer.js';
import { detectInputKind, type InputKind } from './input-kind.js';
import { type CaptureStats, CorruptCaptureError, readCaptureFile } from './pcap/capture-reader.js';
import { parseTraceLine } from './trace-record.js';

export interface RawSipEnvelope {
  readonly transport: Transport;
  readonly src: Envelope['src'];
  readonly dst: Envelope['dst'];
}

export type InputItem =
  | { readonly kind: 'read'; readonly result: ReadResult; readonly envelope: Envelope }
  /** A record that is not a SIP message at all (bad JSON line...): where, and why. */
  | { readonly kind: 'input-error'; readonly where: string; readonly reason: string }
  /** A TLS connection in a capture: its SIP is encrypted and cannot be judged. */
  | {
      readonly kind: 'encrypted-flow';
      readonly where: string;
      readonly src: Envelope['src'];
      readonly dst: Envelope['dst'];
    }
  /** The end of a capture: what its frames were, SIP or not (the reader's counters). */
  | { readonly kind: 'capture-stats'; readonly where: string; readonly stats: CaptureStats };

export interface ReadInputOptions {
  /** For captures, called as the file is read: bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Thrown for input that cannot be judged at all: missing file, capture format not supported. */
export class UnreadableInputError extends Error {}

const HEAD_BYTES = 64;

export async function inputKindOf(file: string): Promise<InputKind> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new UnreadableInputError(
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return detectInputKind(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The items of `file`, one by one, in order. */
export async function* readInput(
  file: string,
  rawEnvelope: RawSipEnvelope,
  options: ReadInputOptions = {},
): AsyncGenerator<InputItem> {
  for await (const batch of readInputBatches(file, rawEnvelope, options)) yield* batch;
}

/**
 * The items of `file` in batches, in order: what `check` reads, since a capture gives many
 * messages per chunk and an async step per message costs more than judging some of them.
 */
export async function* readInputBatches(
  file: string,
  rawEnvelope: RawSipEnvelope,
  options: ReadInputOptions = {},
): AsyncGenerator<readonly InputItem[]> {
  const kind = await inputKindOf(file);
  switch (kind) {
    case 'pcap':
    case 'pcapng':
      yield* readCapture(file, options);
      return;
    case 'trace':
      for await (const item of readTraceFile(file)) yield [item];
      return;
    case 'sip':
      for await (const item of readRawSipFile(file, rawEnvelope)) yield [item];
      return;
  }
}

async function* readTraceFile(file: string): AsyncGenerator<InputItem> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const record = parseTraceLine(line);
    if (typeof record === 'string') {
      yield { kind: 'input-error', where: `${file}:${lineNumber}`, reason: record };
      continue;
    }
    yield {
      kind: 'read',
      result: readMessageBytes(record.bytes, record.envelope.transport),
      envelope: record.envelope,
    };
  }
}

/**
 * Raw SIP text: the file is a byte stream of messages framed by Content-Length, the way they
 * would arrive on a TCP connection (RFC 3261 §18.3), whatever transport the flags name.
 */
async function* readRawSipFile(file: string, envelope: RawSipEnvelope): AsyncGenerator<InputItem> {
  const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
  const time = info.mtime.toISOString();
  const framer = new StreamFramer();
  const results = [...framer.push(bytes), ...framer.end()];
  for (const result of results) yield { kind: 'read', result, envelope: { ...envelope, time } };
}

/**
 * A pcap or pcapng capture, streamed in batches: SIP over UDP and TCP, TLS connections counted.
 * A corrupt record ends it: everything before it was yielded, then its counters and the error.
 */
async function* readCapture(file: string, options: ReadInputOptions): AsyncGenerator<readonly InputItem[]> {
  try {
    const batches = readCaptureFile(file, { onProgress: options.onProgress });
    for (;;) {
      const next = await batches.next();
      if (next.done) {
        yield [{ kind: 'capture-stats', where: file, stats: next.value }];
        return;
      }
      yield next.value.map(
        (event): InputItem =>
          event.kind === 'sip'
            ? { kind: 'read', result: event.result, envelope: event.envelope }
            : { kind: 'encrypted-flow', where: file, src: event.src, dst: event.dst },
      );
    }
  } catch (error) {
    if (!(error instanceof CorruptCaptureError)) throw error;
    yield [
      { kind: 'capture-stats', where: file, stats: error.stats },
      { kind: 'input-error', where: file, reason: error.message },
    ];
  }
}
