/**
 * The proxy's settings: the config file's `proxy:`, `log:` and `http:` sections (and the
 * judge's profile and policy, through loadConfig), merged with the command-line flags. Flags win.
 *
 * Paths in the file are relative to the file, so a config and its certificates travel
 * together; paths in flags are relative to where the command runs, as a shell user expects.
 * Problems in the file are ConfigErrors (file:line:column: field: expected ..., got ...);
 * problems only the flags can fix (no carrier anywhere, a TLS listener from --listen without
 * --tls-cert) are UsageErrors.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../commands/command-io.js';
import { DEFAULT_TABLE_OPTIONS } from '../dialog/offer-answer-table.js';
import type { Severity } from '../policy/codes.js';
import { ConfigError, isProfilePath, loadConfig } from '../policy/load-config.js';
import { type ConfigIssue, displayPath, throwIfAny } from '../policy/load-error.js';
import { DEFAULT_CONFIG_FILE } from '../policy/load-paths.js';
import {
  describeValue,
  issueAt,
  locate,
  type PathSegment,
  readYaml,
  type YamlSource,
} from '../policy/load-yaml.js';
import type { JudgeConfig } from '../policy/profile.js';
import {
  HTTP_TOKEN_EXPECTED,
  HTTP_TOKEN_PATTERN,
  httpSchema,
  listenerSchema,
  nextHopSchema,
  proxySchema,
  type RawConfig,
  type RawListener,
  syslogSchema,
} from '../policy/schema/config-schema.js';
import { mergeLimits } from './limits.js';
import { isHostName, NEXT_HOP_FORMAT, parseHostPort, parseNextHop } from './next-hop.js';
import type {
  FileLogSettings,
  HttpSettings,
  ListenerSettings,
  LogLevel,
  LogSettings,
  NegotiationLogSettings,
  NextHopSettings,
  ProxySettings,
  RecentCallsSettings,
  SyslogSettings,
  TlsSettings,
} from './settings.js';

/** Where the HTTP server binds: an IP address (IPv6 without brackets) and a port (0: any free one). */
export type HttpListen = Pick<HttpSettings, 'host' | 'port'>;

/** Where syslog lines go, as `--syslog` writes it. */
export type SyslogTarget = Pick<SyslogSettings, 'host' | 'port' | 'protocol'>;

/** What the command line said; undefined: not given, the config file (or the default) decides. */
export interface ProxyFlags {
  readonly config?: string | undefined;
  /** A profile name or a path to a profile file. */
  readonly profile?: string | undefined;
  /** Replaces the config's `proxy.listen` list. */
  readonly listen?: readonly ListenerSettings[] | undefined;
  readonly carrier?: NextHopSettings | undefined;
  readonly customer?: NextHopSettings | undefined;
  /** `--http`: where the HTTP server binds; null: `--no-http`, no HTTP server whatever the config says. */
  readonly http?: HttpListen | null | undefined;
  /** `--http-token-file`: the bearer token's file, relative to cwd; wins over http.token and http.tokenFile. */
  readonly httpTokenFile?: string | undefined;
  /** `--log`: log.file.path (relative to cwd); the file's other fields from the config or defaults. */
  readonly logFile?: string | undefined;
  /** `--negotiation-log`: log.negotiations.path (relative to cwd); its other fields as for logFile. */
  readonly negotiationLog?: string | undefined;
  /** `--syslog`: the syslog server; level, appName and facility from the config or defaults. */
  readonly syslog?: SyslogTarget | undefined;
  /** `--log-level`: the console output's level (the console is on with it, even if the config says false). */
  readonly logLevel?: LogLevel | undefined;
  /** `--quiet`: no console output. */
  readonly quiet?: boolean | undefined;
  readonly recordRoute?: boolean | undefined;
  /** Null: `--enforce off`. */
  readonly enforce?: Severity | null | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly tlsCa?: string | undefined;
  readonly verifyPeer?: boolean | undefined;
}

