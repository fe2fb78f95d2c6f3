/**
 * Next hops (`--carrier`, `--customer`, `proxy.carrier`): parsing what a person writes, and
 * turning it into addresses to send to, per RFC 3263 as far as a trunk needs it. NAPTR is
 * skipped: carriers publish SRV records (or nothing), and a next hop written with a transport
 * or a port never reaches the NAPTR step anyway (§4.1).
 */
import { lookup as dnsLookup, resolveSrv as dnsResolveSrv } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { NextHopSettings, ProxyTransport } from './settings.js';

export const PROXY_TRANSPORTS: readonly ProxyTransport[] = ['udp', 'tcp', 'tls'];

/** How a next hop is written, for error messages and usage text. */
export const NEXT_HOP_FORMAT = 'host[:port][;transport=udp|tcp|tls]';

export function isProxyTransport(text: string): text is ProxyTransport {
  return (PROXY_TRANSPORTS as readonly string[]).includes(text);
}

/** RFC 3261 §19.1.2: 5060 for SIP over UDP and TCP, 5061 for SIP over TLS. */
export function defaultPort(transport: ProxyTransport): number {
  return transport === 'tls' ? 5061 : 5060;
}

/**
 * A host name in the shape RFC 1123 §2.1 allows: dot-separated labels of letters, digits and
 * hyphens, each 1-63 characters, not starting or ending with a hyphen (a leading digit is
 * allowed), 253 characters in all; one trailing dot (a fully qualified name) is accepted.
 * A name whose last label is all digits is rejected: it is a mistyped IPv4 address
 * (`10.0.0.300`), never a name DNS would answer for.
 */
export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  const label = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  return labels.every((part) => label.test(part)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

export interface HostPort {
  /** IP address (IPv6 without brackets) or host name, as written. */
  readonly host: string;
  readonly port: number | null;
}

/**
 * `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (no port: without brackets
 * the last group could not be told from a port). Returns the reason as a string when the text
 * is not one of those. `minPort` 0 for addresses to bind (0: any free port).
 */
export function parseHostPort(text: string, minPort: 0 | 1 = 1): HostPort | string {
  if (text === '') return 'the host is empty';
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return 'an IPv6 address opened with "[" needs a closing "]"';
    const host = text.slice(1, close);
    if (isIP(host) !== 6) return `"${host}" in brackets is not an IPv6 address`;
    const rest = text.slice(close + 1);
    if (rest === '') return { host, port: null };
    if (!rest.startsWith(':')) return `"${rest}" after "]" is not ":port"`;
    const port = parsePort(rest.slice(1), minPort);
    return typeof port === 'string' ? port : { host, port };
  }
  if (isIP(text) === 6) return { host: text, port: null };
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && text.indexOf(':') !== colon) {
    return 'an IPv6 address with a port is written in brackets: [2001:db8::1]:5060';
  }
  const host = colon < 0 ? text : text.slice(0, colon);
  const hostProblem = hostNameProblem(host);
  if (hostProblem !== null) return hostProblem;
  if (colon < 0) return { host, port: null };
  const port = parsePort(text.slice(colon + 1), minPort);
  return typeof port === 'string' ? port : { host, port };
}

function hostNameProblem(host: string): string | null {
  if (host === '') return 'the host is empty';
  if (isIP(host) !== 0 || isHostName(host)) return null;
  return /^[\d.]+$/.test(host)
    ? `"${host}" is not a valid IPv4 address`
    : `"${host}" is neither an IP address nor a host name of letters, digits, "-" and "."`;
}

/** A port: 1-65535, or 0-65535 for binding. */
function parsePort(text: string, min: 0 | 1): number | string {
  if (!/^\d{1,5}$/.test(text)) return `the port "${text}" is not a number`;
  const port = Number(text);
  return port >= min && port <= 65535 ? port : `the port ${port} is not in ${min}-65535`;
}

/**
 * Parses `host[:port][;transport=udp|tcp|tls]`. Returns the reason as a string when the text
 * is not a next hop; the caller names the flag or field.
 */
