/**
 * The proxy's log: one ECS-style JSON object per line (see ecs.ts for the fields), one line per
 * finding (winston level warn), one per ended call (info), and a few lifecycle lines (listening, ready,
 * stopping, stopped...). A SIEM ingests the lines as they are: `event.kind` is `alert` for findings and
 * `event` otherwise, `event.action` says what the line is, `event.code` which finding it is.
 *
 * Outputs, each with its own minimum level (LogSettings):
 * - console: stdout;
 * - file: RotatingFile (FileTransport below), rotated by size: the path is always the current file,
 *   rotated ones are `<path>.<UTC time>`, the newest `maxFiles` of them kept;
 * - syslog: RFC 5424 over UDP or TCP, the JSON line as MSG (syslog-transport.ts).
 * A failing output is reported once, on the other outputs (or stderr), and never stops the proxy.
 *
 * Nothing with SDES key material reaches here: findings are redacted by the judge, call summaries
 * carry suite names only, and formatEcsLine redacts anything that still looks like a key.
 */
import winston from 'winston';
import TransportStream from 'winston-transport';
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
  const transports: TransportStream[] = [];
  const names = new Map<TransportStream, string>();
  const add = (name: string, transport: TransportStream) => {
    transports.push(transport);
    names.set(transport, name);
  };
  if (settings.console !== null) {
    add(
      'console',
      new winston.transports.Stream({
        stream: options.stdout ?? process.stdout,
        level: settings.console.level,
      }),
    );
  }
  if (settings.file !== null) {
    add(
      'file',
      new FileTransport(settings.file, {
        onProblem: (message) => problems.report('file', message),
        onRecovered: (message) => problems.recovered('file', message),
        ...(options.fileFlushIntervalMs === undefined
          ? {}
          : { flushIntervalMs: options.fileFlushIntervalMs }),
      }),
    );
  }
  if (settings.syslog !== null) {
    add(
      'syslog',
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
      (info as unknown as Record<symbol, string>)[MESSAGE] = formatEcsLine(ecsLineOf(info, now));
      return info;
    })(),
    transports,
    // Silent rather than an error when every output is off: the metrics and API still count.
    silent: transports.length === 0,
    exitOnError: false,
  });
  problems.attach(logger);
  // An output that fails (a file that cannot be written) must not take the proxy down.
  logger.on('error', (error: unknown, transport?: TransportStream) => {
    const name = (transport && names.get(transport)) ?? 'log';
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
 * The object form of logger.log: the three-argument form reads `%s`, `%d`... in the message as
 * printf tokens and then drops the fields, and messages here carry text from the wire.
 */
function write(logger: ProxyLogger, line: EcsLine): void {
  const { log, ...fields } = line;
  logger.log({ ...fields, level: log.level });
}

/**
 * Ends the log and waits until every output has written what it holds: SIGTERM must not lose a
 * finding. winston's own 'finish' fires before its outputs have written, so each output is awaited:
 * the console's 'finish', the file's and the syslog output's close (buffer written, queue sent);
 * bounded, so a stuck disk or an unreachable syslog server cannot hold the exit forever.
 */
export async function closeLogger(logger: ProxyLogger, timeoutMs = 5000): Promise<void> {
  const finished = logger.transports.map((transport) =>
    transport instanceof SyslogTransport || transport instanceof FileTransport
      ? transport.released
      : new Promise<void>((resolve) => transport.once('finish', () => resolve())),
  );
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
 * The file output: RotatingFile under winston. winston's own File transport loses lines when it must
 * rotate while it is still opening the file (a burst at start-up), and does not rotate during a burst
 * (winstonjs/winston#908): both are where a flood of findings would be.
 */
class FileTransport extends TransportStream {
  readonly file: RotatingFile;
  /** Resolves once close() has written everything and closed the file. */
  readonly released: Promise<void>;
  #release: () => void = () => {};

  constructor(
    settings: FileLogSettings,
    options: {
      onProblem: (message: string) => void;
      onRecovered: (message: string) => void;
      flushIntervalMs?: number;
    },
  ) {
    super({ level: settings.level });
    this.file = new RotatingFile({
      path: settings.path,
      maxBytes: settings.maxBytes,
      maxAgeMs: null,
      maxFiles: settings.maxFiles,
      mode: 0o640,
      onProblem: options.onProblem,
      onRecovered: options.onRecovered,
      ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
    });
    this.released = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  override log(info: Record<symbol, unknown>, next: () => void): void {
    this.file.write(String(info[MESSAGE]));
    next();
  }

  /** Called by winston when the logger ends. */
  override close(): void {
    void this.file.close().then(this.#release);
  }
}