/**
 * 65535: the most a UDP length field can say. SIP over TCP has no limit of its own, so the
 * same cap bounds what one connection can make the proxy buffer.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 65_535;

/**
 * TLS 1.2 suites: forward-secret AEAD first, then the AES-CBC suites older SBCs still need
 * (RFC 3261 §26.3.1 names TLS_RSA_WITH_AES_128_CBC_SHA); never export, NULL, RC4, 3DES or MD5.
 */
export const DEFAULT_TLS_CIPHERS =
  'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:ECDHE+AES:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA:' +
  '!aNULL:!eNULL:!EXPORT:!DES:!3DES:!RC4:!MD5:!PSK:!SRP';

/** Long enough for a carrier across an ocean, short enough that half-open handshakes do not pile up. */
export const DEFAULT_TLS_HANDSHAKE_SECONDS = 10;

/** `http: {}` without a listen: the issue's "bound to 127.0.0.1 by default". */
export const DEFAULT_HTTP_LISTEN: HttpListen = { host: '127.0.0.1', port: 8080 };

export const DEFAULT_RECENT_CALLS: RecentCallsSettings = { maxCalls: 1000, maxBytes: 32 * 1024 * 1024 };

/** log.file's fields other than path, when the config leaves them out. */
export const DEFAULT_FILE_LOG: Omit<FileLogSettings, 'path'> = {
  level: 'info',
  maxBytes: 50 * 1024 * 1024,
  maxFiles: 10,
};

/** log.syslog's fields, when the config leaves them out: the local syslog daemon over UDP. */
export const DEFAULT_SYSLOG: SyslogSettings = {
  host: '127.0.0.1',
  port: 514,
  protocol: 'udp',
  level: 'warn',
  appName: 'trunkguard',
  facility: 'local0',
};

/** log.negotiations' fields other than path (and hashSecretFile, null), when the config leaves them out. */
export const DEFAULT_NEGOTIATION_LOG: Omit<NegotiationLogSettings, 'path' | 'hashSecretFile'> = {
  maxBytes: 100 * 1024 * 1024,
  maxAgeSeconds: 24 * 3600,
  maxFiles: 14,
};

/** UDP and TCP on every IPv4 interface, port 5060: what a SIP trunk expects to reach. */
export function defaultListeners(): ListenerSettings[] {
  return (['udp', 'tcp'] as const).map((transport) => ({
    transport,
    host: '0.0.0.0',
    port: 5060,
    side: 'auto',
    advertise: null,
  }));
}

/**
 * The host[:port] to advertise in Via and Record-Route: a name or an IP a peer can reach, so
 * never a wildcard address. Returns the reason as a string when the text cannot be one.
 */
export function parseAdvertise(text: string): ListenerSettings['advertise'] | string {
  const parsed = parseHostPort(text.trim());
  if (typeof parsed === 'string') return parsed;
  if (parsed.host === '0.0.0.0' || parsed.host === '::') {
    return `"${parsed.host}" means every interface; peers need an address they can reach`;
  }
  return { host: parsed.host, port: parsed.port };
}

/**
 * Where the HTTP server binds: `HOST:PORT`, `[IPv6]:PORT`, or a `PORT` alone for
 * 127.0.0.1:PORT. HOST is an IP address, as for SIP listeners. Returns the reason as a string
 * when the text cannot be one.
 */
export function parseHttpListen(text: string): HttpListen | string {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const port = Number(trimmed);
    return port <= 65535 ? { host: DEFAULT_HTTP_LISTEN.host, port } : `the port ${port} is not in 0-65535`;
  }
  if (!trimmed.startsWith('[') && isIP(trimmed) === 6) {
    return 'an IPv6 address is written in brackets, then its port: [::1]:8080';
  }
  const parsed = parseHostPort(trimmed, 0);
  if (typeof parsed === 'string') return parsed;
  const ip = bindProblem(parsed.host);
  if (ip !== null) return `"${parsed.host}" is ${ip}`;
  if (parsed.port === null) {
    const host = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
    return `no port: write ${host}:PORT, e.g. ${host}:8080`;
  }
  return { host: parsed.host, port: parsed.port };
}

