/**
 * What several checks need to know about an SDP's media sections: which streams are live,
 * which addresses and ports each one names, and how to phrase an observation so that no
 * SDES key can leave in it (RFC 4568 §8.1: the keys decrypt recorded SRTP).
 */
import { redactIfKeyed } from '../../sdp/redact.js';
import type { ConnectionAddress, MediaDescription, SessionDescription } from '../../sdp/types.js';
import type { CheckContext, SdpUnderJudgement } from '../check.js';
import { type Cidr, cidrContains, parseIp } from '../cidr.js';
import type { FindingCode } from '../codes.js';
import type { Observation } from '../finding.js';
import type { CarrierProfile, PortSpan } from '../profile.js';

export type IpAddress = NonNullable<ReturnType<typeof parseIp>>;

/** Builds an observation; message and evidence both pass through the SDES key redaction. */
export function observation(
  code: FindingCode,
  message: string,
  mediaIndex: number | null,
  evidence: string | null,
): Observation {
  return {
    code,
    message: redactIfKeyed(message),
    mediaIndex,
    evidence: evidence === null ? null : redactIfKeyed(evidence),
  };
}

/**
 * The SDP a media check judges, or null: none in message scope, and none for a capability
 * description (a 200 to OPTIONS describes what a UA could do, not a session: RFC 3261 §11.2).
 */
export function judgedSdp(context: CheckContext): SdpUnderJudgement | null {
  const sdp = context.sdp;
  if (sdp === null || sdp.role === 'capability') return null;
  return sdp;
}

/** `m=audio #0`: how messages name a stream (the index is the 0-based mediaIndex). */
export function streamName(media: Pick<MediaDescription, 'type' | 'index'>): string {
  return `m=${media.type} #${media.index}`;
}

// RFC 3264 §6: "A port number of zero in the answer [or offer] indicates that the stream is
// rejected [or disabled]": nothing flows on it, so nothing on it is judged.
export function isActive(media: MediaDescription): boolean {
  return media.port !== 0;
}

export function activeMedia(description: SessionDescription): readonly MediaDescription[] {
  return description.media.filter(isActive);
}

// RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way to put a stream on hold; it is reported as
// media-hold and is not an address (or a port) anything will be sent to.
export function isOnHold(media: MediaDescription): boolean {
  return media.connection?.kind === 'hold';
}

// RFC 8829 §5.2.1 (JSEP) and RFC 8840 (Trickle ICE for SIP): an m= section whose candidates are
// not gathered yet carries port 9 (discard) and c=IN IP4 0.0.0.0: a placeholder, not a hold.
export function isIcePlaceholder(media: MediaDescription): boolean {
  return isOnHold(media) && media.port === 9;
}

/** Active streams that are not on hold: the ones whose addresses and ports mean something. */
export function liveMedia(description: SessionDescription): readonly MediaDescription[] {
  return description.media.filter((media) => isActive(media) && !isOnHold(media));
}

// Module constants, not literals in the functions: a regex literal makes a new RegExp object each
// time it is evaluated, and these run for every stream in several checks.
const RTP_PROTO = /(^|\/)RTP\//i;
const SRTP_PROFILE = /\/SAVPF?$/i;
const DTLS_PROTO = /^(UDP|TCP)\/(TLS|DTLS)\//i;

/** RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVP, TCP/RTP/AVP...: an RTP-based transport protocol. */
export function isRtpProto(proto: string): boolean {
  return RTP_PROTO.test(proto);
}

/** An RTP profile that is SRTP (RFC 3711 §12: SAVP; RFC 5124: SAVPF). */
export function isSrtpProto(proto: string): boolean {
  return isRtpProto(proto) && SRTP_PROFILE.test(proto);
}

/** A transport keyed by DTLS or TLS in the media path: UDP/TLS/RTP/SAVP(F) (RFC 5764 §8), TCP/DTLS/* (RFC 8842). */
export function isDtlsProto(proto: string): boolean {
  return DTLS_PROTO.test(proto);
}

