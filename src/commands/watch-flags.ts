/**
 * The flags every command that runs a source of SIP shares (proxy, hep): the config and profile,
 * the HTTP API and the log outputs. One parser, so the two commands cannot drift apart.
 */
import { LOG_LEVELS } from '../policy/schema/config-schema.js';
import {
  type HttpListen,
  type ProxyFlags,
  parseHttpListen,
  type SyslogTarget,
} from '../proxy/load-proxy-settings.js';
import { parseHostPort } from '../proxy/next-hop.js';
import type { LogLevel } from '../proxy/settings.js';
import { UsageError } from './command-io.js';

/** The shared flags and their types, for node:util parseArgs (spread into each command's). */
export const WATCH_OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  http: { type: 'string' },
  'no-http': { type: 'boolean' },
  'http-token-file': { type: 'string' },
  log: { type: 'string' },
  'negotiation-log': { type: 'string' },
  syslog: { type: 'string' },
  'log-level': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** Shared flags naming a file: an empty value is a mistake (a variable that was not set). */
export const WATCH_PATH_FLAGS = ['config', 'profile', 'log', 'negotiation-log', 'http-token-file'] as const;

export interface WatchValues {
  readonly config?: string | undefined;
  readonly profile?: string | undefined;
  readonly http?: string | undefined;
  readonly 'no-http'?: boolean | undefined;
  readonly 'http-token-file'?: string | undefined;
  readonly log?: string | undefined;
  readonly 'negotiation-log'?: string | undefined;
  readonly syslog?: string | undefined;
  readonly 'log-level'?: string | undefined;
  readonly quiet?: boolean | undefined;
}

export type WatchFlags = Pick<
  ProxyFlags,
  | 'config'
  | 'profile'
  | 'http'
  | 'httpTokenFile'
  | 'logFile'
  | 'negotiationLog'
  | 'syslog'
  | 'logLevel'
  | 'quiet'
>;

/** Checks the shared flags against each other and turns them into settings flags; throws UsageError. */
export function watchFlags(values: WatchValues): WatchFlags {
  if (values['no-http'] && values.http !== undefined)
    throw new UsageError('give --http or --no-http, not both');
  if (values['no-http'] && values['http-token-file'] !== undefined) {
    throw new UsageError('--http-token-file protects the HTTP server, which --no-http turns off');
  }
  if (values.quiet && values['log-level'] !== undefined) {
    throw new UsageError('give --quiet or --log-level, not both (--quiet turns the console off)');
  }
  for (const flag of WATCH_PATH_FLAGS) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a value`);
  }
  return {
    config: values.config,
    profile: values.profile,
    http: values['no-http'] ? null : values.http === undefined ? undefined : httpFlag(values.http),
    httpTokenFile: values['http-token-file'],
    logFile: values.log,
    negotiationLog: values['negotiation-log'],
    syslog: values.syslog === undefined ? undefined : syslogFlag(values.syslog),
    logLevel: values['log-level'] === undefined ? undefined : logLevelFlag(values['log-level']),
    quiet: values.quiet ? true : undefined,
  };
}

/**
 * `HOST[:PORT][;transport=udp|tcp]`: a syslog server, port 514 and UDP unless written
 * (RFC 5426 §3.3 assigns 514/udp; RFC 6587 gives TCP no port of its own, so 514 there too).
 */
export function parseSyslog(text: string): SyslogTarget | string {
  const [address = '', ...params] = text.trim().split(';');
  const hostPort = parseHostPort(address);
  if (typeof hostPort === 'string') return hostPort;
  let protocol: SyslogTarget['protocol'] = 'udp';
  for (const param of params) {
    const [name = '', value = ''] = param.split('=', 2);
    if (name.toLowerCase() !== 'transport')
      return `";${param}" is not a --syslog parameter (only ;transport=udp|tcp)`;
    const lower = value.toLowerCase();
    if (lower !== 'udp' && lower !== 'tcp') return `transport "${value}" is not one of udp, tcp`;
    protocol = lower;
  }
  return { host: hostPort.host, port: hostPort.port ?? 514, protocol };
}

function httpFlag(text: string): HttpListen {
  const listen = parseHttpListen(text);
  if (typeof listen === 'string') {
    throw new UsageError(`--http "${text}": ${listen} (expected HOST:PORT, [IPv6]:PORT or PORT)`);
  }
  return listen;
}

function logLevelFlag(text: string): LogLevel {
  const level = LOG_LEVELS.find((name) => name === text);
  if (level === undefined)
    throw new UsageError(`--log-level must be ${LOG_LEVELS.join(', ')}, not "${text}"`);
  return level;
}

function syslogFlag(text: string): SyslogTarget {
  const target = parseSyslog(text);
  if (typeof target === 'string') {
    throw new UsageError(`--syslog "${text}": ${target} (expected HOST[:PORT][;transport=udp|tcp])`);
  }
  return target;
}