/**
 * Why a bearer token is refused, or null. Never quotes the token: it may be one character away
 * from the real one.
 */
export function tokenProblem(token: string): string | null {
  if (HTTP_TOKEN_PATTERN.test(token)) return null;
  if (token.length === 0) return 'nothing';
  const size = `${token.length} character${token.length === 1 ? '' : 's'}`;
  return token.length < 16 ? `${size}, fewer than 16` : `${size}, some of them not allowed in a bearer token`;
}

/**
 * Loads the config file (default: the shipped one) and merges the flags over it. `cwd` is
 * where relative paths in flags are taken from. Throws ConfigError for problems in the files,
 * UsageError for problems the command line must fix.
 */
export async function loadProxySettings(
  flags: ProxyFlags,
  cwd: string = process.cwd(),
): Promise<ProxySettings> {
  const { file, source, raw, settings, issues } = loadCommon(flags, cwd);
  const proxy = raw.proxy ?? {};
  const listeners = flags.listen ?? proxy.listen?.map(toListener) ?? defaultListeners();
  const tls = tlsSettings(flags, raw, file, cwd);
  throwIfAny([...tlsIssues(source, raw, listeners, tls, flags), ...issues]);
  return {
    ...settings,
    listeners,
    carrier: flags.carrier ?? configHop(proxy.carrier) ?? missingCarrier(file),
    customer: flags.customer ?? configHop(proxy.customer),
    recordRoute: flags.recordRoute ?? proxy.recordRoute ?? true,
    tls,
    enforce: flags.enforce !== undefined ? flags.enforce : enforceOf(proxy.enforce),
  };
}

/** What `trunkguard hep` needs of the settings: no listeners, next hops or TLS of the proxy's. */
export type CollectorSettings = Pick<
  ProxySettings,
  'judge' | 'log' | 'http' | 'dialogs' | 'maxMessageBytes' | 'recentCalls' | 'limits'
>;

/**
 * The settings of a collector (`trunkguard hep`): the same config file and the same `log:`,
 * `http:` and `proxy.dialogs`/`proxy.recentCalls` merging as loadProxySettings, without what
 * only forwarding needs (no carrier is required; `proxy.listen` and `proxy.tls` are not read).
 */
export async function loadCollectorSettings(
  flags: ProxyFlags,
  cwd: string = process.cwd(),
): Promise<CollectorSettings> {
  const { settings, issues } = loadCommon(flags, cwd);
  throwIfAny(issues);
  return settings;
}

/** The part every source of SIP shares: the judge, logs, HTTP, dialog and store limits. */
function loadCommon(flags: ProxyFlags, cwd: string) {
  const file = flags.config === undefined ? DEFAULT_CONFIG_FILE : resolve(cwd, flags.config);
  const { judge, source, raw } = loadFile(file, profileFlag(flags.profile, cwd));
  const proxy = raw.proxy ?? {};
  const http = httpSettings(flags, source, raw, cwd);
  const dialogs = proxy.dialogs ?? {};
  const recentCalls = proxy.recentCalls ?? {};
  const settings: CollectorSettings = {
    judge,
    log: logSettings(flags, raw, file, cwd),
    dialogs: {
      maxCalls: dialogs.maxCalls ?? DEFAULT_TABLE_OPTIONS.maxCalls,
      ttlSeconds: dialogs.ttlSeconds ?? DEFAULT_TABLE_OPTIONS.ttlMs / 1000,
    },
    maxMessageBytes: proxy.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    http: http.settings,
    recentCalls: {
      maxCalls: recentCalls.maxCalls ?? DEFAULT_RECENT_CALLS.maxCalls,
      maxBytes: recentCalls.maxBytes ?? DEFAULT_RECENT_CALLS.maxBytes,
    },
    limits: mergeLimits(proxy.limits),
  };
  return { file, source, raw, settings, issues: http.issues };
}

