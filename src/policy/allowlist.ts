/**
 * Firewall allowlists from a carrier profile (`trunkguard rules export` / `rules diff`).
 * Pure: profile + options in, a sorted rule list out; src/policy/allowlist/render.ts writes it
 * in each firewall's format.
 *
 * Ports are always the carrier's side, as the profiles publish them: an inbound rule matches
 * packets from the carrier (source address and source port), an outbound rule packets to the
 * carrier (destination address and destination port).
 */
import type { CarrierProfile, Fact, PortSpan } from './profile.js';

export type Direction = 'inbound' | 'outbound';
export type DirectionOption = Direction | 'both';
export type Protocol = 'udp' | 'tcp';

/** One carrier address range with a protocol and port span, before a direction is chosen. */
export interface AllowEntry {
  readonly kind: 'media' | 'signaling';
  readonly protocol: Protocol;
  readonly cidr: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The carrier's port span; null when the profile publishes none (any port). */
  readonly ports: PortSpan | null;
  /** Region or edge label from the profile, or null. */
  readonly label: string | null;
  readonly sourceUrl: string;
  readonly checked: string;
  readonly verified: boolean;
}

export interface AllowRule extends AllowEntry {
  readonly direction: Direction;
}

export interface AllowlistOptions {
  readonly direction: DirectionOption;
  readonly includeSignaling: boolean;
  /** YYYY-MM-DD: only facts that apply on this date are exported. */
  readonly asOf: string;
}

export interface Allowlist {
  readonly profile: string;
  readonly carrier: string;
  readonly options: AllowlistOptions;
  readonly rules: readonly AllowRule[];
}

/** A strict calendar date YYYY-MM-DD. */
export function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Whether a fact applies on a date: on or after `from`, and before `until` (exclusive). */
export function appliesOn(fact: Pick<Fact, 'from' | 'until'>, date: string): boolean {
  return (fact.from === null || fact.from <= date) && (fact.until === null || date < fact.until);
}

/** The profile's entries that apply on a date: media (current and retired), and optionally signaling. */
export function allowEntries(profile: CarrierProfile, asOf: string, includeSignaling: boolean): AllowEntry[] {
  const entries: AllowEntry[] = [];
  const base = (fact: Fact, cidr: { text: string; network: { kind(): string } }, label: string | null) => ({
    cidr: cidr.text,
    family: cidr.network.kind() === 'ipv6' ? ('ipv6' as const) : ('ipv4' as const),
    label,
    sourceUrl: fact.source.url,
    checked: fact.source.checked,
    verified: fact.verified,
  });
  const currentPorts = profile.mediaPorts && appliesOn(profile.mediaPorts, asOf) ? profile.mediaPorts : null;
  for (const range of profile.mediaRanges) {
    if (!appliesOn(range, asOf)) continue;
    entries.push({
      ...base(range, range.cidr, range.label),
      kind: 'media',
      protocol: 'udp',
      ports: currentPorts && { min: currentPorts.min, max: currentPorts.max },
    });
  }
  for (const range of profile.retiredMedia) {
    if (!appliesOn(range, asOf)) continue;
    const ports = range.ports ?? currentPorts;
    entries.push({
      ...base(range, range.cidr, range.label),
      kind: 'media',
      protocol: 'udp',
      ports: ports && { min: ports.min, max: ports.max },
    });
  }
  if (includeSignaling) {
    for (const range of profile.signaling) {
      if (!appliesOn(range, asOf)) continue;
      for (const port of range.ports) {
        entries.push({
          ...base(range, range.cidr, range.label),
          kind: 'signaling',
          // SIP over TLS runs on TCP.
          protocol: port.transport === 'udp' ? 'udp' : 'tcp',
          ports: { min: port.port, max: port.port },
        });
      }
    }
  }
  return dedupe(entries.sort(compareEntries), entryKey);
}

/** Builds the allowlist: entries that apply on `asOf`, expanded to the chosen directions, sorted. */
export function buildAllowlist(profile: CarrierProfile, options: AllowlistOptions): Allowlist {
  const entries = allowEntries(profile, options.asOf, options.includeSignaling);
  const directions: Direction[] =
    options.direction === 'both' ? ['inbound', 'outbound'] : [options.direction];
  const rules = directions.flatMap((direction) => entries.map((entry) => ({ direction, ...entry })));
  return { profile: profile.name, carrier: profile.carrier, options, rules };
}

export interface AllowlistDiff {
  readonly profile: string;
  readonly from: string;
  readonly to: string;
  readonly includeSignaling: boolean;
  /** Entries that apply on `to` but not on `from`. */
  readonly add: readonly AllowEntry[];
  /** Entries that apply on `from` but not on `to`. */
  readonly remove: readonly AllowEntry[];
}

export function diffAllowlist(
  profile: CarrierProfile,
  from: string,
  to: string,
  includeSignaling: boolean,
): AllowlistDiff {
  const before = allowEntries(profile, from, includeSignaling);
  const after = allowEntries(profile, to, includeSignaling);
  const beforeKeys = new Set(before.map(entryKey));
  const afterKeys = new Set(after.map(entryKey));
  return {
    profile: profile.name,
    from,
    to,
    includeSignaling,
    add: after.filter((entry) => !beforeKeys.has(entryKey(entry))),
    remove: before.filter((entry) => !afterKeys.has(entryKey(entry))),
  };
}

/** `udp 168.86.128.0/18 10000-60000` */
export function portText(ports: PortSpan | null, separator = '-'): string {
  if (ports === null) return 'any';
  return ports.min === ports.max ? String(ports.min) : `${ports.min}${separator}${ports.max}`;
}

function entryKey(entry: AllowEntry): string {
  return [entry.kind, entry.protocol, entry.cidr, portText(entry.ports), entry.sourceUrl, entry.checked].join(
    ' ',
  );
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Media before signaling, IPv4 before IPv6, then by address, prefix, protocol, port, source. */
function compareEntries(a: AllowEntry, b: AllowEntry): number {
  return (
    compareText(a.kind, b.kind) ||
    compareText(a.family, b.family) ||
    compareText(addressSortKey(a.cidr), addressSortKey(b.cidr)) ||
    compareText(a.protocol, b.protocol) ||
    (a.ports?.min ?? 0) - (b.ports?.min ?? 0) ||
    (a.ports?.max ?? 0) - (b.ports?.max ?? 0) ||
    compareText(a.sourceUrl, b.sourceUrl) ||
    compareText(a.checked, b.checked)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts CIDRs numerically: each address part zero-padded, then the prefix. */
export function addressSortKey(cidr: string): string {
  const [address = '', prefix = ''] = cidr.split('/');
  const parts = address.includes(':')
    ? expandIpv6(address).map((part) => part.padStart(4, '0'))
    : address.split('.').map((part) => part.padStart(3, '0'));
  return `${parts.join('.')}/${prefix.padStart(3, '0')}`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((part) => part.toLowerCase());
}
