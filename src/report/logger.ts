/**
 * The proxy's log: JSON lines through winston, on stdout and optionally a file, one line per
 * finding, one per ended call, and a few lifecycle lines (listening, ready, stopped). A SIEM
 * ingests the lines as they are; every line has `event` saying what it is.
 *
 * Nothing with SDES key material reaches here: findings are redacted by the judge, and call
 * summaries carry suite names only.
 */
import winston from 'winston';
import type { Finding } from '../policy/finding.js';
import type { LogSettings } from '../proxy/settings.js';

export type ProxyLogger = winston.Logger;

export function createLogger(settings: LogSettings): ProxyLogger {
  const transports: winston.transport[] = [];
  if (settings.console) transports.push(new winston.transports.Console());
  if (settings.file !== null) transports.push(new winston.transports.File({ filename: settings.file }));
  return winston.createLogger({
    level: settings.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports,
    // Silent rather than an error when both outputs are off: the metrics and API still count.
    silent: transports.length === 0,
    exitOnError: false,
  });
}

/** One line per finding: its human message as `message`, the rest of the finding beside it. */
export function logFinding(logger: ProxyLogger, finding: Finding): void {
  const { message, ...rest } = finding;
  logger.warn(message, { event: 'finding', ...rest });
}

/**
 * Ends the log and waits until every transport has written what it holds: SIGTERM must not lose
 * a finding. winston's own 'finish' fires before file transports have flushed, so each
 * transport's own 'finish' is awaited (bounded, so a stuck disk cannot hold the exit forever).
 */
export async function closeLogger(logger: ProxyLogger, timeoutMs = 5000): Promise<void> {
  const finished = logger.transports.map(
    (transport) => new Promise<void>((resolve) => transport.once('finish', () => resolve())),
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