/** A profile path on the command line is relative to `cwd`; loadConfig would take process.cwd(). */
function profileFlag(profile: string | undefined, cwd: string): string | undefined {
  return profile !== undefined && isProfilePath(profile) ? resolve(cwd, profile) : profile;
}

interface LoadedFile {
  readonly judge: JudgeConfig;
  readonly source: YamlSource;
  readonly raw: RawConfig;
}

/**
 * The judge part through loadConfig (which also schema-checks `proxy:`, `log:` and `http:`),
 * plus the checks of the proxy's strings the schema leaves to us; every problem reported in
 * one error.
 */
function loadFile(file: string, profile: string | undefined): LoadedFile {
  const read = readYaml(file);
  if (!read.ok) throwIfAny(read.issues);
  if (!read.ok) throw new Error(`internal: reading ${file} failed without issues`);
  const data = read.source.data ?? {};
  const source: YamlSource = { ...read.source, data };
  let judge: JudgeConfig | null = null;
  let issues: readonly ConfigIssue[] = [];
  try {
    judge = loadConfig(file, { profile });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues = error.issues;
  }
  // A field the schema already rejected is not reported twice.
  const reported = new Set(issues.map((issue) => issue.field));
  const extra = proxyStringIssues(source).filter((issue) => !reported.has(issue.field));
  throwIfAny([...withoutRedundantParents(issues), ...extra]);
  if (judge === null) throw new Error(`internal: loading ${file} failed without issues`);
  // loadConfig validated the same data against configSchema.
  return { judge, source, raw: data as RawConfig };
}

/**
 * Fields whose schema is a choice of a constant or a mapping (`console: false`): when the
 * mapping has a bad field, ajv also reports the choice at the parent, worded as if the mapping
 * were not one.
 */
const CHOICE_FIELDS = ['log.console'];

function withoutRedundantParents(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.filter(
    (issue) =>
      !CHOICE_FIELDS.includes(issue.field) ||
      !issues.some((other) => other.field.startsWith(`${issue.field}.`)),
  );
}

function child(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node)) return typeof segment === 'number' ? node[segment] : undefined;
  if (typeof node === 'object' && node !== null && typeof segment === 'string') {
    return (node as Record<string, unknown>)[segment];
  }
  return undefined;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>(child, data);
}

/**
 * The strings whose shape JSON Schema cannot check: addresses to bind, addresses to advertise,
 * next hops, the TLS server name, the HTTP address and token, the syslog server. Checked with
 * the parsers the flags use, and only where the value is a string (anything else is the
 * schema's to report).
 */
export function proxyStringIssues(source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (
    path: readonly PathSegment[],
    expected: string,
    problem: (text: string) => string | null,
  ) => {
    const value = valueAt(source.data, path);
    if (typeof value !== 'string' || value === '') return;
    const reason = problem(value);
    if (reason !== null) issues.push(issueAt(source, path, expected, `${describeValue(value)} (${reason})`));
  };
  const listen = valueAt(source.data, ['proxy', 'listen']);
  const count = Array.isArray(listen) ? listen.length : 0;
  for (let index = 0; index < count; index++) {
    const at = ['proxy', 'listen', index];
    check([...at, 'host'], listenerSchema.properties.host.expected, bindProblem);
    check([...at, 'advertise'], listenerSchema.properties.advertise.expected, (text) => {
      const parsed = parseAdvertise(text);
      return typeof parsed === 'string' ? parsed : null;
    });
  }
  for (const side of ['carrier', 'customer'] as const) {
    check(['proxy', side], nextHopSchema.expected, (text) => {
      const parsed = parseNextHop(text);
      return typeof parsed === 'string' ? parsed : null;
    });
  }
  check(
    ['proxy', 'tls', 'serverName'],
    proxySchema.properties.tls.properties.serverName.expected,
    serverNameProblem,
  );
  check(['http', 'listen'], httpSchema.properties.listen.expected, (text) => {
    const parsed = parseHttpListen(text);
    return typeof parsed === 'string' ? parsed : null;
  });
  check(['log', 'syslog', 'host'], syslogSchema.properties.host.expected, (text) =>
    isIP(text) !== 0 || isHostName(text) ? null : 'neither an IP address nor a host name',
  );
  issues.push(...duplicateListenerIssues(source, listen), ...tokenIssues(source));
  return issues;
}