/** Media types whose RTP carries the conversation itself: audio, video, real-time text (RFC 4103). */
const CONVERSATION_TYPES: ReadonlySet<string> = new Set(['audio', 'video', 'text']);

/**
 * A stream the SRTP policy judges: RTP-based audio, video or text. T.38 (`image udptl`) and
 * data channels (`application UDP/DTLS/SCTP`) are not RTP and are left alone.
 */
export function carriesRtpMedia(media: MediaDescription): boolean {
  return isRtpProto(media.proto) && CONVERSATION_TYPES.has(media.type.toLowerCase());
}

/** The IP of a unicast address (ip4/ip6 kinds); null for hold, multicast, FQDN and invalid ones. */
export function ipOf(address: ConnectionAddress): IpAddress | null {
  if (address.kind !== 'ip4' && address.kind !== 'ip6') return null;
  return parseIp(address.address);
}

/**
 * The address an a=rtcp attribute wrote (RFC 3605 §2.1: `a=rtcp:<port> [IN IP4 <address>]`),
 * or null when a=rtcp gave only a port (then RTCP goes to the stream's c= address).
 */
export function explicitRtcpAddress(media: MediaDescription): ConnectionAddress | null {
  const { rtcp } = media;
  if (!rtcp.explicit || rtcp.address === null || rtcp.line === null) return null;
  return rtcp.address.line === rtcp.line ? rtcp.address : null;
}

/** One c= line as the live streams use it: a session-level c= is one use shared by many streams. */
export interface ConnectionUse {
  readonly connection: ConnectionAddress;
  /** The stream's index for a media-level c=, null for a session-level c=. */
  readonly mediaIndex: number | null;
  readonly media: readonly MediaDescription[];
}

/**
 * The c= lines these streams use, each session-level one listed once. Every c= of a level counts,
 * not only the effective first one: a duplicate c= (flagged by the parser) is exactly where parsers
 * disagree, so both candidates are judged.
 */
export function connectionUses(streams: readonly MediaDescription[]): ConnectionUse[] {
  const uses: { connection: ConnectionAddress; mediaIndex: number | null; media: MediaDescription[] }[] = [];
  const sessionUses: (typeof uses)[number][] = [];
  for (const media of streams) {
    const connections =
      media.connections.length > 0 ? media.connections : media.connection ? [media.connection] : [];
    connections.forEach((connection, position) => {
      if (media.connectionLevel !== 'session') {
        uses.push({ connection, mediaIndex: media.index, media: [media] });
        return;
      }
      let use = sessionUses[position];
      if (use === undefined) {
        use = { connection, mediaIndex: null, media: [] };
        sessionUses[position] = use;
        uses.push(use);
      }
      use.media.push(media);
    });
  }
  return uses;
}

export type AddressSource = 'connection' | 'rtcp' | 'candidate';

/** An address an SDP names for media: a c= line, an a=rtcp address, or an ICE candidate. */
export interface NamedAddress {
  readonly address: ConnectionAddress;
  readonly source: AddressSource;
  /** null for a session-level c=. */
  readonly mediaIndex: number | null;
  /** The line that wrote it. */
  readonly line: string;
  /** For candidates: host, srflx, prflx, relay. */
  readonly candidateType: string | null;
  /** The stream it belongs to (the first stream using it, for a session-level c=). */
  readonly stream: MediaDescription | null;
}

/**
 * How a message names where an address was written: `session-level c=`, `c= of m=audio #1`,
 * `a=rtcp of m=audio #0`, `host candidate of m=audio #0`. Built only when a finding needs it.
 */
export function whereOf(named: NamedAddress): string {
  const stream = named.stream;
  if (stream === null) return 'session-level c=';
  switch (named.source) {
    case 'connection':
      return named.mediaIndex === null ? 'session-level c=' : `c= of ${streamName(stream)}`;
    case 'rtcp':
      return `a=rtcp of ${streamName(stream)}`;
    case 'candidate':
      return `${named.candidateType ?? ''} candidate of ${streamName(stream)}`;
  }
}

