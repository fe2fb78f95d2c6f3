/**
 * Connection addresses: the `c=` field (RFC 8866 §5.7), and the same
 * `<nettype> <addrtype> <address>` triple in `o=` (§5.2) and `a=rtcp` (RFC 3605 §2.1), plus the bare
 * address of an ICE candidate (RFC 8839 §5.1).
 *
 * Literals are checked with `net.isIP` first: ipaddr.js alone accepts `1.2.3` and `0x7f.1` as IPv4.
 * Lines arrive here already redacted by the raw pass (only a=crypto may carry a key).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isDigits, quote } from './syntax.js';
import type { AddressKind, ConnectionAddress } from './types.js';

export interface AddressVerdict {
  readonly kind: AddressKind;
  /** Normalized: IPv4-mapped IPv6 unwrapped, IPv6 in RFC 5952 short form, names as written. */
  readonly address: string;
  readonly mapped: boolean;
  /** Why the address is not valid for its addrtype, or null. */
  readonly reason: string | null;
}

export interface ParsedConnection {
  /** Always present: a c= line we cannot read still yields an address of kind `invalid`. */
  readonly address: ConnectionAddress;
  readonly reason: string | null;
}

/**
 * c=<nettype> <addrtype> <connection-address>
 *
 * RFC 8866 §5.7: "Sessions using an IPv4 multicast connection address MUST also have a time to live
 * (TTL) value present in addition to the multicast address." ... "IPv6 multicast does not use TTL
 * scoping, and hence the TTL value MUST NOT be present for IPv6 multicast."
 * `<base multicast address>[/<ttl>]/<number of addresses>`
 */
export function parseConnectionField(value: string, line: string): ParsedConnection {
  // Exactly three non-empty fields separated by single spaces, found in place.
  const s1 = value.indexOf(' ');
  const s2 = s1 === -1 ? -1 : value.indexOf(' ', s1 + 1);
  if (
    s2 === -1 ||
    s1 === 0 ||
    s2 === s1 + 1 ||
    s2 === value.length - 1 ||
    value.indexOf(' ', s2 + 1) !== -1
  ) {
    const parts = value.split(' ');
    return {
      address: invalidAddress(parts[0] ?? '', parts[1] ?? '', parts.slice(2).join(' '), line),
      reason: 'c= must be exactly <nettype> <addrtype> <connection-address>, separated by single spaces',
    };
  }
  return readConnectionAddress(
    netTypeField(value, 0, s1),
    addrTypeField(value, s1 + 1, s2),
    value.slice(s2 + 1),
    line,
  );
}

/** `text.slice(start, end)`, as the shared literal when it is `IN` (what nearly every line says). */
export function netTypeField(text: string, start: number, end: number): string {
  return end - start === 2 && text.startsWith('IN', start) ? 'IN' : text.slice(start, end);
}

/** `text.slice(start, end)`, as the shared literal when it is `IP4` or `IP6`. */
export function addrTypeField(text: string, start: number, end: number): string {
  if (end - start === 3 && text.startsWith('IP', start)) {
    const version = text.charCodeAt(start + 2);
    if (version === 52 /* 4 */) return 'IP4';
    if (version === 54 /* 6 */) return 'IP6';
  }
  return text.slice(start, end);
}

/** Reads `<nettype> <addrtype> <address>[/ttl][/count]` once split. */
export function readConnectionAddress(
  netType: string,
  addrType: string,
  text: string,
  line: string,
): ParsedConnection {
  const slash = text.indexOf('/');
  const base = slash === -1 ? text : text.slice(0, slash);
  const suffixes = slash === -1 ? NO_SUFFIXES : text.slice(slash + 1).split('/');
  const verdict = classifyTypedAddress(netType, addrType, base);
  const scope = readScope(verdict, addrType, suffixes);
  const address: ConnectionAddress = {
    netType,
    addrType,
    written: base,
    address: verdict.address,
    kind: verdict.kind,
    mapped: verdict.mapped,
    ttl: scope.ttl,
    count: scope.count,
    line,
  };
  return { address, reason: verdict.reason ?? scope.reason };
}

const NO_SUFFIXES: readonly string[] = [];