/** http.token's characters (reported without the token), and token with tokenFile. */
function tokenIssues(source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const token = valueAt(source.data, ['http', 'token']);
  const problem = typeof token === 'string' ? tokenProblem(token) : null;
  if (problem !== null) {
    issues.push(issueAt(source, ['http', 'token'], HTTP_TOKEN_EXPECTED, `a token of ${problem}`));
  }
  const tokenFile = valueAt(source.data, ['http', 'tokenFile']);
  if (token !== undefined && tokenFile !== undefined) {
    const got = `${describeValue(tokenFile)} as well as http.token`;
    issues.push(issueAt(source, ['http', 'tokenFile'], 'either http.token or http.tokenFile, not both', got));
  }
  return issues;
}

/** Listeners bind IP addresses; a name would bind whatever it resolves to today. */
export function bindProblem(text: string): string | null {
  return isIP(text) === 0 ? 'not an IP address' : null;
}

/** RFC 6066 §3: 'Literal IPv4 and IPv6 addresses are not permitted in "HostName".' */
function serverNameProblem(text: string): string | null {
  if (isIP(text) !== 0) return 'SNI carries host names, never IP addresses: RFC 6066 §3';
  return isHostName(text) ? null : 'not a host name of letters, digits, "-" and "."';
}

/** TLS runs over TCP: a tcp and a tls listener cannot share a host and port either. */
function socketKey(transport: unknown, host: unknown, port: unknown): string | null {
  if (typeof transport !== 'string' || typeof host !== 'string' || typeof port !== 'number') return null;
  // Port 0 binds a fresh port every time: never a clash.
  if (port === 0) return null;
  return `${transport === 'udp' ? 'udp' : 'tcp'} ${host} ${port}`;
}

function duplicateListenerIssues(source: YamlSource, listen: unknown): ConfigIssue[] {
  if (!Array.isArray(listen)) return [];
  const seen = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  listen.forEach((item: unknown, index) => {
    const key = socketKey(child(item, 'transport'), child(item, 'host'), child(item, 'port'));
    if (key === null) return;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
      return;
    }
    const expected = `a host and port no other ${key.split(' ')[0]} listener binds (item [${first}] does)`;
    const got = `${String(child(item, 'host'))}:${String(child(item, 'port'))}`;
    issues.push(issueAt(source, ['proxy', 'listen', index], expected, got));
  });
  return issues;
}

/** A listener from the file; its strings passed proxyStringIssues. */
function toListener(raw: RawListener): ListenerSettings {
  const advertise = raw.advertise === undefined ? null : parseAdvertise(raw.advertise);
  if (typeof advertise === 'string')
    throw new Error(`internal: advertise passed validation but ${advertise}`);
  return { transport: raw.transport, host: raw.host, port: raw.port, side: raw.side ?? 'auto', advertise };
}

function configHop(text: string | undefined): NextHopSettings | null {
  if (text === undefined) return null;
  const hop = parseNextHop(text);
  if (typeof hop === 'string') throw new Error(`internal: next hop passed validation but ${hop}`);
  return hop;
}

