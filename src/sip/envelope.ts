/**
 * The envelope: everything about a SIP message that is not in its bytes.
 * Every source (proxy listener, HEP collector, pcap reader, trace file) produces
 * the same envelope, so checks never know where a message came from except through it.
 */

export type Transport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export const TRANSPORTS: readonly Transport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export interface Endpoint {
  /** IP address (IPv6 without brackets) or, for traces, a host name as written. */
  readonly host: string;
  readonly port: number;
}

export interface Envelope {
  readonly transport: Transport;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** ISO-8601 time the message was seen. */
  readonly time: string;
}

/** True for transports that protect the SIP message (and so SDES keys in it) on the wire. */
export function isSecureTransport(transport: Transport): boolean {
  return transport === 'tls' || transport === 'wss';
}

/** `ip:port`, with brackets around IPv6 addresses (RFC 3986 §3.2.2). */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':')
    ? `[${endpoint.host}]:${endpoint.port}`
    : `${endpoint.host}:${endpoint.port}`;
}

/** Parses `ip:port`, `[v6]:port` or a bare host (port defaults to `defaultPort`). Returns null when malformed. */
export function parseEndpoint(text: string, defaultPort = 5060): Endpoint | null {
  const trimmed = text.trim();
  let host: string;
  let portText: string | undefined;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0) return null;
    host = trimmed.slice(1, close);
    const rest = trimmed.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    // More than one ':' (counted without splitting: this runs per logged finding).
    const at = trimmed.lastIndexOf(':');
    if (at !== trimmed.indexOf(':')) {
      host = trimmed; // bare IPv6 without a port
    } else {
      host = at < 0 ? trimmed : trimmed.slice(0, at);
      portText = at < 0 ? undefined : trimmed.slice(at + 1);
    }
  }
  if (host === '') return null;
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null; // port 0 stands for "unknown" (e.g. raw SIP files without --src)
  return { host, port };
}
