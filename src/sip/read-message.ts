/**
 * One message whose bounds are already known, read by the rules of the transport it came on:
 * what the `check` command and the trace/HEP/pcap sources call per record.
 *
 * - UDP: a datagram (RFC 3261 §18.3, message-oriented);
 * - WS/WSS: also message-oriented, one SIP message per WebSocket message (RFC 7118 §5.2), so
 *   read like a datagram;
 * - TCP/TLS: a stream record, where Content-Length is required (RFC 3261 §18.3).
 */
import { type ReadOptions, readDatagram } from './datagram.js';
import type { Transport } from './envelope.js';
import type { ReadResult } from './message.js';
import { readStreamRecord } from './stream-framer.js';

export function readMessageBytes(bytes: Buffer, transport: Transport, options: ReadOptions = {}): ReadResult {
  return transport === 'tcp' || transport === 'tls'
    ? readStreamRecord(bytes, options)
    : readDatagram(bytes, options);
}