function missingCarrier(file: string): never {
  throw new UsageError(
    `no carrier to forward to: give --carrier ${NEXT_HOP_FORMAT.replace('host[:port]', 'HOST[:PORT]')} ` +
      `(quote it in a shell when it has ";", e.g. --carrier 'mytrunk.pstn.twilio.com;transport=tls'), ` +
      `or set proxy.carrier in ${displayPath(file)}`,
  );
}

function enforceOf(value: 'off' | Severity | undefined): Severity | null {
  return value === undefined || value === 'off' ? null : value;
}

/** A path from a flag (relative to cwd) or from the file (relative to the file), or null. */
function pathOf(
  flag: string | undefined,
  fromFile: string | undefined,
  file: string,
  cwd: string,
): string | null {
  if (flag !== undefined) return resolve(cwd, flag);
  return fromFile === undefined ? null : resolve(dirname(file), fromFile);
}

function tlsSettings(flags: ProxyFlags, raw: RawConfig, file: string, cwd: string): TlsSettings {
  const tls = raw.proxy?.tls ?? {};
  return {
    certFile: pathOf(flags.tlsCert, tls.cert, file, cwd),
    keyFile: pathOf(flags.tlsKey, tls.key, file, cwd),
    caFile: pathOf(flags.tlsCa, tls.ca, file, cwd),
    verifyPeer: flags.verifyPeer ?? tls.verifyPeer ?? true,
    serverName: tls.serverName ?? null,
    minVersion: tls.minVersion ?? 'TLSv1.2',
    ciphers: tls.ciphers ?? DEFAULT_TLS_CIPHERS,
    handshakeSeconds: tls.handshakeSeconds ?? DEFAULT_TLS_HANDSHAKE_SECONDS,
  };
}

/** Each log output: a flag sets one or two fields, the config or the defaults the rest. */
function logSettings(flags: ProxyFlags, raw: RawConfig, file: string, cwd: string): LogSettings {
  const log = raw.log ?? {};
  const fromFile = (path: string) => resolve(dirname(file), path);
  return {
    console: consoleSettings(flags, log.console),
    file: fileLogSettings(
      flags.logFile === undefined ? undefined : resolve(cwd, flags.logFile),
      log.file,
      fromFile,
    ),
    syslog: syslogSettings(flags.syslog, log.syslog),
    negotiations: negotiationSettings(
      flags.negotiationLog === undefined ? undefined : resolve(cwd, flags.negotiationLog),
      log.negotiations,
      fromFile,
    ),
  };
}

type RawLog = NonNullable<RawConfig['log']>;

function consoleSettings(flags: ProxyFlags, raw: RawLog['console']): LogSettings['console'] {
  if (flags.quiet === true) return null;
  if (flags.logLevel !== undefined) return { level: flags.logLevel };
  return raw === false ? null : { level: raw?.level ?? 'info' };
}

function fileLogSettings(
  flagPath: string | undefined,
  raw: RawLog['file'],
  fromFile: (path: string) => string,
): FileLogSettings | null {
  const path = flagPath ?? (raw === undefined ? undefined : fromFile(raw.path));
  if (path === undefined) return null;
  return {
    path,
    level: raw?.level ?? DEFAULT_FILE_LOG.level,
    maxBytes: raw?.maxBytes ?? DEFAULT_FILE_LOG.maxBytes,
    maxFiles: raw?.maxFiles ?? DEFAULT_FILE_LOG.maxFiles,
  };
}

function syslogSettings(flag: SyslogTarget | undefined, raw: RawLog['syslog']): SyslogSettings | null {
  if (flag === undefined && raw === undefined) return null;
  return {
    host: flag?.host ?? raw?.host ?? DEFAULT_SYSLOG.host,
    port: flag?.port ?? raw?.port ?? DEFAULT_SYSLOG.port,
    protocol: flag?.protocol ?? raw?.protocol ?? DEFAULT_SYSLOG.protocol,
    level: raw?.level ?? DEFAULT_SYSLOG.level,
    appName: raw?.appName ?? DEFAULT_SYSLOG.appName,
    facility: raw?.facility ?? DEFAULT_SYSLOG.facility,
  };
}

