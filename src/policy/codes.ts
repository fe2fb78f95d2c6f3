/**
 * The finding codes: a stable contract. Security teams build alert rules on them,
 * so a code is never renamed casually. README.md's table is checked against this
 * catalogue by test/policy/codes.test.ts.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(text: string): text is Severity {
  return (SEVERITIES as readonly string[]).includes(text);
}

interface CodeInfo {
  readonly severity: Severity;
  /** One line: what the finding means. */
  readonly meaning: string;
  /** The RFC section or carrier document the check enforces. */
  readonly basis: string;
  /** Reported by the proxy about a source, not by a check on one message: never in `check`, `pcap` or `hep` output. */
  readonly proxyOnly?: boolean;
}

export const FINDING_CODES = {
  'media-ip-out-of-range': {
    severity: 'high',
    meaning: "Carrier-side SDP puts media on an address outside the carrier's published media ranges.",
    basis: 'carrier profile (Twilio: 168.86.128.0/18)',
  },
  'media-port-out-of-range': {
    severity: 'high',
    meaning: "An RTP port outside the carrier's published span (or the customer span, when configured).",
    basis: 'carrier profile (Twilio: UDP 10000-60000)',
  },
  'rtcp-port-out-of-range': {
    severity: 'medium',
    meaning: 'The RTCP port (a=rtcp, or RTP+1) falls outside the published port span.',
    basis: 'RFC 3605; RFC 3550 §11; carrier profile',
  },
  'rtcp-ip-out-of-range': {
    severity: 'high',
    meaning: "a=rtcp sends RTCP to an address outside the carrier's media ranges.",
    basis: 'RFC 3605 §2.1; carrier profile',
  },
  'deprecated-media-range': {
    severity: 'high',
    meaning: 'SDP media address inside a range the carrier has retired.',
    basis: 'carrier profile (Twilio retired regional media ranges, 2024-02-21)',
  },
  'srtp-not-negotiated': {
    severity: 'high',
    meaning: 'An active stream uses plain RTP where the policy requires SRTP (or SRTP where it forbids it).',
    basis: 'policy; Twilio Secure Media; RFC 3711',
  },
  'srtp-missing-keys': {
    severity: 'high',
    meaning:
      'An SRTP profile (RTP/SAVP) without usable keying: no a=crypto inline key and no DTLS fingerprint.',
    basis: 'RFC 4568 §6.1, §9.1; RFC 5763 §5',
  },
  'weak-crypto-suite': {
    severity: 'low',
    meaning:
      'A crypto suite with a 32-bit authentication tag, or one with known weaknesses, was offered or chosen.',
    basis: 'RFC 3711 §9.5; RFC 4568 §6.2',
  },
  'unsupported-crypto-suite': {
    severity: 'medium',
    meaning: 'A crypto suite the carrier or the policy does not accept, or one not in the IANA registry.',
    basis: 'IANA SDP Security Descriptions registry; carrier profile',
  },
  'null-crypto-suite': {
    severity: 'critical',
    meaning: 'A NULL cipher suite: SRTP with no encryption at all.',
    basis: 'RFC 3711 §4.1.1 (NULL cipher is for debugging)',
  },
  'srtp-unencrypted': {
    severity: 'high',
    meaning: 'The UNENCRYPTED_SRTP session parameter turns off RTP encryption.',
    basis: 'RFC 4568 §6.3.2',
  },
  'srtcp-unencrypted': {
    severity: 'medium',
    meaning: 'The UNENCRYPTED_SRTCP session parameter turns off RTCP encryption.',
    basis: 'RFC 4568 §6.3.2',
  },
  'srtp-unauthenticated': {
    severity: 'high',
    meaning: 'The UNAUTHENTICATED_SRTP session parameter turns off RTP authentication.',
    basis: 'RFC 4568 §6.3.3; RFC 3711 §7.2',
  },
  'crypto-answer-mismatch': {
    severity: 'medium',
    meaning: "The answer's a=crypto tag was not offered, or names a different suite than the offer's tag.",
    basis: 'RFC 4568 §7.1.2, §7.1.3',
  },
  'crypto-key-reuse': {
    severity: 'critical',
    meaning:
      'The same SDES key appears twice (offer and answer, two streams, or two calls): keystream reuse.',
    basis: 'RFC 3711 §9.1; RFC 4568 §6.1',
  },
  'crypto-mki-unsupported': {
    severity: 'medium',
    meaning: 'An SDES key carries an MKI, which the carrier does not support.',
    basis: 'RFC 4568 §6.1; Twilio Secure Media (MKI not supported)',
  },
  'sdes-over-insecure-transport': {
    severity: 'critical',
    meaning:
      'SDES keys travelled in clear SIP (UDP or TCP, not TLS): anyone on the path can decrypt the media.',
    basis: 'RFC 4568 §8.3; Twilio error 32209',
  },
  'dtls-weak-fingerprint': {
    severity: 'medium',
    meaning: 'A DTLS a=fingerprint uses a weak hash (md2, md5, sha-1).',
    basis: 'RFC 8122 §5; RFC 8827 §6.5',
  },
  'dtls-missing-fingerprint': {
    severity: 'high',
    meaning: 'A DTLS-SRTP stream (UDP/TLS/RTP/SAVP[F]) without a=fingerprint or a=setup.',
    basis: 'RFC 5763 §5; RFC 8842 §5',
  },
  'ice-candidate-out-of-range': {
    severity: 'medium',
    meaning: "A carrier-side ICE candidate outside the carrier's media ranges or port span.",
    basis: 'RFC 8839 §5.1; carrier profile',
  },
  'private-media-address': {
    severity: 'medium',
    meaning:
      'Media on a private, CGNAT, loopback or link-local address that is not a trusted network: a NAT hazard.',
    basis: 'RFC 1918; RFC 6598; Kamailio nathelper nat_uac_test flag 8',
  },
  'media-address-mismatch': {
    severity: 'low',
    meaning: 'A customer-side public media address differs from the address the signaling came from.',
    basis: 'Kamailio nathelper nat_uac_test flag 32; RFC 3264 §5',
  },
  'comedia-active': {
    severity: 'medium',
    meaning:
      'The SDP asks the far end to latch onto wherever media comes from (a=direction:active or both): RTP hijack hazard.',
    basis: 'draft-ietf-mmusic-sdp-comedia; Asterisk AST-2017-005 (RTP bleed)',
  },
  'via-rport': {
    severity: 'info',
    meaning: 'The top Via asks for symmetric response routing (rport): the sender is behind NAT.',
    basis: 'RFC 3581 §4',
  },
  'fqdn-media-address': {
    severity: 'medium',
    meaning:
      'The connection address is a domain name: range checks cannot judge it and media depends on DNS.',
    basis: 'RFC 8866 §5.7',
  },
  'multicast-media-address': {
    severity: 'high',
    meaning: 'A multicast connection address on a unicast trunk.',
    basis: 'RFC 8866 §5.7',
  },
  'media-hold': {
    severity: 'info',
    meaning: 'c=0.0.0.0: the RFC 2543 way to put a stream on hold.',
    basis: 'RFC 3264 §8.4',
  },
  'ipv6-media-address': {
    severity: 'low',
    meaning: 'IPv6 media where the carrier profile publishes IPv4 ranges only.',
    basis: 'carrier profile',
  },
  'duplicate-connection-line': {
    severity: 'high',
    meaning: 'Two c= lines at one level: parsers disagree on which one wins (media smuggling).',
    basis: 'RFC 8866 §5.7, §5 (one c= per level)',
  },
  'missing-connection-address': {
    severity: 'high',
    meaning: 'An active m= line has no c= at media or session level.',
    basis: 'RFC 8866 §5.7',
  },
  'malformed-sdp': {
    severity: 'medium',
    meaning:
      'An SDP line that does not parse: bad m= port, bad address, unknown line type, lines out of order.',
    basis: 'RFC 8866 §5, §9',
  },
  'content-length-mismatch': {
    severity: 'high',
    meaning:
      'Content-Length disagrees with the bytes present (missing on a stream, larger or smaller than the body).',
    basis: 'RFC 3261 §18.3, §20.14; Kamailio sanity check 128',
  },
  'duplicate-content-length': {
    severity: 'high',
    meaning: 'Two Content-Length headers: framing is undefined (request smuggling).',
    basis: 'RFC 3261 §7.3.1, §20.14; RFC 4475 §3.3.9',
  },
  'malformed-message': {
    severity: 'medium',
    meaning: 'A SIP message that breaks the RFC 3261 grammar (start line, required header, CSeq, Via...).',
    basis: 'RFC 3261 §7, §8.1.1, §25; RFC 4475',
  },
  'udp-message-too-large': {
    severity: 'low',
    meaning: 'A SIP message over UDP larger than 1300 bytes: it should have gone over TCP, and may fragment.',
    basis: 'RFC 3261 §18.1.1',
  },
  'scanner-user-agent': {
    severity: 'medium',
    meaning: 'A User-Agent of a known SIP scanner (friendly-scanner, sipvicious, sipcli...).',
    basis: 'Kamailio secfilter; Elastic SIP enumeration rule',
  },
  'request-flood': {
    severity: 'high',
    meaning:
      'One source sent requests faster than proxy.limits.flood allows: an INVITE/REGISTER flood or a scan (denial of service, toll-fraud enumeration).',
    basis: 'RFC 4732 (denial-of-service considerations); Kamailio pike module',
    proxyOnly: true,
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export const ALL_CODES = Object.keys(FINDING_CODES) as FindingCode[];

/** The codes the judge's checks report on messages (every code but the proxy's own, e.g. request-flood). */
export const JUDGED_CODES = ALL_CODES.filter((code) => (FINDING_CODES[code] as CodeInfo).proxyOnly !== true);

export function isFindingCode(text: string): text is FindingCode {
  return Object.hasOwn(FINDING_CODES, text);
}