export function parseNextHop(text: string): NextHopSettings | string {
  const trimmed = text.trim();
  const [hostPart = '', ...params] = trimmed.split(';');
  // `sip:5060` is the host "sip" with a port; `sip:trunk.example.com` is a pasted SIP URI.
  if (/^sips?:/i.test(hostPart) && !/^sips?:\d+$/i.test(hostPart)) {
    return 'a next hop is not a SIP URI: write the host without "sip:"';
  }
  const hostPort = parseHostPort(hostPart);
  if (typeof hostPort === 'string') return hostPort;
  let transport: ProxyTransport | null = null;
  for (const param of params) {
    const [name = '', value] = param.split('=', 2);
    if (name.toLowerCase() !== 'transport') {
      return `";${param}" is not a parameter a next hop takes (only ;transport=udp|tcp|tls)`;
    }
    // RFC 3261 §19.1.4 compares URI parts other than userinfo case-insensitively: TLS is tls.
    const lower = (value ?? '').toLowerCase();
    if (!isProxyTransport(lower)) return `transport "${value ?? ''}" is not one of udp, tcp, tls`;
    transport = lower;
  }
  return { host: hostPort.host, port: hostPort.port, transport, text: trimmed };
}

/** One address a next hop resolved to, in the order to try. */
export interface ResolvedHop {
  /** IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly transport: ProxyTransport;
  /** The host name as written, for TLS SNI and the certificate check; null when written as an IP. */
  readonly serverName: string | null;
}

