/** What a command may touch of the process: its output streams. Tests pass their own. */
export interface CommandIo {
  /** Writes text as it is (the caller adds newlines). */
  readonly stdout: (text: string) => void;
  /** Writes one line of diagnostics. */
  readonly stderr: (line: string) => void;
}

/** A bad command line: the CLI prints the reason and the usage, and exits 2. */
export class UsageError extends Error {}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(`${line}\n`),
};
