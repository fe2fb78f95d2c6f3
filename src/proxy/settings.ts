/**
 * What the proxy runs with, once the config file's `proxy:` and `log:` sections and the
 * command-line flags have been merged and validated. Everything downstream of the loader
 * reads this, never the raw YAML or argv.
 */

import type { Severity } from '../policy/codes.js';
import type { JudgeConfig } from '../policy/profile.js';

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
}

export interface LogSettings {
  /** JSON lines on stdout (default true). */
  readonly console: boolean;
  /** Also append JSON lines to this file (null: no file). */
  readonly file: string | null;
  /** Lowest level written: findings are `warn`, call summaries and lifecycle `info`. */
  readonly level: 'error' | 'warn' | 'info' | 'debug';
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
}
