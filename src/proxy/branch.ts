/**
 * Our Via branch, derived from the request so that a retransmission, the CANCEL for an INVITE
 * and the ACK for a non-2xx final response all get the branch their original got.
 *
 * RFC 3261 §16.11 (stateless proxy): "the branch parameter ... MUST be the same for
 * retransmissions of the same request", computed from "the topmost Via header field of the
 * received request" among others. §17.1.1.3: the ACK for a non-2xx "MUST contain a single Via
 * header field, and this MUST be equal to the top Via header field of the original request";
 * §9.1: a CANCEL's single Via matches "the top Via value in the request being cancelled". So
 * the top Via value is the transaction part of our branch.
 *
 * The branch also carries a loop part (§16.3 item 4, loop detection): a hash of what identifies
 * the request apart from its Vias. If a request arrives carrying one of our own Vias with the
 * same loop part, it has come back to us unchanged: a loop, answered 482. A spiral (the request
 * returns with a different Request-URI) gives a different loop part and is forwarded.
 * Deviation, on purpose: the To tag is left out of the loop part (§16.3 lists it) so that the
 * non-2xx ACK, whose To has the tag the INVITE's lacked, keeps the INVITE's branch.
 */
import { hash } from 'node:crypto';
import type { SipMessage } from '../sip/message.js';

/** RFC 3261 §8.1.1.7 magic cookie, then our own marker. */
export const OUR_BRANCH_PREFIX = 'z9hG4bKtg';
const LOOP_PART_LENGTH = 10;

export interface OurBranch {
  readonly branch: string;
  readonly loopPart: string;
}

export function ourBranch(request: SipMessage): OurBranch {
  const loopPart = loopPartOf(request);
  const topVia = request.headerValues('via')[0] ?? '';
  const transactionPart = hash('sha1', `${topVia}\n${loopPart}`, 'base64url').slice(0, 16);
  return { branch: `${OUR_BRANCH_PREFIX}${loopPart}${transactionPart}`, loopPart };
}

/** The loop part of a branch we wrote, or null when the branch is not one of ours. */
export function loopPartOfBranch(branch: string | null): string | null {
  if (branch === null || !branch.startsWith(OUR_BRANCH_PREFIX)) return null;
  return branch.slice(OUR_BRANCH_PREFIX.length, OUR_BRANCH_PREFIX.length + LOOP_PART_LENGTH);
}

function loopPartOf(request: SipMessage): string {
  const fromTag = tagOf(request.header('from') ?? '');
  const input = `${request.requestUri ?? ''}\n${fromTag}\n${request.callId ?? ''}\n${request.cseq?.number ?? ''}`;
  // base64url has no '.', ';' or ',', so the branch stays a token.
  return hash('sha1', input, 'base64url').slice(0, LOOP_PART_LENGTH);
}

/** The `tag` parameter of a From/To value (after the URI), or ''. */
export function tagOf(value: string): string {
  const close = value.lastIndexOf('>');
  const params = close >= 0 ? value.slice(close + 1) : value.slice(Math.max(0, value.indexOf(';')));
  const match = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return match?.[1] ?? '';
}