/** The address of an ICE candidate: no nettype/addrtype is written, so the literal decides. */
export function candidateAddress(text: string, line: string): ParsedConnection {
  const family = isIP(text);
  const addrType = family === 6 ? 'IP6' : family === 4 ? 'IP4' : '';
  const verdict = family === 0 ? classifyName(text) : classifyTypedAddress('IN', addrType, text);
  return {
    address: {
      netType: 'IN',
      addrType,
      written: text,
      address: verdict.address,
      kind: verdict.kind,
      mapped: verdict.mapped,
      ttl: null,
      count: null,
      line,
    },
    reason: verdict.reason,
  };
}

/**
 * RFC 8866 §9: `connection-address = multicast-address / unicast-address`, where for `IN`:
 * `IP4-address / IP4-multicast / FQDN` under `IP4` and `IP6-address / IP6-multicast / FQDN` under
 * `IP6`. Any other nettype/addrtype cannot carry media on a SIP trunk and is reported.
 */
export function classifyTypedAddress(netType: string, addrType: string, text: string): AddressVerdict {
  if (netType !== 'IN') return invalid(text, `unsupported nettype ${quote(netType)} (only IN is defined)`);
  if (addrType === 'IP4') return classifyUnderIp4(text);
  if (addrType === 'IP6') return classifyUnderIp6(text);
  return invalid(text, `unsupported addrtype ${quote(addrType)} (IN defines IP4 and IP6)`);
}

function classifyUnderIp4(text: string): AddressVerdict {
  const family = isDottedQuad(text) ? 4 : isIP(text);
  if (family === 4) return classifyIpv4(text, false);
  if (family === 6) return invalid(text, `${quote(text)} is an IPv6 literal under addrtype IP4`);
  return classifyName(text);
}

function classifyUnderIp6(text: string): AddressVerdict {
  // net.isIP accepts a zone index (`fe80::1%eth0`); the SDP grammar has none.
  if (text.includes('%'))
    return invalid(text, `${quote(text)} carries a zone index, which SDP does not allow`);
  const family = isDottedQuad(text) ? 4 : isIP(text);
  if (family === 6) return classifyIpv6(text);
  if (family === 4) return invalid(text, `${quote(text)} is an IPv4 literal under addrtype IP6`);
  return classifyName(text);
}

/**
 * The IPv4 literals net.isIP accepts (four decimal octets 0-255, no leading zero), without its regex: a
 * true here is a 4 from net.isIP, and on false net.isIP still decides.
 */
function isDottedQuad(text: string): boolean {
  const length = text.length;
  if (length < 7 || length > 15) return false;
  let at = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(at) !== 46 /* . */) return false;
      at++;
    }
    const first = at;
    let value = 0;
    while (at < length && at - first < 4) {
      const code = text.charCodeAt(at);
      if (code < 48 || code > 57) break;
      value = value * 10 + (code - 48);
      at++;
    }
    const digits = at - first;
    if (digits === 0 || digits > 3 || value > 255) return false;
    if (digits > 1 && text.charCodeAt(first) === 48 /* 0 */) return false;
  }
  return at === length;
}

/**
 * RFC 3264 §8.4: "RFC 2543 [10] specified that placing a user on hold was accomplished by setting the
 * connection address to 0.0.0.0." 224.0.0.0/4 is multicast (RFC 5771).
 */
function classifyIpv4(text: string, mapped: boolean): AddressVerdict {
  if (text === '0.0.0.0') return { kind: 'hold', address: text, mapped, reason: null };
  // The leading digits (an IPv4 literal, so one to three of them, then a dot).
  let firstOctet = 0;
  for (let i = 0; i < 3; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) break;
    firstOctet = firstOctet * 10 + (code - 48);
  }
  const kind: AddressKind = firstOctet >= 224 && firstOctet <= 239 ? 'multicast' : 'ip4';
  return { kind, address: text, mapped, reason: null };
}

/**
 * IPv4-mapped IPv6 (`::ffff:192.0.2.2`, RFC 4291 §2.5.5.2) is judged as the IPv4 address it carries:
 * a range check against 168.86.128.0/18 must not be dodged by writing the address in IPv6 form.
 */
