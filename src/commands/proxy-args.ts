/**
 * The command line of `trunkguard proxy`, parsed into ProxyFlags: every value checked here, so
 * a bad flag is a UsageError naming the flag before any file is read. Merging with the config
 * file is loadProxySettings' job (src/proxy/load-proxy-settings.ts).
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { isSeverity, type Severity } from '../policy/codes.js';
import { type ProxyFlags, parseAdvertise } from '../proxy/load-proxy-settings.js';
import {
  defaultPort,
  isProxyTransport,
  NEXT_HOP_FORMAT,
  parseHostPort,
  parseNextHop,
} from '../proxy/next-hop.js';
import type { ListenerSettings, ListenerSide, NextHopSettings, ProxyTransport } from '../proxy/settings.js';
import { UsageError } from './command-io.js';
import { WATCH_OPTIONS, watchFlags } from './watch-flags.js';

export const PROXY_USAGE = `Usage: trunkguard proxy [options] --carrier HOST[:PORT][;transport=udp|tcp|tls]

Runs inline, as a SIP proxy between your PBX/SBC (customer side) and the carrier's trunk,
and judges every SDP offer and answer that passes against the carrier profile.
Flags win over the config file. Quote values holding ";" in a shell:
  trunkguard proxy --carrier 'mytrunk.pstn.twilio.com;transport=tls'

Options:
  --config FILE         config file (default: config/trunkguard.yaml)
  --listen [T:]HOST[:PORT][;side=S][;advertise=HOST[:PORT]]
                        where to accept SIP. T: udp, tcp or tls (none: udp and tcp both).
                        PORT: default 5060 (5061 for tls), 0 picks a free one. S: auto,
                        carrier or customer (default auto). advertise: the address written
                        in Via and Record-Route. Repeat for more listeners; replaces the
                        config's proxy.listen (default: udp and tcp on 0.0.0.0:5060)
  --carrier HOP         the carrier's trunk, HOST[:PORT][;transport=udp|tcp|tls]; a host
                        name without a port is looked up by DNS SRV (RFC 3263).
                        Required, here or as proxy.carrier in the config
  --customer HOP        your PBX/SBC, where requests from the carrier go
                        (default: routed by their Route set and Request-URI)
  --profile NAME        carrier profile from rules/, or a profile file
                        (default: the config's, twilio)
  --record-route        add Record-Route, so in-dialog requests come back through the proxy
                        (default)
  --no-record-route     do not add Record-Route
  --enforce SEVERITY    reject offers with a finding at or above SEVERITY (488 Not Acceptable
                        Here): info|low|medium|high|critical, or off (default: off, watch only)
  --tls-cert FILE       PEM certificate the TLS listeners present
  --tls-key FILE        PEM private key of --tls-cert
  --tls-ca FILE         PEM CAs trusted for the carrier's certificate
                        (default: Node's CA store)
  --no-verify-peer      do not verify the certificate of TLS next hops (tests only)
  --http HOST:PORT      serve the HTTP API, /metrics and the dashboard there; a PORT alone
                        means 127.0.0.1:PORT (default: the config's http.listen; the shipped
                        config serves 127.0.0.1:8080)
  --no-http             no HTTP server, whatever the config says
  --http-token-file FILE
                        require the bearer token in FILE on every HTTP request but /healthz
                        (default: the config's http.token or http.tokenFile; none)
  --log FILE            also append the JSON log lines to FILE (default: the config's
                        log.file; its level and rotation still come from there)
  --negotiation-log FILE
                        write every SDP-bearing message to FILE, a trace for trunkguard
                        check, SDES keys hashed (default: the config's log.negotiations)
  --syslog HOST[:PORT][;transport=udp|tcp]
                        also send the log lines to a syslog server as RFC 5424 (PORT default
                        514, transport udp; level and facility from the config's log.syslog)
  --log-level LEVEL     lowest level written to the console: error|warn|info|debug
                        (default: the config's log.console, info)
  --quiet               nothing on the console (the other log outputs still write)`;

/** The flags and their types, for node:util parseArgs. */
const OPTIONS = {
  ...WATCH_OPTIONS,
  listen: { type: 'string', multiple: true },
  carrier: { type: 'string' },
  customer: { type: 'string' },
  'record-route': { type: 'boolean' },
  'no-record-route': { type: 'boolean' },
  enforce: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'no-verify-peer': { type: 'boolean' },
} as const;

