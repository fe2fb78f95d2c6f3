/**
 * Address ranges. ipaddr.js does the CIDR arithmetic; net.isIP gates every input first
 * because ipaddr.js accepts legacy forms such as `1.2.3` (= 1.2.0.3) and `0x7f.1`.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface Cidr {
  /** As written in the rules, e.g. `168.86.128.0/18`. */
  readonly text: string;
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
}

/**
 * A strict dotted-quad IPv4 literal (no leading zeros, each part 0-255) as its four octets, or null.
 * The judge parses several addresses per message; this path is about 15 times cheaper than
 * `net.isIP` + `ipaddr.parse`, and accepts exactly what `net.isIP` accepts as IPv4.
 */
function dottedQuadOctets(text: string): number[] | null {
  const octets: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; /* end acts as a final "." */
    if (code === 46) {
      if (digits === 0 || value > 255 || octets.length === 4) return null;
      octets.push(value);
      value = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && value === 0) return null; // leading zero: "01" is not a decimal octet
      value = value * 10 + (code - 48);
      if (++digits > 3) return null;
    } else {
      return null;
    }
  }
  return octets.length === 4 ? octets : null;
}

/** Parses a strict IP literal (IPv4-mapped IPv6 unwrapped to IPv4), or null. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const octets = dottedQuadOctets(text);
  if (octets) return new ipaddr.IPv4(octets);
  if (isIP(text) === 0) return null;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}

/**
 * True when both are the same address, as comparing their toString() would say. IPv4 compares the
 * octets instead of building two strings per comparison; IPv6 keeps the string compare, which also
 * tells zone ids apart (`fe80::1%eth0`).
 */
export function sameIp(a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (a.kind() !== b.kind()) return false;
  if (a.kind() === 'ipv4') return (a as ipaddr.IPv4).match(b as ipaddr.IPv4, 32);
  return a.toString() === b.toString();
}

/** Parses `a.b.c.d/n`, `v6/n`, or a bare address (a host prefix). Returns an error string when invalid. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (isIP(addressText) === 0) return `"${text}" is not an IPv4 or IPv6 address or CIDR`;
  const network = ipaddr.parse(addressText);
  const max = network.kind() === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    return `"${text}" has a prefix length outside 0-${max}`;
  }
  return { text, network, prefix: Number(prefixText) };
}

/** True when the address lies inside the CIDR (families never match each other). */
export function cidrContains(cidr: Cidr, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (cidr.network.kind() !== address.kind()) return false;
  return address.match(cidr.network, cidr.prefix);
}

/** The first CIDR containing the address, or undefined. */
export function findContaining<T extends { readonly cidr: Cidr }>(
  items: readonly T[],
  address: ipaddr.IPv4 | ipaddr.IPv6,
): T | undefined {
  return items.find((item) => cidrContains(item.cidr, address));
}

/**
 * The address classes that signal NAT or an unroutable media path: RFC 1918 private,
 * RFC 6598 shared (CGNAT), loopback, link-local, RFC 4193 unique-local.
 * Returns the class name, or null for a public (or otherwise routable) address.
 */
export function nonPublicClass(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (address.kind() === 'ipv4') return nonPublicIpv4Class((address as ipaddr.IPv4).octets);
  const range = address.range();
  switch (range) {
    case 'private':
      return 'private (RFC 1918)';
    case 'carrierGradeNat':
      return 'shared address space (RFC 6598 CGNAT)';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'link-local';
    case 'uniqueLocal':
      return 'unique-local (RFC 4193)';
    default:
      return null;
  }
}

/** The same classes for IPv4, from the first two octets (ipaddr's range() tries every special range in turn). */
function nonPublicIpv4Class(octets: readonly number[]): string | null {
  const a = octets[0] ?? 0;
  const b = octets[1] ?? 0;
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private (RFC 1918)';
  if (a === 100 && b >= 64 && b <= 127) return 'shared address space (RFC 6598 CGNAT)';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  return null;
}
