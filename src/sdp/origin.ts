/**
 * The o= line (RFC 8866 §5.2):
 *
 *   o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
 *   o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
 *
 * RFC 8866 §9: `sess-id = 1*DIGIT`, `sess-version = 1*DIGIT`, `username = non-ws-string`.
 */
import { classifyTypedAddress } from './connection-address.js';
import { isDigits, isVisible } from './syntax.js';
import type { ConnectionAddress } from './types.js';

export interface ParsedOrigin {
  /** The origin address, or null when the line has no address field at all. */
  readonly address: ConnectionAddress | null;
  readonly reason: string | null;
}

export function parseOrigin(value: string, line: string): ParsedOrigin {
  const parts = value.split(' ');
  if (parts.length !== 6 || parts.some((part) => part.length === 0)) {
    return {
      address: null,
      reason: 'o= must be <username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>',
    };
  }
  const [username, sessionId, sessionVersion, netType, addrType, written] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const verdict = classifyTypedAddress(netType, addrType, written);
  const address: ConnectionAddress = {
    netType,
    addrType,
    written,
    address: verdict.address,
    kind: verdict.kind,
    mapped: verdict.mapped,
    ttl: null,
    count: null,
    line,
  };
  let reason = verdict.reason;
  if (!isVisible(username)) reason ??= 'the o= username must be visible characters';
  if (!isDigits(sessionId) || !isDigits(sessionVersion))
    reason ??= 'o= sess-id and sess-version must be digits';
  return { address, reason };
}
