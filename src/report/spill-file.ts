/**
 * Text written now and read back once at the end, kept on disk instead of in memory: `check`
 * writes each finished call's part of the report here so that a capture of any length is judged
 * in constant memory, and copies it to the output when the totals that head the report are
 * known. Writes are buffered (64 KiB); the file lives in a private temporary folder, removed by
 * `dispose()`.
 *
 * Each text is encoded straight into the write buffer (no joined string, no Buffer per text), and
 * read back as bytes for a sink that takes them: the report is tens of MiB for a long capture.
 * A text is encoded alone, so it must be whole characters (a JSON value or a report block is).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const BUFFER_BYTES = 64 * 1024;
const READ_CHUNK = 1024 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 for 2). */
const MAX_UTF8_PER_UNIT = 3;

export class SpillFile {
  readonly #dir: string;
  readonly #fd: number;
  readonly #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  /** Bytes of `#buffer` not yet on disk. */
  #used = 0;
  #written = 0;
  #disposed = false;

  constructor(name: string) {
    this.#dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
    this.#fd = openSync(join(this.#dir, name), 'w+', 0o600);
  }

  /** Whether anything was written. */
  get empty(): boolean {
    return this.#written === 0 && this.#used === 0;
  }

  write(text: string): void {
    const most = text.length * MAX_UTF8_PER_UNIT;
    if (most > BUFFER_BYTES - this.#used) this.#flush();
    if (most > BUFFER_BYTES) this.#writeOut(Buffer.from(text, 'utf8'));
    else this.#used += this.#buffer.write(text, this.#used, 'utf8');
  }

  /** Hands the whole content to `sink` as text, in pieces of about 1 MiB, in order. */
  copyTo(sink: (text: string) => void): void {
    const decoder = new StringDecoder('utf8');
    this.copyBytesTo((bytes) => {
      const text = decoder.write(bytes);
      if (text !== '') sink(text);
    });
    const rest = decoder.end();
    if (rest !== '') sink(rest);
  }

  /** Hands the whole content to `sink` as UTF-8 bytes, in pieces of 1 MiB, in order; each piece is the sink's to keep. */
  copyBytesTo(sink: (bytes: Buffer) => void): void {
    this.#flush();
    for (let position = 0; position < this.#written; ) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, this.#written - position));
      const read = readSync(this.#fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      sink(read === buffer.length ? buffer : buffer.subarray(0, read));
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    closeSync(this.#fd);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#writeOut(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }

  #writeOut(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length)
      offset += writeSync(this.#fd, bytes, offset, bytes.length - offset, this.#written + offset);
    this.#written += bytes.length;
  }
}
