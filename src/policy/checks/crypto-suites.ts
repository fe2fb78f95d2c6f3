/**
 * The SDES crypto suites (RFC 4568 §6.2) offered or chosen on each active stream:
 * - null-crypto-suite: a NULL_* suite (no encryption; RFC 3711 §4.1.1 keeps the NULL cipher
 *   for debugging). It is not also reported as unregistered: this code says more.
 * - weak-crypto-suite: a 32-bit authentication tag (`*_HMAC_SHA1_32`, RFC 3711 §9.5). F8 and
 *   SEED suites have 80/96-bit tags and are not weak, only rarely implemented.
 *   In an answer each chosen suite is reported: that suite protects the media. In an offer the
 *   answerer picks (RFC 4568 §7.1.1: the offerer lists suites in order of preference), so a
 *   stream is reported once, only when its most preferred suite is weak; listing a 32-bit suite
 *   after a stronger one (as Twilio-compatible PBXs do) is not a finding.
 * - unsupported-crypto-suite: a suite outside the IANA registry, or outside the accepted list.
 *   The accepted list depends on where the SDP goes: customer-side SDP goes to the carrier, so
 *   the carrier's published suites apply (and the policy's allowedSuites as well, when set);
 *   carrier-side SDP comes to the customer, so policy.allowedSuites applies, else the carrier's
 *   list. In an offer a stream is reported when none of its suites is accepted (the negotiation
 *   cannot succeed); in an answer each chosen suite that is not accepted is reported.
 */
import type { CryptoAttribute, MediaDescription } from '../../sdp/types.js';
import type { Check, CheckContext, SdpRole } from '../check.js';
import type { Observation } from '../finding.js';
import { activeMedia, judgedSdp, observation, streamName } from './media-helpers.js';
import {
  describeCrypto,
  hasShortTag,
  isNullSuite,
  isRegisteredSuite,
  normalizeSuite,
  suiteIsListed,
} from './srtp-helpers.js';

/** A list of suites someone accepts, and who: `Twilio`, `the policy`. */
interface AcceptedSuites {
  readonly who: string;
  readonly suites: readonly string[];
}

function acceptedLists(context: CheckContext): AcceptedSuites[] {
  const { profile, policy } = context.config;
  const carrierSuites = profile.srtp?.suites ?? [];
  const carrier: AcceptedSuites | null =
    carrierSuites.length > 0 ? { who: profile.carrier, suites: carrierSuites } : null;
  const allowed: AcceptedSuites | null =
    policy.allowedSuites === null ? null : { who: 'the policy', suites: policy.allowedSuites };
  const lists = context.side === 'customer' ? [carrier, allowed] : [allowed ?? carrier];
  return lists.filter((list): list is AcceptedSuites => list !== null);
}

function distinctSuites(crypto: readonly CryptoAttribute[]): string[] {
  return [...new Set(crypto.map((attribute) => attribute.suite))];
}

function nullSuites(media: MediaDescription): Observation[] {
  const seen = new Set<string>();
  const found: Observation[] = [];
  for (const crypto of media.crypto) {
    // RFC 3711 §4.1.1: the NULL cipher provides no confidentiality.
    if (!isNullSuite(crypto.suite) || seen.has(normalizeSuite(crypto.suite))) continue;
    seen.add(normalizeSuite(crypto.suite));
    found.push(
      observation(
        'null-crypto-suite',
        `${streamName(media)} a=crypto ${describeCrypto(crypto)} is a NULL suite: SRTP without encryption`,
        media.index,
        crypto.line,
      ),
    );
  }
  return found;
}

function weakSuites(media: MediaDescription, role: SdpRole): Observation[] {
  const weak = (crypto: CryptoAttribute) =>
    observation(
      'weak-crypto-suite',
      `${streamName(media)} ${role === 'answer' ? 'chose' : 'prefers'} a=crypto ${describeCrypto(crypto)}, a 32-bit authentication tag`,
      media.index,
      crypto.line,
    );
  // RFC 3711 §9.5: a 32-bit tag gives weaker integrity than the default 80 bits.
  if (role === 'answer') return media.crypto.filter((crypto) => hasShortTag(crypto.suite)).map(weak);
  const preferred = media.crypto[0];
  return preferred !== undefined && hasShortTag(preferred.suite) ? [weak(preferred)] : [];
}

/** `Twilio accepts AES_CM_128_HMAC_SHA1_80, ...`: built only for a reason (most streams have none). */
function acceptsText(list: AcceptedSuites): string {
  return `${list.who} accepts ${list.suites.join(', ') || 'none'}`;
}

/** Reasons a stream's suites are not supported, in a message, or null. */
function unsupportedReasons(
  media: MediaDescription,
  role: SdpRole,
  lists: readonly AcceptedSuites[],
): { reasons: string[]; evidence: CryptoAttribute } | null {
  const first = media.crypto[0];
  if (first === undefined) return null;
  const reasons: string[] = [];
  let evidence: CryptoAttribute | null = null;
  // Created at the first unregistered suite: most streams offer registered ones only.
  let unregistered: Set<string> | null = null;
  // IANA "SDP Security Descriptions" srtp-crypto-suite registry (RFC 4568 §10.3.2.1).
  for (const crypto of media.crypto) {
    if (isRegisteredSuite(crypto.suite) || isNullSuite(crypto.suite)) continue;
    unregistered ??= new Set<string>();
    if (unregistered.has(normalizeSuite(crypto.suite))) continue;
    unregistered.add(normalizeSuite(crypto.suite));
    reasons.push(`${crypto.suite} is not in the IANA SRTP crypto suite registry`);
    evidence ??= crypto;
  }
  // Carrier profile accepted suites (Twilio: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32).
  for (const list of lists) {
    if (role === 'answer') {
      for (const crypto of media.crypto) {
        if (suiteIsListed(crypto.suite, list.suites)) continue;
        reasons.push(`the chosen ${crypto.suite} is not accepted (${acceptsText(list)})`);
        evidence ??= crypto;
      }
    } else if (!media.crypto.some((crypto) => suiteIsListed(crypto.suite, list.suites))) {
      reasons.push(
        `none of the offered ${distinctSuites(media.crypto).join(', ')} is accepted (${acceptsText(list)})`,
      );
      evidence ??= first;
    }
  }
  return reasons.length === 0 ? null : { reasons, evidence: evidence ?? first };
}

function unsupportedSuites(
  media: MediaDescription,
  role: SdpRole,
  lists: readonly AcceptedSuites[],
): Observation[] {
  const result = unsupportedReasons(media, role, lists);
  if (result === null) return [];
  return [
    observation(
      'unsupported-crypto-suite',
      `${streamName(media)}: ${result.reasons.join('; ')}`,
      media.index,
      result.evidence.line,
    ),
  ];
}

// RFC 4568 §6.2, §7.1.1; RFC 3711 §4.1.1, §9.5; IANA SDES crypto-suite registry; carrier profile.
export const cryptoSuites: Check = {
  name: 'crypto-suites',
  scope: 'sdp',
  run(context) {
    const sdp = judgedSdp(context);
    if (sdp === null) return [];
    const lists = acceptedLists(context);
    // A loop, not flatMap over spreads: three arrays per stream, and most are empty.
    const found: Observation[] = [];
    for (const media of activeMedia(sdp.description)) {
      if (media.crypto.length === 0) continue; // nothing below looks at a stream without a=crypto
      found.push(
        ...nullSuites(media),
        ...weakSuites(media, sdp.role),
        ...unsupportedSuites(media, sdp.role, lists),
      );
    }
    return found;
  },
};
