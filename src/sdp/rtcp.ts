/**
 * Where RTCP goes: `a=rtcp` (RFC 3605), `a=rtcp-mux` (RFC 5761), else the next port (RFC 3550 §11).
 *
 *   a=rtcp:53020
 *   a=rtcp:53020 IN IP4 126.16.64.4
 *   a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD
 *
 * RFC 3605 §2.1: `rtcp-attribute = "a=rtcp:" port [nettype space addrtype space connection-address]`.
 */
import { readConnectionAddress } from './connection-address.js';
import { leadingInteger, quote, toPort } from './syntax.js';
import type { ConnectionAddress, Rtcp } from './types.js';

export interface RtcpAttribute {
  readonly port: number;
  readonly address: ConnectionAddress | null;
  readonly line: string;
}

export interface ParsedRtcp {
  /** Null when not even a leading port number can be read. */
  readonly attribute: RtcpAttribute | null;
  readonly reason: string | null;
}

export function parseRtcpAttribute(value: string, line: string): ParsedRtcp {
  const parts = value.split(' ');
  const portText = parts[0] ?? '';
  const port = toPort(portText);
  const lenientPort = port ?? leadingInteger(portText);
  if (lenientPort === null) {
    return { attribute: null, reason: `the a=rtcp port ${quote(portText)} is not a number (RFC 3605 §2.1)` };
  }
  let reason: string | null = port === null ? `the a=rtcp port ${quote(portText)} is not 0-65535` : null;
  let address: ConnectionAddress | null = null;
  if (parts.length === 4) {
    const parsed = readConnectionAddress(parts[1] ?? '', parts[2] ?? '', parts[3] ?? '', line);
    address = parsed.address;
    reason ??= parsed.reason;
  } else if (parts.length !== 1) {
    reason ??= 'a=rtcp must be <port> or <port> <nettype> <addrtype> <connection-address> (RFC 3605 §2.1)';
  }
  return { attribute: { port: lenientPort, address, line }, reason };
}

/**
 * The effective RTCP destination of one m= section.
 *
 * RFC 3605 §2.1: the attribute documents "the RTCP port used for media stream, when that port is not the
 * next higher (odd) port number following the RTP port described in the media line."
 * RFC 5761 §5.1.1: with `a=rtcp-mux`, RTP and RTCP share the RTP port.
 * RFC 3550 §11: "the corresponding RTCP stream SHOULD use the next higher (odd) destination port number".
 * A rejected stream (port 0) sends no RTCP either (RFC 3264 §6), so its RTCP port is 0.
 */
export function effectiveRtcp(
  rtpPort: number,
  attribute: RtcpAttribute | null,
  mux: boolean,
  connection: ConnectionAddress | null,
): Rtcp {
  if (attribute !== null) {
    return {
      port: attribute.port,
      address: attribute.address ?? connection,
      mux,
      explicit: true,
      line: attribute.line,
    };
  }
  const port = rtpPort === 0 ? 0 : mux ? rtpPort : rtpPort + 1;
  return { port, address: connection, mux, explicit: false, line: null };
}