export interface SrvAnswer {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface AddressAnswer {
  readonly address: string;
  readonly family: number;
}

/** The DNS queries resolution needs; tests pass their own so they run without a network. */
export interface HopResolver {
  resolveSrv(name: string): Promise<readonly SrvAnswer[]>;
  /** A and AAAA (getaddrinfo: /etc/hosts and the system resolver), every address. */
  lookup(host: string): Promise<readonly AddressAnswer[]>;
}

export const systemResolver: HopResolver = {
  resolveSrv: (name) => dnsResolveSrv(name),
  lookup: (host) => dnsLookup(host, { all: true }),
};

/** Thrown when a next hop resolves to nothing; the message names the hop and the DNS error. */
export class NextHopError extends Error {
  override readonly name = 'NextHopError';
}

/**
 * The addresses to try for a next hop, best first. `label` names the hop in errors (`carrier`).
 * Rejects with NextHopError when nothing resolves.
 */
export async function resolveNextHop(
  hop: NextHopSettings,
  resolver: HopResolver = systemResolver,
  label = 'next hop',
): Promise<ResolvedHop[]> {
  // RFC 3263 §4.2: "If TARGET is a numeric IP address, the client uses that address. If the URI
  // also contains a port, it uses that port. If no port is specified, it uses the default port
  // for the particular transport protocol."
  if (isIP(hop.host) !== 0) {
    const transport = explicitTransport(hop);
    return [{ host: hop.host, port: hop.port ?? defaultPort(transport), transport, serverName: null }];
  }
  // RFC 3263 §4.2: "If the TARGET was not a numeric IP address, but a port is present in the
  // URI, the client performs an A or AAAA record lookup of the domain name."
  if (hop.port !== null) {
    return addressesOf(hop, explicitTransport(hop), hop.port, resolver, label);
  }
  const srv = await srvHops(hop, resolver, label);
  if (srv !== null) return srv;
  // RFC 3263 §4.2: "If no SRV records were found, the client performs an A or AAAA record lookup
  // of the domain name. The result will be a list of IP addresses, each of which can be
  // contacted using the transport protocol determined previously, at the default port for
  // that transport."
  const transport = hop.transport ?? 'udp';
  return addressesOf(hop, transport, defaultPort(transport), resolver, label);
}

/**
 * The transport when there is no SRV step. RFC 3263 §4.1: "if no transport protocol is
 * specified, but the TARGET is a numeric IP address, the client SHOULD use UDP for a SIP URI"
 * (likewise for a name with an explicit port). We add one case: port 5061 is the TLS port
 * (RFC 3261 §19.1.2), and a trunk written `1.2.3.4:5061` means TLS in every carrier's docs.
 */
function explicitTransport(hop: NextHopSettings): ProxyTransport {
  return hop.transport ?? (hop.port === 5061 ? 'tls' : 'udp');
}

/** RFC 3263 §4.1: "_sips" for TLS, "_sip" otherwise, with the transport's own protocol label. */
export function srvName(host: string, transport: ProxyTransport): string {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return transport === 'tls' ? `_sips._tcp.${name}` : `_sip._${transport}.${name}`;
}

/**
 * RFC 2782: lowest priority first; within a priority, higher weight first (the RFC picks at
 * random in proportion to weight; a fixed order keeps behavior reproducible, and the heaviest
 * record is the one the carrier wants used most). Ties keep DNS order.
 */
export function orderSrv(records: readonly SrvAnswer[]): SrvAnswer[] {
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}

/**
 * SRV lookup for a name without a port. With a transport: that transport's record only. Without:
 * RFC 3263 §4.1, "the client constructs SRV queries for those transport protocols it supports,
 * and does a query for each ... A particular transport is supported if the query is successful."
 * We ask in the order tls, tcp, udp and use the first that answers. Null when none answers.
 */
async function srvHops(
  hop: NextHopSettings,
  resolver: HopResolver,
  label: string,
): Promise<ResolvedHop[] | null> {
  const transports = hop.transport === null ? (['tls', 'tcp', 'udp'] as const) : [hop.transport];
  for (const transport of transports) {
    const name = srvName(hop.host, transport);
    const records = await srvRecords(name, resolver);
    if (records.length === 0) continue;
    const hops: ResolvedHop[] = [];
    const failures: string[] = [];
    for (const record of records) {
      try {
        const answers = await resolver.lookup(record.name);
        for (const { address } of answers) {
          hops.push({ host: address, port: record.port, transport, serverName: serverNameOf(hop) });
        }
        if (answers.length === 0) failures.push(`${record.name}: no A or AAAA record`);
      } catch (error) {
        failures.push(`${record.name}: ${errorText(error)}`);
      }
    }
    if (hops.length > 0) return dedupe(hops);
    throw new NextHopError(
      `${label} "${hop.text}": DNS lookup failed for every target of SRV ${name} (${failures.join('; ')})`,
    );
  }
  return null;
}

/**
 * The usable records of one SRV name, ordered. A failed query counts as no records (the A/AAAA
 * fallback then runs). RFC 2782: 'A Target of "." means that the service is decidedly not
 * available at this domain', so such records are dropped.
 */
async function srvRecords(name: string, resolver: HopResolver): Promise<SrvAnswer[]> {
  let records: readonly SrvAnswer[];
  try {
    records = await resolver.resolveSrv(name);
  } catch {
    return [];
  }
  const usable = records.filter((record) => record.name !== '' && record.name !== '.');
  return orderSrv(usable.map((record) => ({ ...record, name: record.name.replace(/\.$/, '') })));
}

/**
 * RFC 5922 §4 checks a server's certificate against the domain the client asked for (the SIP
 * domain as written), not the SRV target the records pointed at.
 */
function serverNameOf(hop: NextHopSettings): string | null {
  return isIP(hop.host) === 0 ? hop.host.replace(/\.$/, '') : null;
}

/** A/AAAA for the hop's own host name, every address at one port. */
async function addressesOf(
  hop: NextHopSettings,
  transport: ProxyTransport,
  port: number,
  resolver: HopResolver,
  label: string,
): Promise<ResolvedHop[]> {
  let answers: readonly AddressAnswer[];
  try {
    answers = await resolver.lookup(hop.host);
  } catch (error) {
    throw new NextHopError(`${label} "${hop.text}": DNS lookup failed (${errorText(error)})`);
  }
  if (answers.length === 0) {
    throw new NextHopError(`${label} "${hop.text}": DNS lookup failed (no A or AAAA record)`);
  }
  const serverName = serverNameOf(hop);
  return dedupe(answers.map((answer) => ({ host: answer.address, port, transport, serverName })));
}

/** The DNS error code (ENOTFOUND, ETIMEOUT...) when there is one, else the message. */
function errorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/** Two SRV targets can share an address; trying it twice only delays the next one. */
function dedupe(hops: readonly ResolvedHop[]): ResolvedHop[] {
  const seen = new Set<string>();
  return hops.filter((hop) => {
    const key = `${hop.transport} ${hop.host} ${hop.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
