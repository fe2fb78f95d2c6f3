/**
 * Builds check contexts for the check tests: a hand-built Twilio-like profile and a default
 * policy (no YAML loader), SDP text parsed by the real parser, and minimal SIP messages.
 */
import { createHash } from 'node:crypto';
import { summarizeOffer } from '../../../src/dialog/offer-summary.js';
import type { Check, CheckContext, SdpRole } from '../../../src/policy/check.js';
import { type Cidr, parseCidr } from '../../../src/policy/cidr.js';
import type { Observation, Side } from '../../../src/policy/finding.js';
import { defaultPolicy } from '../../../src/policy/load-config.js';
import type { CarrierProfile, Fact, FactSource, JudgeConfig, Policy } from '../../../src/policy/profile.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import type { SessionDescription } from '../../../src/sdp/types.js';
import { readDatagram } from '../../../src/sip/datagram.js';
import type { Envelope, Transport } from '../../../src/sip/envelope.js';
import type { SipMessage } from '../../../src/sip/message.js';

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

const SOURCE: FactSource = {
  id: 'twilio-ip-addresses',
  url: 'https://www.twilio.com/docs/sip-trunking/ip-addresses',
  checked: '2026-11-01',
  title: 'Twilio IP addresses',
};

const FACT: Fact = { source: SOURCE, verified: true, note: null, from: null, until: null };

/** Twilio as the checks know it: media 168.86.128.0/18 on 10000-60000, one retired /23. */
export const TWILIO: CarrierProfile = {
  name: 'twilio-test',
  carrier: 'Twilio',
  description: null,
  file: 'test/twilio-test.yaml',
  sources: [SOURCE],
  mediaRanges: [{ ...FACT, cidr: cidr('168.86.128.0/18'), label: 'global media' }],
  mediaPorts: { ...FACT, min: 10000, max: 60000 },
  retiredMedia: [
    {
      ...FACT,
      until: '2024-02-21',
      cidr: cidr('54.172.60.0/23'),
      label: 'us1 Virginia',
      ports: { min: 10000, max: 20000 },
    },
  ],
  signaling: [
    {
      ...FACT,
      cidr: cidr('54.172.60.0/30'),
      label: 'ashburn (us1)',
      ports: [
        { transport: 'udp', port: 5060 },
        { transport: 'tls', port: 5061 },
      ],
    },
  ],
  srtp: {
    ...FACT,
    suites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'],
    mki: false,
    keyExchange: ['sdes'],
    requireTls: true,
  },
  iceExemptFromPortSpan: false,
};

/** The shipped default policy (srtp required, SDES only over TLS, 1300-byte UDP limit...). */
export const DEFAULT_POLICY: Policy = defaultPolicy();

/** A carrier signaling address (inside 54.172.60.0/30) and the customer's PBX. */
export const CARRIER_HOST = '54.172.60.1';
export const CUSTOMER_HOST = '203.0.113.10';

/** A deterministic base64 key||salt of `bytes` bytes, different per seed (30 = AES_CM_128). */
export function key(seed: string, bytes = 30): string {
  return createHash('sha512').update(seed).digest().subarray(0, bytes).toString('base64');
}

/** Joins SDP lines with CRLF (and a final CRLF). */
export function sdp(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

/** The session part most tests share: v=, o=, s=, c=<address>, t=. */
export function session(address: string, family = 'IP4'): string[] {
  return ['v=0', `o=- 4711 1 IN ${family} ${address}`, 's=-', `c=IN ${family} ${address}`, 't=0 0'];
}

export interface MessageOptions {
  readonly startLine?: string;
  /** Headers; Content-Type (for a body) and Content-Length (the body's byte length) are added unless given. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
  /** Pads the message to this many bytes with an `X-Padding` header, for size checks. */
  readonly size?: number;
  /** The message exactly as on the wire; the other options are then ignored. */
  readonly raw?: string;
}

/** A complete request: everything RFC 3261 §8.1.1 asks for, so the reader finds no problem. */
export const DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ['Via', `SIP/2.0/UDP ${CUSTOMER_HOST}:5060;branch=z9hG4bK-1`],
  ['Max-Forwards', '70'],
  ['From', '<sip:+14155550100@pbx.example.com>;tag=pbx1'],
  ['To', '<sip:+14155550199@mytrunk.pstn.twilio.com>'],
  ['Call-ID', 'call-1@pbx.example.com'],
  ['CSeq', '1 INVITE'],
  ['Contact', `<sip:+14155550100@${CUSTOMER_HOST}:5060>`],
];

