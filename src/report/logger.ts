/**
 * The proxy's log: one ECS-style JSON object per line (see ecs.ts for the fields), one line per
 * finding (winston level warn), one per ended call (info), and a few lifecycle lines (listening, ready,
 * stopping, stopped...). A SIEM ingests the lines as they are: `event.kind` is `alert` for findings and
 * `event` otherwise, `event.action` says what the line is, `event.code` which finding it is.
 *
 * Outputs, each with its own minimum level (LogSettings):
 * - console: stdout;
 * - file: RotatingFile (fileOutput below), rotated by size: the path is always the current file,
 *   rotated ones are `<path>.<UTC time>`, the newest `maxFiles` of them kept;
 * - syslog: RFC 5424 over UDP or TCP, the JSON line as MSG (syslog-transport.ts).
 * Console and file lines are formatted once and written directly (write below); winston carries
 * them to syslog, and the logger stays a winston logger for whoever passes their own.
 * A failing output is reported once, on the other outputs (or stderr), and never stops the proxy.
 *
 * Nothing with SDES key material reaches here: findings are redacted by the judge, call summaries
 * carry suite names only, and formatEcsLine redacts anything that still looks like a key.
 */
import { EOL } from 'node:os';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import type { Finding } from '../policy/finding.js';
import type { FileLogSettings, LogLevel, LogSettings } from '../proxy/settings.js';
import {
  type EcsFields,
  type EcsLine,
  ecsCallSummary,
  ecsEvent,
  ecsFinding,
  ecsLineOf,
  formatEcsLine,
  isBuiltLine,
} from './ecs.js';
import type { CallSummaryLine } from './live-calls.js';
import { RotatingFile } from './rotating-file.js';
import { SyslogTransport } from './syslog-transport.js';

export type ProxyLogger = winston.Logger;

export interface LoggerOptions {
  /** Where the console output writes; default process.stdout. */
  readonly stdout?: NodeJS.WritableStream;
  /** The clock for lines that carry no time of their own; default the system's. */
  readonly now?: () => Date;
  /** HOSTNAME in syslog headers; default os.hostname(). */
  readonly hostname?: string;
  /** How often the file output writes what it holds; default 100 ms. */
  readonly fileFlushIntervalMs?: number;
}

/** winston's levels, most severe first (npm levels: a transport writes its level and those before). */
const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** triple-beam's MESSAGE: what a transport writes. */
const MESSAGE = Symbol.for('message');

export function createLogger(settings: LogSettings, options: LoggerOptions = {}): ProxyLogger {
  const now = options.now ?? (() => new Date());
  const problems = new OutputProblems();
  // Console and file are written directly (DirectOutputs); only syslog goes through winston's streams.
  const direct: DirectOutput[] = [];
  let file: RotatingFile | null = null;
  const transports: TransportStream[] = [];
  if (settings.console !== null) {
    const stdout = options.stdout ?? process.stdout;
    // The bytes winston's Stream transport wrote: the line and os.EOL.
    direct.push({ rank: rankOf(settings.console.level), write: (text) => stdout.write(`${text}${EOL}`) });
  }
  if (settings.file !== null) {
    const rotating = fileOutput(settings.file, {
      onProblem: (message) => problems.report('file', message),
      onRecovered: (message) => problems.recovered('file', message),
      ...(options.fileFlushIntervalMs === undefined ? {} : { flushIntervalMs: options.fileFlushIntervalMs }),
    });
    file = rotating;
    direct.push({ rank: rankOf(settings.file.level), write: (text) => rotating.write(text) });
  }
  if (settings.syslog !== null) {
    transports.push(
      new SyslogTransport(settings.syslog, {
        onProblem: (message) => problems.report('syslog', message),
        onRecovered: (message) => problems.recovered('syslog', message),
        ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
      }),
    );
  }
  const levels = [settings.console?.level, settings.file?.level, settings.syslog?.level];
  const logger = winston.createLogger({
    level: [...LEVELS].reverse().find((level) => levels.includes(level)) ?? 'info',
    format: winston.format((info) => {
      const record = info as unknown as Record<symbol, unknown>;
      // A line write() already formatted is not formatted again.
      const formatted = record[FORMATTED];
      record[MESSAGE] = typeof formatted === 'string' ? formatted : formatEcsLine(ecsLineOf(info, now));
      return info;
    })(),
    transports,
    // Silent rather than an error when winston has no output (console and file are written directly).
    silent: transports.length === 0,
    exitOnError: false,
  });
  const syslogRank = settings.syslog === null ? NO_LEVEL : rankOf(settings.syslog.level);
  DIRECT.set(logger, { outputs: direct, file, syslogRank, now });
  problems.attach(logger);
  // An output that fails (a syslog server that is gone) must not take the proxy down.
  logger.on('error', (error: unknown, transport?: TransportStream) => {
    const name = transport instanceof SyslogTransport ? 'syslog' : 'log';
    problems.report(name, error instanceof Error ? error.message : String(error));
  });
  return logger;
}

/** One line per finding, at warn. */
export function logFinding(logger: ProxyLogger, finding: Finding): void {
  write(logger, ecsFinding(finding));
}

/** One line per ended call, at info. */
export function logCallSummary(logger: ProxyLogger, summary: CallSummaryLine): void {
  write(logger, ecsCallSummary(summary, new Date()));
}

/**
 * Any other line: `action` becomes event.action (kebab-case: `listening`, `ready`, `stopped`...),
 * `fields` are nested ECS objects (`network`, `server`, `error`...) with the rest under `trunkguard`.
 */
export function logEvent(
  logger: ProxyLogger,
  level: LogLevel,
  action: string,
  message: string,
  fields: EcsFields = {},
): void {
  write(logger, ecsEvent(level, action, message, fields, new Date()));
}

