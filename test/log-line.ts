/**
 * The proxy's log lines as the tests read them: ECS-style nested JSON (src/report/ecs.ts), one
 * object per line. `event.action` says what a line is (`finding`, `call-summary`, `listening`,
 * `ready`...), `event.code` which finding; SIP fields are under `sip`, the proxy's own under
 * `trunkguard`. A field with no value is absent, not null. Shared by the in-process proxy helper
 * (test/proxy/in-process.ts) and the e2e harness (test/e2e/harness/proxy.ts).
 */
import { Writable } from 'node:stream';
import { createLogger, type ProxyLogger } from '../src/report/logger.js';

/** One nested field set of a line (`sip`, `trunkguard`, `source`...). */
export type LogFields = Readonly<Record<string, unknown>>;

/** One parsed log line. */
export interface LogLine {
  readonly '@timestamp'?: string;
  readonly message?: string;
  readonly event?: {
    readonly kind?: string;
    readonly action?: string;
    /** A finding's code. */
    readonly code?: string;
    /** A number in ECS (1 info ... 9 critical); the word is trunkguard.severity. */
    readonly severity?: number;
    readonly [name: string]: unknown;
  };
  readonly sip?: LogFields;
  readonly network?: LogFields;
  readonly source?: LogFields;
  readonly destination?: LogFields;
  readonly server?: LogFields;
  readonly trunkguard?: LogFields;
  readonly [name: string]: unknown;
}

/** What the line is: its `event.action` ('finding', 'call-summary', 'ready'...). */
export function actionOf(line: LogLine | null | undefined): string | undefined {
  const action = line?.event?.action;
  return typeof action === 'string' ? action : undefined;
}

/** A finding line's code (`event.code`). */
export function codeOf(line: LogLine | null | undefined): string | undefined {
  const code = line?.event?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The value at an ECS dotted name ('sip.call_id', 'trunkguard.media.carrier'), or undefined. */
export function fieldOf(line: LogLine | null | undefined, name: string): unknown {
  let value: unknown = line;
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Readonly<Record<string, unknown>>)[part];
  }
  return value;
}

/**
 * The proxy's own logger and line format, its console output captured: `lines` parsed
 * (ECS-style nested JSON, see test/log-line.ts), `raw` as written.
 */
export function captureLog(): { logger: ProxyLogger; lines: LogLine[]; raw: string[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) {
        if (text.trim() === '') continue;
        raw.push(text.trim());
        lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  const logger = createLogger(
    { console: { level: 'info' }, file: null, syslog: null, negotiations: null },
    { stdout: sink },
  );
  return { logger, lines, raw };
}
