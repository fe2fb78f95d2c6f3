/**
 * What the proxy runs with, once the config file's `proxy:` and `log:` sections and the
 * command-line flags have been merged and validated. Everything downstream of the loader
 * reads this, never the raw YAML or argv.
 */

import type { Severity } from '../policy/codes.js';
import type { JudgeConfig } from '../policy/profile.js';
import type { LimitSettings } from './limits.js';

export type ProxyTransport = 'udp' | 'tcp' | 'tls';

/** Which side a listener faces; `auto` decides per message (next hops, profile ranges, carrierPeers). */
export type ListenerSide = 'auto' | 'carrier' | 'customer';

export interface ListenerSettings {
  readonly transport: ProxyTransport;
  /** Address to bind (IPv4, IPv6 without brackets, or 0.0.0.0 / ::). */
  readonly host: string;
  /** 0 asks the system for a free port (tests); the bound port is reported at start. */
  readonly port: number;
  readonly side: ListenerSide;
  /**
   * The host[:port] written in our Via and Record-Route for this listener. Null: the bound
   * address when it is not a wildcard, else the local address the system picked toward the peer.
   */
  readonly advertise: { readonly host: string; readonly port: number | null } | null;
}

/** A next hop as written: `host[:port][;transport=udp|tcp|tls]`. */
export interface NextHopSettings {
  /** Host name or IP address as written (IPv6 without brackets). */
  readonly host: string;
  /** Null when not given: RFC 3263 SRV lookup for host names, else 5060 (5061 for TLS). */
  readonly port: number | null;
  /**
   * Null when not given. An IP, or a name with a port: TLS when the port is 5061, else UDP. A name
   * without a port: the first SRV of _sips._tcp, _sip._tcp, _sip._udp that answers, else UDP
   * (RFC 3263 §4.1; see resolveNextHop in next-hop.ts).
   */
  readonly transport: ProxyTransport | null;
  /** The text as written, for logs and errors. */
  readonly text: string;
}

export interface TlsSettings {
  /** PEM files; required when a TLS listener is configured. Paths resolved against the config file. */
  readonly certFile: string | null;
  readonly keyFile: string | null;
  /** PEM bundle of CAs trusted for the carrier's certificate; null: the system's (Node's) CA store. */
  readonly caFile: string | null;
  /** Verify the certificate of TLS next hops (default true). */
  readonly verifyPeer: boolean;
  /** Server name for SNI and certificate verification; null: the next hop's host name (none for an IP). */
  readonly serverName: string | null;
  /** Lowest TLS version accepted and offered. */
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS 1.2 (no export, NULL, RC4, 3DES; TLS 1.3 suites are all strong). */
  readonly ciphers: string;
  /** A TLS handshake (accepted or opened) must complete within this. */
  readonly handshakeSeconds: number;
}

/** One winston output with its own minimum level. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface FileLogSettings {
  readonly path: string;
  readonly level: LogLevel;
  /** Rotate when the file reaches this size (renamed `<path>.<UTC time>`, src/report/rotating-file.ts). */
  readonly maxBytes: number;
  /** Rotated files kept. */
  readonly maxFiles: number;
}

export interface SyslogSettings {
  readonly host: string;
  readonly port: number;
  /** RFC 5424 over UDP (RFC 5426) or TCP (RFC 6587). */
  readonly protocol: 'udp' | 'tcp';
  readonly level: LogLevel;
  readonly appName: string;
  readonly facility: string;
}

/** The negotiation log: every SDP-bearing message, as a trace `trunkguard check` reads. */
export interface NegotiationLogSettings {
  readonly path: string;
  /** Rotate at this size... */
  readonly maxBytes: number;
  /** ...or this age, whichever comes first. */
  readonly maxAgeSeconds: number;
  readonly maxFiles: number;
  /**
   * The secret SDES keys are hashed with (HMAC-SHA256), so the same key gives the same
   * `inline:redacted-…` value across restarts and files. Null: read or create `<path>.secret`.
   */
  readonly hashSecretFile: string | null;
}

export interface LogSettings {
  /** JSON lines on stdout, at or above this level; null: off. */
  readonly console: { readonly level: LogLevel } | null;
  readonly file: FileLogSettings | null;
  readonly syslog: SyslogSettings | null;
  readonly negotiations: NegotiationLogSettings | null;
}

/** The HTTP API and dashboard (fastify). */
export interface HttpSettings {
  readonly host: string;
  readonly port: number;
  /** Bearer token required on everything but /healthz; null: none. */
  readonly token: string | null;
}

/** The recent-calls store behind /api/calls and the dashboard. */
export interface RecentCallsSettings {
  readonly maxCalls: number;
  /** Approximate memory cap for the whole store (messages' ladders, media, findings). */
  readonly maxBytes: number;
}

export interface ProxySettings {
  readonly judge: JudgeConfig;
  readonly listeners: readonly ListenerSettings[];
  readonly carrier: NextHopSettings;
  /** Null: requests from the carrier side are routed by their Route set / Request-URI (RFC 3261 §16.6). */
  readonly customer: NextHopSettings | null;
  readonly recordRoute: boolean;
  readonly tls: TlsSettings;
  readonly log: LogSettings;
  /** Enforce mode: answer offers with a finding at or above this severity with 488; null = off. */
  readonly enforce: Severity | null;
  /** Dialog table limits (see OfferAnswerTable). */
  readonly dialogs: { readonly maxCalls: number; readonly ttlSeconds: number };
  /** Largest SIP message accepted on any transport, in bytes. */
  readonly maxMessageBytes: number;
  /** Null: no HTTP server. */
  readonly http: HttpSettings | null;
  readonly recentCalls: RecentCallsSettings;
  /** What one message, one connection and one source may cost (proxy.limits). */
  readonly limits: LimitSettings;
}
