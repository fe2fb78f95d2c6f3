/** What a command may touch of the process: its output streams. Tests pass their own. */
export interface CommandIo {
  /** Writes text as it is (the caller adds newlines). */
  readonly stdout: (text: string) => void;
  /** Writes UTF-8 bytes to the same stream, in order with `stdout` (optional: large reports skip decoding). */
  readonly stdoutBytes?: (bytes: Buffer) => void;
  /** Writes one line of diagnostics. */
  readonly stderr: (line: string) => void;
}

/** A bad command line: the CLI prints the reason and the usage, and exits 2. */
export class UsageError extends Error {}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stdoutBytes: (bytes) => process.stdout.write(bytes),
  stderr: (line) => process.stderr.write(`${line}\n`),
};
