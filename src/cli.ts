#!/usr/bin/env node
/** The `trunkguard` executable: runs a command and turns its result into the exit status. */
import { processIo } from './commands/command-io.js';
import { main } from './commands/main.js';
import { redactSdesKeys } from './sdp/redact.js';

main(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`trunkguard: internal error: ${redactSdesKeys(detail)}\n`);
    process.exitCode = 2;
  },
);
