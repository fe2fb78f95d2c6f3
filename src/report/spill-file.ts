/**
 * Text written now and read back once at the end, kept on disk instead of in memory: `check`
 * writes each finished call's part of the report here so that a capture of any length is judged
 * in constant memory, and copies it to the output when the totals that head the report are
 * known. Writes are buffered (64 KiB); the file lives in a private temporary folder, removed by
 * `dispose()`.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const FLUSH_AT = 64 * 1024;
const READ_CHUNK = 1024 * 1024;

export class SpillFile {
  readonly #dir: string;
  readonly #fd: number;
  #pending: string[] = [];
  #pendingLength = 0;
  #written = 0;
  #disposed = false;

  constructor(name: string) {
    this.#dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
    this.#fd = openSync(join(this.#dir, name), 'w+', 0o600);
  }

  /** Whether anything was written. */
  get empty(): boolean {
    return this.#written === 0 && this.#pendingLength === 0;
  }

  write(text: string): void {
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength >= FLUSH_AT) this.#flush();
  }

  /** Hands the whole content to `sink` in pieces of about 1 MiB, in order. */
  copyTo(sink: (text: string) => void): void {
    this.#flush();
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const decoder = new StringDecoder('utf8');
    for (let position = 0; position < this.#written; ) {
      const read = readSync(this.#fd, buffer, 0, READ_CHUNK, position);
      if (read === 0) break;
      position += read;
      const text = decoder.write(buffer.subarray(0, read));
      if (text !== '') sink(text);
    }
    const rest = decoder.end();
    if (rest !== '') sink(rest);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    closeSync(this.#fd);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #flush(): void {
    if (this.#pendingLength === 0) return;
    const bytes = Buffer.from(this.#pending.join(''), 'utf8');
    let offset = 0;
    while (offset < bytes.length)
      offset += writeSync(this.#fd, bytes, offset, bytes.length - offset, this.#written + offset);
    this.#written += bytes.length;
    this.#pending = [];
    this.#pendingLength = 0;
  }
}
