/**
 * Where a message came from, kept so that responses (and our own answers) go back the same way.
 *
 * RFC 3581 §4 (symmetric response routing): the response goes "to the source IP address and
 * port" the request came from. RFC 3261 §18.2.2: "If the "sent-protocol" is a reliable
 * transport protocol such as TCP or SCTP, or TLS over those, the response MUST be sent using the
 * existing connection to the source of the original request that created the transaction, if
 * that connection is still open."
 */
import type { Endpoint } from '../sip/envelope.js';
import type { ProxyTransport } from './settings.js';

/** An open TCP/TLS connection the proxy can write to. */
export interface StreamConnection {
  readonly id: number;
  readonly transport: 'tcp' | 'tls';
  readonly remote: Endpoint;
  readonly local: Endpoint;
  readonly open: boolean;
  write(bytes: Buffer): void;
}

export interface ReturnPath {
  readonly transport: ProxyTransport;
  /** The source address and port the message came from. */
  readonly remote: Endpoint;
  /** The local address it arrived on (the listener's bound address). */
  readonly local: Endpoint;
  /** The index of the listener that received it. */
  readonly listener: number;
  /** The connection it arrived on, for TCP/TLS. */
  readonly connection: StreamConnection | null;
  /** When it arrived (performance.now(), ms): the forwarding latency is measured from here. */
  readonly arrived: number;
}
