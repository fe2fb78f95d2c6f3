/**
 * The loaded carrier profile and policy as JSON for `/api/profiles`: every fact with where it
 * comes from (source id, listed once under `sources` with its URL and the date it was checked)
 * and whether the carrier confirmed it; CIDRs as text.
 */
import type { Cidr } from '../policy/cidr.js';
import type { CarrierProfile, Fact, FactSource, Policy, PortSpan } from '../policy/profile.js';

export interface SourceView {
  readonly id: string;
  readonly url: string;
  readonly checked: string;
  readonly title: string | null;
}

/** What every fact carries. */
export interface FactView {
  readonly verified: boolean;
  readonly note: string | null;
  /** Id of an entry in `sources`. */
  readonly source: string;
  readonly seeAlso: readonly string[];
  readonly from: string | null;
  readonly until: string | null;
}

export interface ProfileView {
  readonly name: string;
  readonly carrier: string;
  readonly description: string | null;
  readonly sources: readonly SourceView[];
  readonly mediaRanges: readonly (FactView & { readonly cidr: string; readonly label: string | null })[];
  readonly mediaPorts: (FactView & PortSpan) | null;
  readonly retiredMedia: readonly (FactView & {
    readonly cidr: string;
    readonly label: string | null;
    readonly ports: PortSpan | null;
  })[];
  readonly signaling: readonly (FactView & {
    readonly cidr: string;
    readonly label: string | null;
    readonly ports: readonly { readonly transport: string; readonly port: number }[];
  })[];
  readonly srtp:
    | (FactView & {
        readonly suites: readonly string[];
        readonly mki: boolean;
        readonly keyExchange: readonly string[];
        readonly requireTls: boolean;
      })
    | null;
  readonly iceExemptFromPortSpan: boolean;
}

export interface PolicyView {
  readonly srtp: string;
  readonly sdesRequiresTls: boolean;
  readonly trustedNetworks: readonly string[];
  readonly allowedSuites: readonly string[] | null;
  readonly customerPorts: PortSpan | null;
  readonly carrierPeers: readonly string[];
  /** Severity overrides by code (codes not listed keep the catalogue's). */
  readonly severity: Readonly<Record<string, string>>;
  readonly udpMaxBytes: number;
  readonly scannerUserAgents: readonly string[];
}

const cidrText = (cidr: Cidr): string => cidr.text;
const span = (ports: PortSpan): PortSpan => ({ min: ports.min, max: ports.max });

export function profileView(profile: CarrierProfile): ProfileView {
  const sources = new Map<string, SourceView>();
  const cite = (source: FactSource): string => {
    if (!sources.has(source.id))
      sources.set(source.id, {
        id: source.id,
        url: source.url,
        checked: source.checked,
        title: source.title,
      });
    return source.id;
  };
  for (const source of profile.sources) cite(source);
  const fact = (f: Fact): FactView => ({
    verified: f.verified,
    note: f.note,
    source: cite(f.source),
    seeAlso: (f.seeAlso ?? []).map(cite),
    from: f.from,
    until: f.until,
  });
  const view: Omit<ProfileView, 'sources'> = {
    name: profile.name,
    carrier: profile.carrier,
    description: profile.description,
    mediaRanges: profile.mediaRanges.map((range) => ({
      cidr: cidrText(range.cidr),
      label: range.label,
      ...fact(range),
    })),
    mediaPorts: profile.mediaPorts ? { ...span(profile.mediaPorts), ...fact(profile.mediaPorts) } : null,
    retiredMedia: profile.retiredMedia.map((range) => ({
      cidr: cidrText(range.cidr),
      label: range.label,
      ports: range.ports ? span(range.ports) : null,
      ...fact(range),
    })),
    signaling: profile.signaling.map((range) => ({
      cidr: cidrText(range.cidr),
      label: range.label,
      ports: range.ports.map((port) => ({ transport: port.transport, port: port.port })),
      ...fact(range),
    })),
    srtp: profile.srtp
      ? {
          suites: [...profile.srtp.suites],
          mki: profile.srtp.mki,
          keyExchange: [...profile.srtp.keyExchange],
          requireTls: profile.srtp.requireTls,
          ...fact(profile.srtp),
        }
      : null,
    iceExemptFromPortSpan: profile.iceExemptFromPortSpan,
  };
  // Sources last in the build (facts may cite ones the list lacks), first in the JSON.
  const { name, carrier, description, ...facts } = view;
  return { name, carrier, description, sources: [...sources.values()], ...facts };
}

export function policyView(policy: Policy): PolicyView {
  return {
    srtp: policy.srtp,
    sdesRequiresTls: policy.sdesRequiresTls,
    trustedNetworks: policy.trustedNetworks.map(cidrText),
    allowedSuites: policy.allowedSuites ? [...policy.allowedSuites] : null,
    customerPorts: policy.customerPorts ? span(policy.customerPorts) : null,
    carrierPeers: policy.carrierPeers.map(cidrText),
    severity: { ...policy.severity },
    udpMaxBytes: policy.udpMaxBytes,
    scannerUserAgents: [...policy.scannerUserAgents],
  };
}
