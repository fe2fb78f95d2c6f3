/**
 * The o= line (RFC 8866 §5.2):
 *
 *   o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
 *   o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
 *
 * RFC 8866 §9: `sess-id = 1*DIGIT`, `sess-version = 1*DIGIT`, `username = non-ws-string`.
 */
import { addrTypeField, classifyTypedAddress, netTypeField } from './connection-address.js';
import { isDigitsRange, isVisibleRange } from './syntax.js';
import type { ConnectionAddress } from './types.js';

export interface ParsedOrigin {
  /** The origin address, or null when the line has no address field at all. */
  readonly address: ConnectionAddress | null;
  readonly reason: string | null;
}

export function parseOrigin(value: string, line: string): ParsedOrigin {
  // Six fields separated by single spaces (value.split(' ') has six parts, none empty), found in place.
  const s1 = value.indexOf(' ');
  const s2 = s1 === -1 ? -1 : value.indexOf(' ', s1 + 1);
  const s3 = s2 === -1 ? -1 : value.indexOf(' ', s2 + 1);
  const s4 = s3 === -1 ? -1 : value.indexOf(' ', s3 + 1);
  const s5 = s4 === -1 ? -1 : value.indexOf(' ', s4 + 1);
  if (
    s5 === -1 ||
    s1 === 0 ||
    s2 === s1 + 1 ||
    s3 === s2 + 1 ||
    s4 === s3 + 1 ||
    s5 === s4 + 1 ||
    s5 === value.length - 1 ||
    value.indexOf(' ', s5 + 1) !== -1
  ) {
    return {
      address: null,
      reason: 'o= must be <username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>',
    };
  }
  const netType = netTypeField(value, s3 + 1, s4);
  const addrType = addrTypeField(value, s4 + 1, s5);
  const written = value.slice(s5 + 1);
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
  if (!isVisibleRange(value, 0, s1)) reason ??= 'the o= username must be visible characters';
  if (!isDigitsRange(value, s1 + 1, s2) || !isDigitsRange(value, s2 + 1, s3))
    reason ??= 'o= sess-id and sess-version must be digits';
  return { address, reason };
}