function negotiationSettings(
  flagPath: string | undefined,
  raw: RawLog['negotiations'],
  fromFile: (path: string) => string,
): NegotiationLogSettings | null {
  const path = flagPath ?? (raw === undefined ? undefined : fromFile(raw.path));
  if (path === undefined) return null;
  return {
    path,
    maxBytes: raw?.maxBytes ?? DEFAULT_NEGOTIATION_LOG.maxBytes,
    maxAgeSeconds:
      raw?.maxAgeHours === undefined ? DEFAULT_NEGOTIATION_LOG.maxAgeSeconds : raw.maxAgeHours * 3600,
    maxFiles: raw?.maxFiles ?? DEFAULT_NEGOTIATION_LOG.maxFiles,
    hashSecretFile: raw?.hashSecretFile === undefined ? null : fromFile(raw.hashSecretFile),
  };
}

interface HttpResult {
  readonly settings: HttpSettings | null;
  readonly issues: ConfigIssue[];
}

/**
 * The HTTP server: on when the config has an `http:` section or `--http` is given, off with
 * `--no-http`. The token file is read now, so a missing one stops the start rather than the
 * first request; problems in the file are issues at its fields, in a flag UsageErrors.
 */
function httpSettings(flags: ProxyFlags, source: YamlSource, raw: RawConfig, cwd: string): HttpResult {
  const section = raw.http;
  if (flags.http === null || (flags.http === undefined && section === undefined)) {
    if (flags.httpTokenFile !== undefined) {
      const why =
        flags.http === null
          ? 'with --no-http'
          : `without --http or an http: section in ${displayPath(source.file)}`;
      throw new UsageError(`--http-token-file protects the HTTP server, which does not run ${why}`);
    }
    return { settings: null, issues: [] };
  }
  const listen = flags.http ?? configListen(section?.listen);
  if (flags.httpTokenFile !== undefined) {
    const path = resolve(cwd, flags.httpTokenFile);
    const read = readToken(path);
    if ('unreadable' in read) {
      throw new UsageError(
        `--http-token-file ${displayPath(path)}: cannot read the file (${read.unreadable})`,
      );
    }
    if ('problem' in read) {
      throw new UsageError(
        `--http-token-file ${displayPath(path)}: expected a file holding ${HTTP_TOKEN_EXPECTED}, ` +
          `got one holding ${read.problem}`,
      );
    }
    return { settings: { ...listen, token: read.token }, issues: [] };
  }
  if (section?.token !== undefined || section?.tokenFile === undefined) {
    return { settings: { ...listen, token: section?.token ?? null }, issues: [] };
  }
  const path = resolve(dirname(source.file), section.tokenFile);
  const read = readToken(path);
  if ('token' in read) return { settings: { ...listen, token: read.token }, issues: [] };
  const written = describeValue(section.tokenFile);
  const got =
    'unreadable' in read
      ? `${written} (cannot read ${displayPath(path)}: ${read.unreadable})`
      : `${written}, holding ${read.problem}`;
  const expected = `a file holding ${HTTP_TOKEN_EXPECTED}`;
  return { settings: null, issues: [issueAt(source, ['http', 'tokenFile'], expected, got)] };
}

/** http.listen from the file; its string passed proxyStringIssues. */
function configListen(listen: string | number | undefined): HttpListen {
  if (listen === undefined) return DEFAULT_HTTP_LISTEN;
  if (typeof listen === 'number') return { host: DEFAULT_HTTP_LISTEN.host, port: listen };
  const parsed = parseHttpListen(listen);
  if (typeof parsed === 'string') throw new Error(`internal: http.listen passed validation but ${parsed}`);
  return parsed;
}

