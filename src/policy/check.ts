/**
 * The shape every check has: a pure function from what was seen to observations.
 * No I/O, no clock, no globals: everything a check may look at is in the context.
 */
import type { OfferSummary } from '../dialog/offer-summary.js';
import type { SessionDescription } from '../sdp/types.js';
import type { Envelope } from '../sip/envelope.js';
import type { SipMessage } from '../sip/message.js';
import type { Observation, Side } from './finding.js';
import type { JudgeConfig } from './profile.js';

/**
 * Where an SDP stands in the offer/answer exchange (RFC 3264):
 * - `offer` / `answer`: paired per dialog and transaction by src/dialog;
 * - `capability`: SDP in a 200 to OPTIONS (RFC 3261 §11.2), which describes what the UA could do,
 *   not a session: only syntax is judged;
 * - `unknown`: an SDP outside any exchange we can place (e.g. a stray 200 whose request we never saw).
 */
export type SdpRole = 'offer' | 'answer' | 'capability' | 'unknown';

export interface SdpUnderJudgement {
  readonly description: SessionDescription;
  readonly role: SdpRole;
  /** For an answer: what the offer it answers offered (null when the offer was not seen). */
  readonly offer: OfferSummary | null;
  /** Which body part held it: '' for the whole body, '2' or '1.3' inside multipart bodies. */
  readonly partPath: string;
}

export interface CheckContext {
  readonly message: SipMessage;
  readonly envelope: Envelope;
  /** Which side sent the message. */
  readonly side: Side;
  /** The SDP being judged; null when the engine runs message-scope checks. */
  readonly sdp: SdpUnderJudgement | null;
  readonly config: JudgeConfig;
  /** SDES key digests seen in other calls recently (digest -> Call-ID), bounded by the engine. */
  readonly recentKeys: ReadonlyMap<string, string>;
}

export type CheckScope = 'message' | 'sdp';

export interface Check {
  /** File name without extension, e.g. `media-range`. */
  readonly name: string;
  /** `message` checks run once per SIP message; `sdp` checks once per SDP body (context.sdp set). */
  readonly scope: CheckScope;
  readonly run: (context: CheckContext) => readonly Observation[];
}