/** Parses `trunkguard proxy` arguments (after the command name); throws UsageError. */
export function parseProxyArgs(args: readonly string[]): ProxyFlags {
  let parsed: ReturnType<typeof parseProxyArgv>;
  try {
    parsed = parseProxyArgv(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`proxy takes no FILE arguments, got "${positionals[0]}"`);
  if (values['record-route'] && values['no-record-route']) {
    throw new UsageError('give --record-route or --no-record-route, not both');
  }
  for (const flag of PATH_FLAGS) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a value`);
  }
  return {
    ...watchFlags(values),
    listen: values.listen === undefined ? undefined : listeners(values.listen),
    carrier: values.carrier === undefined ? undefined : hopFlag('carrier', values.carrier),
    customer: values.customer === undefined ? undefined : hopFlag('customer', values.customer),
    recordRoute: values['record-route'] ? true : values['no-record-route'] ? false : undefined,
    enforce: values.enforce === undefined ? undefined : enforceFlag(values.enforce),
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    tlsCa: values['tls-ca'],
    verifyPeer: values['no-verify-peer'] ? false : undefined,
  };
}

/** The proxy's own flags naming a file (the shared ones: watch-flags.ts). */
const PATH_FLAGS = ['tls-cert', 'tls-key', 'tls-ca'] as const;

function parseProxyArgv(args: readonly string[]) {
  return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
}

function hopFlag(flag: 'carrier' | 'customer', text: string): NextHopSettings {
  const hop = parseNextHop(text);
  if (typeof hop === 'string')
    throw new UsageError(`--${flag} "${text}": ${hop} (expected ${NEXT_HOP_FORMAT})`);
  return hop;
}

function enforceFlag(text: string): Severity | null {
  if (text === 'off') return null;
  if (isSeverity(text)) return text;
  throw new UsageError(`--enforce must be off, info, low, medium, high or critical, not "${text}"`);
}

/** Every --listen, expanded; the same transport, host and port twice is a mistake. */
function listeners(texts: readonly string[]): ListenerSettings[] {
  const all = texts.flatMap((text) => {
    const parsed = parseListen(text);
    if (typeof parsed === 'string') throw new UsageError(`--listen "${text}": ${parsed}`);
    return parsed;
  });
  const seen = new Set<string>();
  for (const listener of all) {
    const key = `${listener.transport === 'udp' ? 'udp' : 'tcp'} ${listener.host} ${listener.port}`;
    if (listener.port !== 0 && seen.has(key)) {
      throw new UsageError(
        `--listen binds ${listener.transport} ${listener.host}:${listener.port} twice ` +
          '(tls and tcp share TCP ports)',
      );
    }
    seen.add(key);
  }
  return all;
}

/**
 * One --listen: `[udp:|tcp:|tls:]HOST[:PORT][;side=S][;advertise=HOST[:PORT]]`. Without a
 * transport, UDP and TCP both: RFC 3261 §18 requires a SIP element to implement both, and
 * carriers switch to TCP for messages too large for UDP (§18.1.1).
 */
export function parseListen(text: string): ListenerSettings[] | string {
  const [address = '', ...params] = text.trim().split(';');
  const prefix = /^([a-z]+):(?=.)/i.exec(address);
  const named = prefix?.[1]?.toLowerCase();
  const transports: readonly ProxyTransport[] =
    named !== undefined && isProxyTransport(named) ? [named] : ['udp', 'tcp'];
  const rest = named !== undefined && isProxyTransport(named) ? address.slice(named.length + 1) : address;
  const hostPort = parseHostPort(rest, 0);
  if (typeof hostPort === 'string') {
    return /^[a-z]+:/i.test(rest) && isIP(rest) === 0
      ? `"${rest.split(':')[0]}" is not a transport (udp, tcp or tls)`
      : hostPort;
  }
  if (isIP(hostPort.host) === 0) {
    const wildcards = '0.0.0.0 for every IPv4 interface, :: for every IPv6 one';
    return `"${hostPort.host}" is not an IP address (${wildcards})`;
  }
  const options = listenParams(params);
  if (typeof options === 'string') return options;
  return transports.map((transport) => ({
    transport,
    host: hostPort.host,
    port: hostPort.port ?? defaultPort(transport),
    side: options.side,
    advertise: options.advertise,
  }));
}

interface ListenParams {
  readonly side: ListenerSide;
  readonly advertise: ListenerSettings['advertise'];
}

function listenParams(params: readonly string[]): ListenParams | string {
  let side: ListenerSide = 'auto';
  let advertise: ListenerSettings['advertise'] = null;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=', 2);
    if (name === 'side') {
      if (value !== 'auto' && value !== 'carrier' && value !== 'customer') {
        return `side "${value}" is not one of auto, carrier, customer`;
      }
      side = value;
    } else if (name === 'advertise') {
      const parsed = parseAdvertise(value);
      if (typeof parsed === 'string') return `advertise "${value}": ${parsed}`;
      advertise = parsed;
    } else {
      return `";${param}" is not a --listen parameter (;side=auto|carrier|customer, ;advertise=HOST[:PORT])`;
    }
  }
  return { side, advertise };
}