/**
 * Console and file: the line formatted once and handed to each output that takes its level, with no
 * winston stream per line (the object-mode stream chain cost more than the formatting). winston still
 * carries the line to syslog (and everything for a logger that createLogger did not make, or that has
 * ended), given the formatted text so it is not formatted twice.
 */
function write(logger: ProxyLogger, line: EcsLine): void {
  const direct = DIRECT.get(logger);
  if (direct === undefined || !logger.writable) {
    toWinston(logger, line, undefined);
    return;
  }
  const rank = rankOf(line.log.level);
  // A line syslog does not take skips winston's stream chain, where its transport would drop it.
  const toSyslog = rank <= direct.syslogRank;
  let wanted = toSyslog;
  for (const output of direct.outputs) wanted ||= rank <= output.rank;
  if (!wanted) return;
  // The same bytes winston's format wrote: a line built by ecs.ts is what ecsLineOf would return.
  const text = formatEcsLine(isBuiltLine(line) ? line : ecsLineOf(infoOf(line), direct.now));
  for (const output of direct.outputs) if (rank <= output.rank) output.write(text);
  if (toSyslog) toWinston(logger, line, text);
}

/**
 * The object form of logger.log: the three-argument form reads `%s`, `%d`... in the message as
 * printf tokens and then drops the fields, and messages here carry text from the wire.
 */
function toWinston(logger: ProxyLogger, line: EcsLine, formatted: string | undefined): void {
  const info: winston.LogEntry & Record<symbol, unknown> = infoOf(line);
  if (formatted !== undefined) info[FORMATTED] = formatted;
  logger.log(info);
}

/** What winston holds for a line: its fields with `level` for `log`. */
function infoOf(line: EcsLine): Record<string, unknown> & { level: string; message: string } {
  const { log, ...fields } = line;
  return { ...fields, level: log.level };
}

/** Where write() sends a line itself: an output and the least severe level it takes. */
interface DirectOutput {
  readonly rank: number;
  write(text: string): void;
}

interface DirectLog {
  readonly outputs: readonly DirectOutput[];
  /** The file output, closed by closeLogger. */
  readonly file: RotatingFile | null;
  /** The least severe level syslog takes (NO_LEVEL without syslog): such lines also go through winston. */
  readonly syslogRank: number;
  readonly now: () => Date;
}

/** The direct outputs of each logger createLogger made (a logger from elsewhere has none). */
const DIRECT = new WeakMap<ProxyLogger, DirectLog>();

/** triple-beam's MESSAGE, pre-filled: a line write() has formatted already. */
const FORMATTED = Symbol('trunkguard.formatted');

/** npm levels as winston ranks them: an output takes a line whose rank is at most its own. */
function rankOf(level: string): number {
  return Object.hasOwn(NPM_LEVELS, level) ? (NPM_LEVELS[level] as number) : Number.POSITIVE_INFINITY;
}

const NPM_LEVELS: Readonly<Record<string, number>> = winston.config.npm.levels;

/** The rank of an output that is off: no line's rank is at most it. */
const NO_LEVEL = -1;

/**
 * Ends the log and waits until every output has written what it holds: SIGTERM must not lose a
 * finding. winston's own 'finish' fires before its outputs have written, so each output is awaited:
 * the file's close (buffer written) and the syslog output's (queue sent), a winston transport's
 * 'finish' (a logger made elsewhere); the console has nothing pending (written as logged). Bounded,
 * so a stuck disk or an unreachable syslog server cannot hold the exit forever.
 */
export async function closeLogger(logger: ProxyLogger, timeoutMs = 5000): Promise<void> {
  const finished = logger.transports.map((transport) =>
    transport instanceof SyslogTransport
      ? transport.released
      : new Promise<void>((resolve) => transport.once('finish', () => resolve())),
  );
  const file = DIRECT.get(logger)?.file;
  if (file) finished.push(file.close());
  logger.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(finished),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * Problems of the outputs themselves, each reported once (until the output recovers) as an error line
 * on the log, which the other outputs carry; on stderr when the log has ended.
 */
class OutputProblems {
  readonly #failing = new Set<string>();
  #logger: ProxyLogger | null = null;

  attach(logger: ProxyLogger): void {
    this.#logger = logger;
  }

  report(output: string, message: string): void {
    if (this.#failing.has(output)) return;
    this.#failing.add(output);
    this.#write('error', 'log-output-failed', `log output ${output}: ${message}`, output);
  }

  recovered(output: string, message: string): void {
    if (!this.#failing.delete(output)) return;
    this.#write('info', 'log-output-recovered', `log output ${output}: ${message}`, output);
  }

  #write(level: LogLevel, action: string, message: string, output: string): void {
    // Not from inside the output's own write: the next turn.
    setImmediate(() => {
      const fields = { trunkguard: { output } };
      const logger = this.#logger;
      if (logger?.writable) logEvent(logger, level, action, message, fields);
      else process.stderr.write(`${formatEcsLine(ecsEvent(level, action, message, fields, new Date()))}\n`);
    });
  }
}

/**
 * The file output: a RotatingFile. winston's own File transport loses lines when it must rotate while
 * it is still opening the file (a burst at start-up), and does not rotate during a burst
 * (winstonjs/winston#908): both are where a flood of findings would be.
 */
function fileOutput(
  settings: FileLogSettings,
  options: {
    onProblem: (message: string) => void;
    onRecovered: (message: string) => void;
    flushIntervalMs?: number;
  },
): RotatingFile {
  return new RotatingFile({
    path: settings.path,
    maxBytes: settings.maxBytes,
    maxAgeMs: null,
    maxFiles: settings.maxFiles,
    mode: 0o640,
    onProblem: options.onProblem,
    onRecovered: options.onRecovered,
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
  });
}
