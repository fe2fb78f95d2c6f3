/**
 * A carrier profile and the customer-side policy, as the checks see them after
 * `rules/*.yaml` and the config file have been loaded and validated.
 * Every carrier fact carries where it came from and whether the carrier confirmed it.
 */
import type { Cidr } from './cidr.js';
import type { FindingCode, Severity } from './codes.js';

export interface FactSource {
  /** Short id used inside the profile, e.g. `twilio-ip-addresses`. */
  readonly id: string;
  readonly url: string;
  /** Date (YYYY-MM-DD) someone last checked the fact against the URL. */
  readonly checked: string;
  readonly title: string | null;
}

export interface Fact {
  readonly source: FactSource;
  /**
   * Further sources that corroborate or date the fact (e.g. the pages that moved a cut-over date).
   * Optional so hand-built profiles in tests need not list any; the loader always fills it.
   */
  readonly seeAlso?: readonly FactSource[];
  /** False when the carrier has not confirmed the fact (inferred, third-party copy, recall). */
  readonly verified: boolean;
  readonly note: string | null;
  /** Dates (YYYY-MM-DD) the fact applies from / until, or null when open-ended. */
  readonly from: string | null;
  readonly until: string | null;
}

export interface PortSpan {
  readonly min: number;
  readonly max: number;
}

export interface MediaRange extends Fact {
  readonly cidr: Cidr;
  readonly label: string | null;
}

export interface MediaPorts extends Fact, PortSpan {}

export type SignalingTransport = 'udp' | 'tcp' | 'tls';

export interface SignalingRange extends Fact {
  readonly cidr: Cidr;
  /** Edge or region name, e.g. `ashburn (us1)`. */
  readonly label: string | null;
  readonly ports: readonly { readonly transport: SignalingTransport; readonly port: number }[];
}

export interface RetiredMediaRange extends Fact {
  readonly cidr: Cidr;
  readonly label: string | null;
  /** The port span that went with the range while it was in service, or null. */
  readonly ports: PortSpan | null;
}

export type KeyExchange = 'sdes' | 'dtls';

export interface SrtpRequirements extends Fact {
  /** Crypto suites the carrier accepts, in its order of preference. Empty means "not published". */
  readonly suites: readonly string[];
  /** Whether the carrier accepts an MKI in SDES key parameters. */
  readonly mki: boolean;
  readonly keyExchange: readonly KeyExchange[];
  /** Whether the carrier requires TLS signaling when SRTP is used. */
  readonly requireTls: boolean;
}

export interface CarrierProfile {
  /** Profile name used on the command line: the file name without `.yaml`. */
  readonly name: string;
  readonly carrier: string;
  readonly description: string | null;
  /** The file it was loaded from. */
  readonly file: string;
  readonly sources: readonly FactSource[];
  /** Published media ranges. Empty when the carrier publishes none (range checks then stay silent). */
  readonly mediaRanges: readonly MediaRange[];
  /** Published media port span, or null when not published. */
  readonly mediaPorts: MediaPorts | null;
  readonly retiredMedia: readonly RetiredMediaRange[];
  readonly signaling: readonly SignalingRange[];
  readonly srtp: SrtpRequirements | null;
  /** True when media ports chosen by ICE are not bound by the static span (e.g. Zoom clients). */
  readonly iceExemptFromPortSpan: boolean;
}

export type SrtpPolicy = 'required' | 'optional' | 'forbidden';

/** The customer-side policy and the deployment's choices (from the config file). */
export interface Policy {
  /** SRTP for media on both sides: required (default, as carriers recommend), optional, forbidden. */
  readonly srtp: SrtpPolicy;
  /** SDES keys only over TLS (RFC 4568 §8.3); default true. */
  readonly sdesRequiresTls: boolean;
  /** Private networks that are reachable as they are (not a NAT hazard). */
  readonly trustedNetworks: readonly Cidr[];
  /** Crypto suites the customer accepts; null means the carrier profile's list. */
  readonly allowedSuites: readonly string[] | null;
  /** Port span for customer-side media, or null when not constrained. */
  readonly customerPorts: PortSpan | null;
  /** Extra addresses (beyond the profile's signaling ranges) whose messages are carrier side. */
  readonly carrierPeers: readonly Cidr[];
  /** Severity per code, overriding the catalogue default. */
  readonly severity: Readonly<Partial<Record<FindingCode, Severity>>>;
  /** Largest SIP message to send over UDP (RFC 3261 §18.1.1: 1300 bytes without a known MTU). */
  readonly udpMaxBytes: number;
  /** Lower-case substrings of User-Agent values that identify scanners. */
  readonly scannerUserAgents: readonly string[];
}

export interface JudgeConfig {
  readonly profile: CarrierProfile;
  readonly policy: Policy;
}
