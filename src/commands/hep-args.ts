/**
 * The command line of `trunkguard hep`, parsed: --listen into HEP listeners, and the rest into the
 * same ProxyFlags the proxy uses for its config, profile, HTTP and log flags (merged with the
 * config file by loadCollectorSettings).
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { ProxyFlags } from '../proxy/load-proxy-settings.js';
import { parseHostPort } from '../proxy/next-hop.js';
import { DEFAULT_HEP_PORT, type HepListen } from '../sources/hep/hep-collector.js';
import { UsageError } from './command-io.js';
import { WATCH_OPTIONS, watchFlags } from './watch-flags.js';

export const HEP_USAGE = `Usage: trunkguard hep [options] --listen [udp:|tcp:]HOST[:PORT]

Collects HEPv3 packets from capture agents (Kamailio siptrace, OpenSIPS, FreeSWITCH, heplify,
an SBC's mirror) and judges the SIP messages in them against the carrier profile, with the
proxy's findings, call summaries, metrics, HTTP API and dashboard. Nothing is forwarded.
Which side sent a message comes from its source address (the profile's signaling ranges and
the config's carrierPeers are the carrier side).

Options:
  --listen [T:]HOST[:PORT]
                        where to take HEP. T: udp or tcp (none: both). PORT: default 9060,
                        0 picks a free one. Repeat for more (default: udp and tcp on
                        0.0.0.0:9060). Over TCP each HEP3 packet is framed by its length
  --config FILE         config file (default: config/trunkguard.yaml); its proxy.listen,
                        proxy.carrier and proxy.tls are not used
  --profile NAME        carrier profile from rules/, or a profile file
                        (default: the config's, twilio)
  --http HOST:PORT      serve the HTTP API, /metrics and the dashboard there; a PORT alone
                        means 127.0.0.1:PORT (default: the config's http.listen)
  --no-http             no HTTP server, whatever the config says
  --http-token-file FILE
                        require the bearer token in FILE on every HTTP request but /healthz
  --log FILE            also append the JSON log lines to FILE
  --negotiation-log FILE
                        write every SDP-bearing message to FILE, a trace for trunkguard check
  --syslog HOST[:PORT][;transport=udp|tcp]
                        also send the log lines to a syslog server as RFC 5424
  --log-level LEVEL     lowest level written to the console: error|warn|info|debug
  --quiet               nothing on the console (the other log outputs still write)

A TLS leg mirrored by an agent arrives as TCP (HEP has no TLS flag): it is judged as TLS when
its top Via says TLS or either port is 5061.`;

const OPTIONS = {
  ...WATCH_OPTIONS,
  listen: { type: 'string', multiple: true },
} as const;

export interface HepArgs {
  readonly listen: readonly HepListen[];
  readonly flags: ProxyFlags;
}

/** Parses `trunkguard hep` arguments (after the command name); throws UsageError. */
export function parseHepArgs(args: readonly string[]): HepArgs {
  let parsed: ReturnType<typeof parseHepArgv>;
  try {
    parsed = parseHepArgv(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`hep takes no FILE arguments, got "${positionals[0]}"`);
  const flags = watchFlags(values);
  const listen = (values.listen ?? ['0.0.0.0']).flatMap((text) => {
    const parsed = parseHepListen(text);
    if (typeof parsed === 'string') throw new UsageError(`--listen "${text}": ${parsed}`);
    return parsed;
  });
  const seen = new Set<string>();
  for (const spec of listen) {
    const key = `${spec.transport} ${spec.host} ${spec.port}`;
    if (spec.port !== 0 && seen.has(key))
      throw new UsageError(`--listen binds ${spec.transport} ${spec.host}:${spec.port} twice`);
    seen.add(key);
  }
  return { listen, flags };
}

function parseHepArgv(args: readonly string[]) {
  return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: OPTIONS });
}

/** One --listen: `[udp:|tcp:]HOST[:PORT]`; without a transport, UDP and TCP both. */
export function parseHepListen(text: string): HepListen[] | string {
  const trimmed = text.trim();
  const prefix = /^(udp|tcp):(?=.)/i.exec(trimmed);
  const named = prefix?.[1]?.toLowerCase() as 'udp' | 'tcp' | undefined;
  const rest = named === undefined ? trimmed : trimmed.slice(named.length + 1);
  if (named === undefined && /^[a-z]+:/i.test(rest) && isIP(rest) === 0) {
    return `"${rest.split(':')[0]}" is not a HEP transport (udp or tcp)`;
  }
  const hostPort = parseHostPort(rest, 0);
  if (typeof hostPort === 'string') return hostPort;
  if (isIP(hostPort.host) === 0)
    return `"${hostPort.host}" is not an IP address (0.0.0.0 for every IPv4 interface, :: for every IPv6 one)`;
  const transports: readonly ('udp' | 'tcp')[] = named === undefined ? ['udp', 'tcp'] : [named];
  return transports.map((transport) => ({
    transport,
    host: hostPort.host,
    port: hostPort.port ?? DEFAULT_HEP_PORT,
  }));
}