export interface AddressOptions {
  /** Which ICE candidates count: all of them, only host candidates, or none. */
  readonly candidates: 'all' | 'host' | 'none';
}

/** `session-level c=` or `c= of m=audio #1`. */
export function describeConnectionUse(use: ConnectionUse): string {
  const stream = use.media[0];
  return use.mediaIndex === null || stream === undefined ? 'session-level c=' : `c= of ${streamName(stream)}`;
}

/**
 * Every distinct address an SDP names for media (the first place each is written, compared in
 * normalized form): the c= lines and a=rtcp addresses of its live streams (session-level c=
 * once), and the ICE candidates of every active stream. Candidates count even on a held stream
 * or an ICE placeholder (c=0.0.0.0): they are real addresses media may use.
 */
export function namedAddresses(description: SessionDescription, options: AddressOptions): NamedAddress[] {
  const named: NamedAddress[] = [];
  const add = (item: NamedAddress) => {
    const key = item.address.address.toLowerCase();
    for (let i = 0; i < named.length; i++) if (named[i]!.address.address.toLowerCase() === key) return;
    named.push(item);
  };
  const live = liveMedia(description);
  for (const use of connectionUses(live)) {
    const { connection, mediaIndex } = use;
    add({
      address: connection,
      source: 'connection',
      mediaIndex,
      line: connection.line,
      candidateType: null,
      stream: use.media[0] ?? null,
    });
  }
  for (const media of live) {
    const rtcpAddress = explicitRtcpAddress(media);
    if (rtcpAddress === null) continue;
    add({
      address: rtcpAddress,
      source: 'rtcp',
      mediaIndex: media.index,
      line: rtcpAddress.line,
      candidateType: null,
      stream: media,
    });
  }
  if (options.candidates === 'none') return named;
  for (const media of activeMedia(description)) {
    for (const candidate of media.candidates) {
      if (options.candidates === 'host' && candidate.type.toLowerCase() !== 'host') continue;
      add({
        address: candidate.address,
        source: 'candidate',
        mediaIndex: media.index,
        line: candidate.line,
        candidateType: candidate.type,
        stream: media,
      });
    }
  }
  return named;
}

/** The first and last RTP port of `m=<type> <port>/<count>` (RFC 8866 §5.14). */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

// RFC 8866 §5.14: with a port count, "For RTP, the default is that only the even-numbered ports
// are used for data with the corresponding one-higher odd ports used for the RTCP belonging to
// the RTP session": m=audio 5000/2 puts RTP on 5000 and 5002 (and RTCP on 5001 and 5003).
export function rtpPorts(media: MediaDescription): PortRange {
  const step = isRtpProto(media.proto) ? 2 : 1;
  const count = Math.max(1, media.portCount);
  return { first: media.port, last: media.port + step * (count - 1) };
}

export function isInsideSpan(range: PortRange, span: PortSpan): boolean {
  return range.first >= span.min && range.last <= span.max;
}

export function formatPorts(range: PortRange): string {
  return range.first === range.last ? String(range.first) : `${range.first}-${range.last}`;
}

export function formatSpan(span: PortSpan): string {
  return `${span.min}-${span.max}`;
}

/** The profile's published media ranges, as written: `168.86.128.0/18`. */
export function mediaRangesText(profile: CarrierProfile): string {
  return profile.mediaRanges.map((range) => range.cidr.text).join(', ');
}

export function isInMediaRanges(profile: CarrierProfile, ip: IpAddress): boolean {
  return profile.mediaRanges.some((range) => cidrContains(range.cidr, ip));
}

/**
 * Whether the profile's ranges can judge this address at all: an IPv6 address cannot be
 * judged by a profile that publishes IPv4 ranges only (ipv6-media-address reports that case).
 */
export function rangesCanJudge(profile: CarrierProfile, ip: IpAddress): boolean {
  return profile.mediaRanges.some((range) => range.cidr.network.kind() === ip.kind());
}

export function isInsideAny(cidrs: readonly Cidr[], ip: IpAddress): boolean {
  return cidrs.some((cidr) => cidrContains(cidr, ip));
}