function classifyIpv6(text: string): AddressVerdict {
  const parsed = ipaddr.IPv6.parse(text);
  if (parsed.isIPv4MappedAddress()) return classifyIpv4(parsed.toIPv4Address().toString(), true);
  const range = parsed.range();
  const address = parsed.toString();
  if (range === 'unspecified') return { kind: 'hold', address, mapped: false, reason: null };
  if (range === 'multicast') return { kind: 'multicast', address, mapped: false, reason: null };
  return { kind: 'ip6', address, mapped: false, reason: null };
}

/**
 * RFC 8866 §9: `FQDN = 4*(alpha-numeric / "-" / ".")`. We also require non-empty labels of at most 63
 * characters and a top-level label that is not all digits (RFC 1123 §2.1), and we refuse names shaped
 * like a dotted quad (`999.1.1.1`, the anonymised `xxx.xxx.xxx.xxx`): those were meant as IPv4
 * literals, and reading them as domain names would hide a broken address.
 */
function classifyName(text: string): AddressVerdict {
  if (looksLikeDottedQuad(text)) {
    return invalid(text, `${quote(text)} is shaped like an IPv4 address but is not a valid one`);
  }
  if (!isFqdn(text)) return invalid(text, `${quote(text)} is neither an IP literal nor a domain name`);
  return { kind: 'fqdn', address: text, mapped: false, reason: null };
}

function isFqdn(text: string): boolean {
  if (text.length < 4 || text.length > 254) return false;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) return false;
    for (let i = 0; i < label.length; i++) {
      const code = label.charCodeAt(i);
      const alphaNumeric =
        (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
      if (!alphaNumeric && code !== 45) return false;
    }
  }
  return !isDigits(labels[labels.length - 1] ?? '');
}

/** Four dot-separated parts of one to three digits or anonymisation marks (`x`, `X`, `*`). */
function looksLikeDottedQuad(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (const part of parts) {
    if (part.length === 0 || part.length > 3) return false;
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i);
      const digit = code >= 48 && code <= 57;
      if (!digit && code !== 120 && code !== 88 && code !== 42) return false;
    }
  }
  return true;
}

interface Scope {
  readonly ttl: number | null;
  readonly count: number | null;
  readonly reason: string | null;
}

const NO_SCOPE: Scope = { ttl: null, count: null, reason: null };

/** The `/ttl/count` (IPv4 multicast) or `/count` (IPv6 multicast) suffixes of RFC 8866 §5.7. */
function readScope(verdict: AddressVerdict, addrType: string, suffixes: readonly string[]): Scope {
  const isMulticast = verdict.kind === 'multicast';
  if (suffixes.length === 0) {
    if (isMulticast && addrType === 'IP4' && !verdict.mapped) {
      return { ...NO_SCOPE, reason: 'an IPv4 multicast c= address must carry a /ttl (RFC 8866 §5.7)' };
    }
    return NO_SCOPE;
  }
  if (!isMulticast) {
    return { ...NO_SCOPE, reason: 'a /ttl or /count suffix is only allowed on a multicast address' };
  }
  const numbers = suffixes.map((suffix) => (isDigits(suffix, 5) ? Number(suffix) : null));
  if (numbers.some((n) => n === null)) {
    return { ...NO_SCOPE, reason: 'the multicast /ttl and /count must be decimal numbers' };
  }
  if (addrType === 'IP6') {
    if (numbers.length > 1) return { ...NO_SCOPE, reason: 'IPv6 multicast takes no TTL, only /<count>' };
    return countScope(null, numbers[0] ?? null);
  }
  if (numbers.length > 2) return { ...NO_SCOPE, reason: 'at most /<ttl>/<count> may follow the address' };
  const ttl = numbers[0] ?? null;
  if (ttl !== null && ttl > 255) return { ...NO_SCOPE, reason: 'the multicast TTL must be 0-255' };
  return countScope(ttl, numbers[1] ?? null);
}

function countScope(ttl: number | null, count: number | null): Scope {
  if (count === 0) return { ttl, count, reason: 'the number of multicast addresses must be at least 1' };
  return { ttl, count, reason: null };
}

function invalid(text: string, reason: string): AddressVerdict {
  return { kind: 'invalid', address: text, mapped: false, reason };
}

function invalidAddress(netType: string, addrType: string, written: string, line: string): ConnectionAddress {
  return {
    netType,
    addrType,
    written,
    address: written,
    kind: 'invalid',
    mapped: false,
    ttl: null,
    count: null,
    line,
  };
}
