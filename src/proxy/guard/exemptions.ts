/**
 * The sources the guard never counts nor blocks: the configured next hops (their resolved
 * addresses), the carrier's own signaling ranges and carrierPeers (the judge config: a busy trunk
 * legitimately sends many requests from them, and blocking the carrier would cut every call), and
 * `flood.exempt`. Addresses are matched exactly first (a Set lookup), CIDRs only when there are any.
 */
import { isIP } from 'node:net';
import { type Cidr, cidrContains, parseCidr, parseIp } from '../../policy/cidr.js';

export class Exemptions {
  readonly #addresses = new Set<string>();
  readonly #cidrs: readonly Cidr[];

  /** `exempt`: CIDRs or addresses as written in flood.exempt; an invalid one throws, naming it. */
  constructor(exempt: readonly string[], cidrs: readonly Cidr[] = []) {
    const parsed = exempt.map((text) => {
      const cidr = parseCidr(text);
      if (typeof cidr === 'string') throw new Error(`proxy.limits.flood.exempt: ${cidr}`);
      return cidr;
    });
    this.#cidrs = [...cidrs, ...parsed];
  }

  /** A next hop's resolved address (a host name is not an address: it is ignored). */
  addAddress(host: string): void {
    if (isIP(host) === 0) return;
    this.#addresses.add(host);
    const parsed = parseIp(host);
    if (parsed !== null) this.#addresses.add(parsed.toString());
  }

  has(host: string): boolean {
    if (this.#addresses.has(host)) return true;
    if (this.#cidrs.length === 0) return false;
    const address = parseIp(host); // net.isIP-strict: ipaddr.js alone would accept `1.2.3`
    if (address === null) return false;
    if (this.#addresses.has(address.toString())) return true; // ::ffff:a.b.c.d from a dual-stack socket
    return this.#cidrs.some((cidr) => cidrContains(cidr, address));
  }
}