function wireText(options: MessageOptions): string {
  const startLine = options.startLine ?? 'INVITE sip:+14155550199@mytrunk.pstn.twilio.com SIP/2.0';
  const body = options.body ?? '';
  const headers = [...(options.headers ?? DEFAULT_HEADERS)];
  if (body !== '' && !headers.some(([name]) => /^(content-type|c)$/i.test(name))) {
    headers.push(['Content-Type', 'application/sdp']);
  }
  if (!headers.some(([name]) => /^(content-length|l)$/i.test(name))) {
    headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  }
  const text = (extra: string) =>
    `${startLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}${extra}\r\n${body}`;
  const bare = text('');
  if (options.size === undefined || options.size <= Buffer.byteLength(bare)) return bare;
  const padding = 'X-Padding: \r\n';
  const missing = options.size - Buffer.byteLength(bare) - padding.length;
  return text(`X-Padding: ${'p'.repeat(Math.max(0, missing))}\r\n`);
}

/** A SIP message read by the real datagram reader from text built of these parts. */
export function sipMessage(options: MessageOptions = {}): SipMessage {
  const result = readDatagram(Buffer.from(options.raw ?? wireText(options)));
  if (!result.ok) throw new Error(`test message unreadable: ${result.reason}`);
  return result.message;
}

export interface ContextOptions {
  readonly side?: Side;
  readonly transport?: Transport;
  /** Source host; defaults to the carrier's or the customer's address by side. */
  readonly src?: string;
  readonly profile?: Partial<CarrierProfile>;
  readonly policy?: Partial<Policy>;
  readonly recentKeys?: ReadonlyMap<string, string>;
  readonly message?: SipMessage;
}

export interface SdpContextOptions extends ContextOptions {
  readonly role?: SdpRole;
  /** The offer this SDP answers, as SDP text or an already parsed description. */
  readonly offer?: string | SessionDescription;
}

export function config(options: ContextOptions = {}): JudgeConfig {
  return {
    profile: { ...TWILIO, ...options.profile },
    policy: { ...DEFAULT_POLICY, ...options.policy },
  };
}

function envelope(options: ContextOptions): Envelope {
  const side = options.side ?? 'carrier';
  return {
    transport: options.transport ?? 'tls',
    src: { host: options.src ?? (side === 'carrier' ? CARRIER_HOST : CUSTOMER_HOST), port: 5061 },
    dst: { host: side === 'carrier' ? CUSTOMER_HOST : CARRIER_HOST, port: 5061 },
    time: '2026-11-28T10:00:00.000Z',
  };
}

/** A message-scope context. */
export function messageContext(message: SipMessage, options: ContextOptions = {}): CheckContext {
  return {
    message,
    envelope: envelope(options),
    side: options.side ?? 'carrier',
    sdp: null,
    config: config(options),
    recentKeys: options.recentKeys ?? new Map(),
  };
}

/** An SDP-scope context: the text is parsed with the real parser. Defaults: carrier side, offer, TLS. */
export function sdpContext(text: string, options: SdpContextOptions = {}): CheckContext {
  const offerDescription =
    typeof options.offer === 'string' ? parseSdp(options.offer) : (options.offer ?? null);
  const offer = offerDescription === null ? null : summarizeOffer(offerDescription);
  return {
    ...messageContext(options.message ?? sipMessage(), options),
    sdp: {
      description: parseSdp(text),
      role: options.role ?? (offer === null ? 'offer' : 'answer'),
      offer,
      partPath: '',
    },
  };
}

export function run(check: Check, context: CheckContext): readonly Observation[] {
  return check.run(context);
}

export function codesOf(observations: readonly Observation[]): string[] {
  return observations.map((observation) => observation.code);
}
