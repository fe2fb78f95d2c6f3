/**
 * udp-message-too-large: a SIP message over UDP larger than policy.udpMaxBytes (1300 by default).
 * RFC 3261 §18.1.1 speaks of requests: "If a request is within 200 bytes of the path MTU, or if
 * it is larger than 1300 bytes and the path MTU is unknown, the request MUST be sent using" a
 * congestion-controlled transport such as TCP. A response cannot switch transports (§18.2.2
 * sends it where the request came from), but it fragments just the same, and fragments are what
 * NATs and firewalls drop; so responses are reported too, and the message says which it is.
 */
import type { Check } from '../check.js';
import { observation } from './media-helpers.js';

// RFC 3261 §18.1.1: a request over 1300 bytes, path MTU unknown, goes over TCP.
export const udpSize: Check = {
  name: 'udp-size',
  scope: 'message',
  run(context) {
    const { message, envelope } = context;
    const limit = context.config.policy.udpMaxBytes;
    const size = message.bytes.length;
    // RFC 3261 §18.1.1: requests over 1300 bytes (MTU unknown) MUST go over TCP.
    if (envelope.transport !== 'udp' || size <= limit) return [];
    const text =
      message.kind === 'request'
        ? `${message.method ?? 'request'} request of ${size} bytes over UDP (limit ${limit}): RFC 3261 §18.1.1 says it MUST go over TCP; it will be IP-fragmented`
        : `${message.status ?? ''} response of ${size} bytes over UDP (limit ${limit}): it will be IP-fragmented, and NATs and firewalls often drop fragments`;
    return [observation('udp-message-too-large', text.trim(), null, message.startLine)];
  },
};