/** The token in a file, whitespace around it trimmed; or why it cannot be used. */
type TokenRead = { readonly token: string } | { readonly unreadable: string } | { readonly problem: string };

function readToken(path: string): TokenRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { unreadable: typeof code === 'string' ? code : String(error) };
  }
  const token = text.trim();
  const problem = tokenProblem(token);
  return problem === null ? { token } : { problem };
}

/** The TLS files: their field in `proxy.tls`, their flag, and what they hold. */
const TLS_FILES = [
  { field: 'cert', flag: 'tls-cert', flagKey: 'tlsCert', setting: 'certFile', what: 'a PEM certificate' },
  {
    field: 'key',
    flag: 'tls-key',
    flagKey: 'tlsKey',
    setting: 'keyFile',
    what: 'the PEM private key of the certificate',
  },
  { field: 'ca', flag: 'tls-ca', flagKey: 'tlsCa', setting: 'caFile', what: 'a PEM bundle of trusted CAs' },
] as const;

/**
 * Certificate and key: a TLS listener needs both, and one without the other is a mistake.
 * Every file named must be readable now rather than at the first TLS handshake.
 * Problems from the file are issues at its fields; problems from flags throw UsageError.
 */
function tlsIssues(
  source: YamlSource,
  raw: RawConfig,
  listeners: readonly ListenerSettings[],
  tls: TlsSettings,
  flags: ProxyFlags,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const entry of TLS_FILES) {
    const path = tls[entry.setting];
    if (path === null) continue;
    const reason = unreadable(path);
    if (reason === null) continue;
    if (flags[entry.flagKey] !== undefined) {
      throw new UsageError(`--${entry.flag} ${displayPath(path)}: cannot read the file (${reason})`);
    }
    const written = describeValue(raw.proxy?.tls?.[entry.field]);
    const got = `${written} (cannot read ${displayPath(path)}: ${reason})`;
    issues.push(issueAt(source, ['proxy', 'tls', entry.field], `${entry.what} file that can be read`, got));
  }
  const tlsListener = listeners.findIndex((listener) => listener.transport === 'tls');
  const needsPair = tlsListener >= 0 || tls.certFile !== null || tls.keyFile !== null;
  for (const entry of TLS_FILES.slice(0, 2)) {
    if (!needsPair || tls[entry.setting] !== null) continue;
    const why =
      tlsListener >= 0
        ? `which the TLS listener ${describeListener(listeners[tlsListener])} needs`
        : `since proxy.tls.${entry.field === 'cert' ? 'key' : 'cert'} is set`;
    if (flags.listen !== undefined || flags.tlsCert !== undefined || flags.tlsKey !== undefined) {
      throw new UsageError(
        `--${entry.flag} FILE is missing, ${why}: give --tls-cert FILE and --tls-key FILE, ` +
          `or set proxy.tls.cert and proxy.tls.key in ${displayPath(source.file)}`,
      );
    }
    // Without a tls: mapping, the line to fix is the listener that needs it.
    const place: PathSegment[] =
      raw.proxy?.tls === undefined ? ['proxy', 'listen', tlsListener] : ['proxy', 'tls'];
    const field: PathSegment[] = ['proxy', 'tls', entry.field];
    const expected = `${entry.what} file, ${why}`;
    issues.push(issueWithPlace(source, place, field, expected, 'nothing (the field is missing)'));
  }
  return issues;
}

/** An issue about `field`, located at another node (the field does not exist yet). */
function issueWithPlace(
  source: YamlSource,
  place: readonly PathSegment[],
  field: readonly PathSegment[],
  expected: string,
  got: string,
): ConfigIssue {
  const issue = issueAt(source, field, expected, got);
  return { ...issue, ...locate(source, place) };
}

function describeListener(listener: ListenerSettings | undefined): string {
  if (listener === undefined) return '';
  const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
  return `${listener.transport}:${host}:${listener.port}`;
}

function unreadable(path: string): string | null {
  try {
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : String(error);
  }
}
