/**
 * The lab's scenarios: what the simulated Twilio edge (SIPp UAS, carrier side, 127.0.0.2) and
 * the simulated PBX (SIPp UAC, customer side, 127.0.0.3) put in their SDP, and the finding codes
 * trunkguard must report for that call (exactly these, no more: the table compares sets).
 * Media in range: 168.86.128.0/18, UDP 10000-60000 (rules/twilio.yaml).
 */
import { randomBytes } from 'node:crypto';

/** Each call gets fresh SDES keys: a key seen twice (even across calls) is crypto-key-reuse. */
export function sdesKey(): string {
  return randomBytes(30).toString('base64');
}

export const SUITE_80 = 'AES_CM_128_HMAC_SHA1_80';
export const SUITE_32 = 'AES_CM_128_HMAC_SHA1_32';

export function cryptoLine(tag: number, suite: string): string {
  return `a=crypto:${tag} ${suite} inline:${sdesKey()}`;
}

/** Compliant Twilio media: the global range, a port inside 10000-60000, SDES-SRTP. */
export const TWILIO_IP = '168.86.128.20';
export const TWILIO_PORT = '20000';
/** The PBX's media, on its own loopback address (a trusted network in the lab config). */
export const PBX_IP = '127.0.0.3';
export const PBX_PORT = '30000';

export type ScenarioKind = 'basic' | 'late-offer' | 'reinvite';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly kind: ScenarioKind;
  /** The PBX's leg to trunkguard: UDP or TCP (the carrier leg is UDP). */
  readonly transport: 'u1' | 't1';
  /** SIPp -key values for the UAS (media_ip, media_port, proto, crypto, reinvite_*). */
  readonly edge: () => Record<string, string>;
  /** SIPp -key values for the UAC. */
  readonly pbx: () => Record<string, string>;
  /** The finding codes trunkguard must report for the call, sorted. */
  readonly expected: readonly string[];
}

/** The PBX offers SRTP with both Twilio suites, the 80-bit tag first (RFC 4568 §7.1.1: preferred). */
const pbxOffer = () => ({
  media_ip: PBX_IP,
  media_port: PBX_PORT,
  proto: 'RTP/SAVP',
  crypto: `${cryptoLine(1, SUITE_80)}\n${cryptoLine(2, SUITE_32)}`,
});

/** The edge's answer: tag 1 (the 80-bit suite) unless told otherwise. */
const edgeAnswer = (media_ip: string, media_port = TWILIO_PORT, crypto = () => cryptoLine(1, SUITE_80)) => ({
  media_ip,
  media_port,
  proto: 'RTP/SAVP',
  crypto: crypto(),
});

export const SCENARIOS: readonly Scenario[] = [
  {
    id: '1-compliant',
    title: 'compliant: 168.86.128.20:20000, SDES-SRTP AES_CM_128_HMAC_SHA1_80',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer(TWILIO_IP),
    pbx: pbxOffer,
    expected: [],
  },
  {
    id: '1-compliant-tcp',
    title: 'compliant, the PBX on TCP (the carrier leg UDP)',
    kind: 'basic',
    transport: 't1',
    edge: () => edgeAnswer(TWILIO_IP),
    pbx: pbxOffer,
    expected: [],
  },
  {
    id: '2-out-of-range',
    title: 'media outside 168.86.128.0/18: 203.0.113.50',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer('203.0.113.50'),
    pbx: pbxOffer,
    expected: ['media-ip-out-of-range'],
  },
  {
    id: '3-retired-range',
    title: 'retired regional range: 54.172.60.10 (ashburn us1, retired 2024-02-21)',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer('54.172.60.10'),
    pbx: pbxOffer,
    expected: ['deprecated-media-range', 'media-ip-out-of-range'],
  },
  {
    id: '4-port-out-of-range',
    title: 'RTP port 5004, outside 10000-60000 (RTCP 5005 too)',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer(TWILIO_IP, '5004'),
    pbx: pbxOffer,
    expected: ['media-port-out-of-range', 'rtcp-port-out-of-range'],
  },
  {
    id: '5-no-srtp',
    title: 'no SRTP: RTP/AVP without a=crypto, SRTP required',
    kind: 'basic',
    transport: 'u1',
    edge: () => ({ media_ip: TWILIO_IP, media_port: TWILIO_PORT, proto: 'RTP/AVP', crypto: '' }),
    pbx: pbxOffer,
    expected: ['srtp-not-negotiated'],
  },
  {
    id: '6-weak-suite',
    title: 'weak suite: the answer chooses AES_CM_128_HMAC_SHA1_32 (policy allows only _80)',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer(TWILIO_IP, TWILIO_PORT, () => cryptoLine(2, SUITE_32)),
    pbx: pbxOffer,
    expected: ['unsupported-crypto-suite', 'weak-crypto-suite'],
  },
  {
    id: '7-private-address',
    title: 'private media address: 10.20.30.40 (RFC 1918)',
    kind: 'basic',
    transport: 'u1',
    edge: () => edgeAnswer('10.20.30.40'),
    pbx: pbxOffer,
    expected: ['media-ip-out-of-range', 'private-media-address'],
  },
  {
    id: '8-late-offer',
    title: 'late offer: INVITE without SDP, offer (203.0.113.60) in the 200, answer in the ACK',
    kind: 'late-offer',
    transport: 'u1',
    edge: () => edgeAnswer('203.0.113.60'),
    pbx: () => ({
      media_ip: PBX_IP,
      media_port: PBX_PORT,
      proto: 'RTP/SAVP',
      crypto: cryptoLine(1, SUITE_80),
    }),
    expected: ['media-ip-out-of-range'],
  },
  {
    id: '9-reinvite-moves-media',
    title: 'compliant call, then a carrier re-INVITE moving media to 198.51.100.7',
    kind: 'reinvite',
    transport: 'u1',
    edge: () => ({
      ...edgeAnswer(TWILIO_IP),
      reinvite_media_ip: '198.51.100.7',
      reinvite_media_port: '20002',
      reinvite_crypto: cryptoLine(1, SUITE_80),
    }),
    pbx: () => ({ ...pbxOffer(), answer_crypto: cryptoLine(1, SUITE_80) }),
    expected: ['media-ip-out-of-range'],
  },
];
