/**
 * trunkguard's own proxy as an e2e peer: `node dist/src/cli.js proxy ...` in a child process,
 * started in the foreground (its PID is the one stopped), ready once it logs its `ready` line
 * (event.action `ready`), its JSON log lines (ECS-style nested JSON: see test/log-line.ts) parsed
 * for the tests. Listeners bind port 0 by default: the kernel picks a free port and the proxy says
 * which in its `listening` lines (server.port, network.transport), so nothing can take the port
 * between choosing it and binding it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionOf, type LogLine } from '../../log-line.js';
import { type ManagedProcess, startProcess, type TeardownHost } from './processes.js';

export { actionOf, codeOf, fieldOf, type LogFields, type LogLine } from '../../log-line.js';

/** The repository root (this file runs from dist/test/e2e/harness/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli.js');
/** Twilio profile, SRTP optional, loopback trusted: the config every proxy e2e test runs with. */
export const PROXY_E2E_CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'config', 'proxy-e2e.yaml');

/** What parseLog puts for a line that is not a JSON object: event.action NOT_JSON, the text as `line`. */
export const NOT_JSON = '(not json)';

export interface ProxyProcessOptions {
  /** --listen values; default UDP and TCP on 127.0.0.1, ports picked by the kernel. */
  readonly listen?: readonly string[];
  /** --carrier value: HOST:PORT;transport=udp|tcp|tls. */
  readonly carrier: string;
  /** --config; PROXY_E2E_CONFIG by default. */
  readonly config?: string;
  /** More arguments, appended last (--log FILE, --tls-ca FILE...). */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the `ready` line; 10 s by default (a loaded 2-core CI machine). */
  readonly readyTimeoutMs?: number;
  /** Pass ava's `t`: the proxy is then stopped when the test ends, passed or failed. */
  readonly t?: TeardownHost;
}

export interface ProxyProcess {
  readonly proc: ManagedProcess;
  /** The first UDP listener's port, or null when there is none. */
  readonly udpPort: number | null;
  /** The first TCP listener's port, or null when there is none. */
  readonly tcpPort: number | null;
  /** The first TLS listener's port, or null when there is none. */
  readonly tlsPort: number | null;
  /** Every output line that parsed as a JSON object, in order. */
  logLines(): LogLine[];
  /** Output lines that are not JSON objects (stderr, a crash): the proxy should write none. */
  otherLines(): string[];
  /** The log lines of one event.action ('finding', 'call-summary'...). */
  events(action: string): LogLine[];
  /** Waits until at least `count` lines of `action` have been logged; bounded, rejects with the output. */
  waitForEvents(action: string, count: number, timeoutMs: number): Promise<LogLine[]>;
}

export function parseLogLine(line: string): LogLine | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogLine) : null;
  } catch {
    return null;
  }
}

/**
 * Parses a whole log (stdout, a --log file): one JSON object per non-empty line; a line that is
 * not one is kept as `{ event: { action: NOT_JSON }, line }`.
 */
export function parseLog(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseLogLine(line) ?? { event: { action: NOT_JSON }, line });
}

/**
 * Starts the proxy and resolves once it has logged `ready` (every listener bound); rejects with
 * its last output lines if it exits first or is not ready within readyTimeoutMs (it is then
 * stopped).
 */
export async function startProxyProcess(options: ProxyProcessOptions): Promise<ProxyProcess> {
  const listen = options.listen ?? ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'];
  const args = [
    CLI,
    'proxy',
    '--config',
    options.config ?? PROXY_E2E_CONFIG,
    ...listen.flatMap((value) => ['--listen', value]),
    '--carrier',
    options.carrier,
    ...(options.extraArgs ?? []),
  ];
  const proc = startProcess(process.execPath, args, {
    cwd: REPO_ROOT,
    name: 'trunkguard proxy',
    t: options.t,
  });
  try {
    await proc.waitForLine(
      (line) => actionOf(parseLogLine(line)) === 'ready',
      options.readyTimeoutMs ?? 10_000,
    );
  } catch (error) {
    await proc.stop();
    throw error;
  }
  const logLines = () => proc.lines.map(parseLogLine).filter((line): line is LogLine => line !== null);
  const listening = logLines().filter((line) => actionOf(line) === 'listening');
  const portOf = (transport: string) => {
    const port = listening.find((line) => line.network?.transport === transport)?.server?.port;
    return typeof port === 'number' ? port : null;
  };
  const events = (action: string) => logLines().filter((line) => actionOf(line) === action);
  return {
    proc,
    udpPort: portOf('udp'),
    tcpPort: portOf('tcp'),
    tlsPort: portOf('tls'),
    logLines,
    otherLines: () => proc.lines.filter((line) => parseLogLine(line) === null),
    events,
    async waitForEvents(action, count, timeoutMs) {
      // The predicate looks at all the lines so far, so it holds from the count-th matching line on.
      const enough = () => events(action).length >= count;
      await proc
        .waitForLine(() => enough(), timeoutMs)
        .catch((error: Error) => {
          throw new Error(
            `expected ${count} "${action}" lines, got ${events(action).length}: ${error.message}`,
          );
        });
      return events(action);
    },
  };
}
