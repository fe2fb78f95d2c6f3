/**
 * An append-only file of lines, written in batches off the caller's path and rotated by size or age:
 * the log file and the negotiation log. write() only buffers (the proxy calls it on the forwarding
 * path); the buffer is written every `flushIntervalMs`, or sooner when it grows, by one async chain.
 *
 * Rotation: before a batch would take the current file past `maxBytes`, or once the file is older
 * than `maxAgeMs`, it is renamed `<path>.<UTC time>` (`trunkguard.log.20261128T100001.234Z`: sorts
 * by time, never reuses a name across restarts) and a new file is started; of the rotated files, the
 * newest `maxFiles` are kept and older ones deleted. A line is never split across files, and a single
 * line larger than `maxBytes` gets a file of its own.
 *
 * Bounded and quiet: at most `maxBufferedBytes` wait for the disk (beyond, lines are dropped and
 * counted); a failing disk is reported once through `onProblem` (again after it recovers), never
 * thrown. Nothing here is on the forwarding path's critical section.
 */
import { mkdirSync, statSync } from 'node:fs';
import { type FileHandle, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface RotatingFileOptions {
  readonly path: string;
  /** Rotate before the file would pass this size. */
  readonly maxBytes: number;
  /** Rotate once the file is this old (from its first line, or its creation); null: size only. */
  readonly maxAgeMs: number | null;
  /** Rotated files kept (0: none). */
  readonly maxFiles: number;
  /** Permissions of new files (before the umask). */
  readonly mode: number;
  /** Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** Default 16 MiB. */
  readonly maxBufferedBytes?: number;
  /** The clock (ms since the epoch), for ages and rotated names; default Date.now. */
  readonly now?: () => number;
  readonly onProblem?: (message: string) => void;
  readonly onRecovered?: (message: string) => void;
}

/** Buffered bytes that start a write without waiting for the timer. */
const EAGER_FLUSH_BYTES = 64 * 1024;

/** `<name>.20261128T100001.234Z`, with `-N` when two rotations share a millisecond. */
const ROTATED_SUFFIX = /^\.\d{8}T\d{6}\.\d{3}Z(-\d+)?$/;

export class RotatingFile {
  readonly path: string;
  readonly #options: RotatingFileOptions;
  readonly #now: () => number;
  readonly #maxBufferedBytes: number;
  readonly #timer: NodeJS.Timeout;
  /** Lines waiting for the disk, without their newlines, and the bytes of each with its newline. */
  #buffer: string[] = [];
  #lineBytes: number[] = [];
  #bufferedBytes = 0;
  #handle: FileHandle | null = null;
  /** Size of the current file, as far as this process wrote or found it. */
  #size = 0;
  /** When the current file was started. */
  #startedAt = 0;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #failing = false;
  #dropped = 0;
  /** The time and `-N` of the last rotated name, so names made within one millisecond stay in order. */
  #lastStamp = '';
  #lastN = 0;

  constructor(options: RotatingFileOptions) {
    this.path = options.path;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.#timer = setInterval(() => this.#tick(), options.flushIntervalMs ?? 100);
    this.#timer.unref();
  }

  /** Lines dropped so far (buffer full, or the disk failed). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues one line (without its newline). Never throws, never waits. */
  write(line: string): void {
    if (this.#closed) return;
    const bytes = Buffer.byteLength(line) + 1;
    if (this.#bufferedBytes + bytes > this.#maxBufferedBytes) {
      this.#drop(1, 'not keeping up: lines dropped until the disk catches up');
      return;
    }
    this.#buffer.push(line);
    this.#lineBytes.push(bytes);
    this.#bufferedBytes += bytes;
    if (this.#bufferedBytes >= EAGER_FLUSH_BYTES) void this.flush();
  }

  /** Writes everything queued so far (and rotates by age); resolves when it is on disk or dropped. */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#drain());
    return this.#chain;
  }

  /** Flushes, then closes the file; later writes are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return this.#chain;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
    this.#chain = this.#chain.then(() => this.#closeHandle());
    return this.#chain;
  }

  #tick(): void {
    if (this.#buffer.length > 0 || this.#ageExpired()) void this.flush();
  }

  #ageExpired(): boolean {
    const maxAge = this.#options.maxAgeMs;
    return maxAge !== null && this.#size > 0 && this.#now() - this.#startedAt >= maxAge;
  }

  async #drain(): Promise<void> {
    if (this.#buffer.length === 0 && !this.#ageExpired()) return;
    const lines = this.#buffer;
    const lineBytes = this.#lineBytes;
    this.#buffer = [];
    this.#lineBytes = [];
    this.#bufferedBytes = 0;
    let written = 0;
    try {
      await this.#open();
      if (this.#ageExpired()) await this.#rotate();
      const max = this.#options.maxBytes;
      // Lines [first, i) make the chunk that goes into the current file.
      let first = 0;
      let chunkBytes = 0;
      for (let i = 0; i < lines.length; i++) {
        const bytes = lineBytes[i]!;
        if (this.#size + chunkBytes > 0 && this.#size + chunkBytes + bytes > max) {
          await this.#append(linesBuffer(lines, first, i, chunkBytes));
          written = i;
          await this.#rotate();
          await this.#open();
          first = i;
          chunkBytes = 0;
        }
        chunkBytes += bytes;
      }
      await this.#append(linesBuffer(lines, first, lines.length, chunkBytes));
      written = lines.length;
      if (this.#failing) {
        this.#failing = false;
        this.#options.onRecovered?.(`${this.path}: writing again (${this.#dropped} lines dropped so far)`);
      }
    } catch (error) {
      await this.#closeHandle();
      this.#drop(lines.length - written, describeError(error));
    }
  }

  #drop(lines: number, reason: string): void {
    if (lines <= 0) return;
    this.#dropped += lines;
    if (this.#failing) return;
    this.#failing = true;
    this.#options.onProblem?.(`${this.path}: ${reason}`);
  }

  async #open(): Promise<void> {
    if (this.#handle !== null) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const handle = await open(this.path, 'a', this.#options.mode);
    try {
      const stats = await handle.stat();
      this.#size = stats.size;
      // A file left by an earlier run is as old as its creation (its last change, where the file
      // system keeps no birth time).
      this.#startedAt =
        stats.size === 0 ? this.#now() : stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.mtimeMs;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.#handle = handle;
  }

  async #append(bytes: Buffer): Promise<void> {
    if (bytes.length === 0 || this.#handle === null) return;
    if (this.#size === 0) this.#startedAt = this.#now();
    await this.#handle.appendFile(bytes);
    this.#size += bytes.length;
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    if (handle !== null) await handle.close().catch(() => undefined);
  }

  /** Renames the current file (if it has anything) and deletes rotated files beyond maxFiles. */
  async #rotate(): Promise<void> {
    await this.#closeHandle();
    if (this.#size > 0) {
      await rename(this.path, this.#rotatedName());
      this.#size = 0;
    }
    this.#startedAt = this.#now();
    await this.#prune();
  }

  #rotatedName(): string {
    const stamp = new Date(this.#now()).toISOString().replace(/[-:]/g, '');
    let n = stamp === this.#lastStamp ? this.#lastN + 1 : 0;
    const nameOf = () => `${this.path}.${stamp}${n === 0 ? '' : `-${n}`}`;
    while (exists(nameOf())) n++;
    this.#lastStamp = stamp;
    this.#lastN = n;
    return nameOf();
  }

  async #prune(): Promise<void> {
    const directory = dirname(this.path);
    const name = basename(this.path);
    const rotated = (await readdir(directory))
      .filter((file) => file.startsWith(`${name}.`) && ROTATED_SUFFIX.test(file.slice(name.length)))
      .sort(byRotationTime);
    for (const file of rotated.slice(0, Math.max(0, rotated.length - this.#options.maxFiles))) {
      await unlink(join(directory, file)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }
}

/**
 * Lines [from, to) as UTF-8, each with its newline, in one buffer of their known size: encoded once,
 * straight into the buffer written (no joined string to build and encode again).
 */
function linesBuffer(lines: readonly string[], from: number, to: number, bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = from; i < to; i++) {
    offset += buffer.write(lines[i]!, offset, 'utf8');
    buffer[offset++] = 0x0a;
  }
  return buffer;
}

/** Rotated names in the order they were made: by time, then by `-N`. */
function byRotationTime(a: string, b: string): number {
  const [timeA, nA] = rotationOrder(a);
  const [timeB, nB] = rotationOrder(b);
  if (timeA !== timeB) return timeA < timeB ? -1 : 1;
  return nA - nB;
}

function rotationOrder(name: string): [string, number] {
  const dash = name.lastIndexOf('Z-');
  return dash === -1 ? [name, 0] : [name.slice(0, dash + 1), Number(name.slice(dash + 2))];
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Used by tests: the rotated files of `path`, oldest first. */
export async function rotatedFiles(path: string): Promise<string[]> {
  const name = basename(path);
  const files = await readdir(dirname(path)).catch(() => [] as string[]);
  return files
    .filter((file) => file.startsWith(`${name}.`) && ROTATED_SUFFIX.test(file.slice(name.length)))
    .sort(byRotationTime)
    .map((file) => join(dirname(path), file));
}
