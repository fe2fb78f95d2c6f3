/**
 * The calls the proxy is watching, to write one summary line per call when it ends: the media
 * each side negotiated (address, ports, proto, suites; never keys), the findings and a verdict.
 *
 * A call ends with the final response to its BYE (a BYE never answered ends it by timeout), a
 * final failure response to the initial INVITE (RFC 3261 §13.2.2.3: the dialog is never
 * established), or when nothing has been seen of it for `idleMs` (timeout). The table is capped:
 * past `maxCalls` the least recently active call is summarized with `ended: "evicted"`, so
 * nothing is lost silently.
 */

import { ownCopy } from '../dialog/own-copy.js';
import { type Severity, severityRank } from '../policy/codes.js';
import type { JudgedMessage } from '../policy/engine.js';
import type { Side } from '../policy/finding.js';
import { type CallEnd, endOf } from './call-end.js';
import { type NegotiatedMedia, negotiatedMedia, type Verdict, verdictFor } from './call-ledger.js';
import { KeyedQueue } from './keyed-queue.js';

export type { CallEnd };

export interface CallSummaryLine {
  readonly callId: string;
  readonly ended: CallEnd;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly messages: number;
  readonly findings: number;
  readonly codes: readonly string[];
  readonly worstSeverity: Severity | null;
  readonly verdict: Verdict;
  readonly finalStatus: number | null;
  readonly media: {
    readonly carrier: readonly NegotiatedMedia[];
    readonly customer: readonly NegotiatedMedia[];
  };
}

interface LiveCall {
  readonly callId: string;
  readonly firstSeen: string;
  lastSeen: string;
  lastAt: number;
  messages: number;
  findings: number;
  /** Distinct finding codes, in the order first seen; one shared empty array until the first. */
  codes: string[];
  worst: Severity | null;
  finalStatus: number | null;
  /** A 2xx to an INVITE was seen: a later failure is a failed re-INVITE, the call goes on. */
  established: boolean;
  carrier: readonly NegotiatedMedia[];
  customer: readonly NegotiatedMedia[];
}

export interface LiveCallsOptions {
  readonly maxCalls: number;
  readonly idleMs: number;
  /** The severity at which a call's verdict is `fail`. */
  readonly failOn: Severity;
}

export class LiveCalls {
  /** Queue order is recency order: a call is moved to the back on every message. */
  readonly #calls = new KeyedQueue<string, LiveCall>();

  constructor(
    readonly options: LiveCallsOptions,
    private readonly onEnded: (summary: CallSummaryLine) => void,
    private readonly onStarted: (callId: string) => void = () => {},
  ) {}

  /** Records a judged message; ends the call when this message ends it. */
  record(judged: JudgedMessage, now: number): void {
    const message = judged.message;
    const callId = message?.callId;
    if (!message || !callId) return;
    let call = this.#calls.get(callId);
    if (call === undefined) {
      // Only an INVITE starts a call worth summarizing; stray in-dialog traffic and OPTIONS do not.
      if (message.method !== 'INVITE') return;
      // Kept as long as the call: an own copy, not a slice that keeps the whole INVITE's text alive.
      const owned = ownCopy(callId);
      call = {
        callId: owned,
        firstSeen: judged.envelope.time,
        lastSeen: judged.envelope.time,
        lastAt: now,
        messages: 0,
        findings: 0,
        codes: NO_CODES,
        worst: null,
        finalStatus: null,
        established: false,
        carrier: [],
        customer: [],
      };
      this.onStarted(owned);
    }
    this.#calls.pushBack(call.callId, call);
    call.lastSeen = judged.envelope.time;
    call.lastAt = now;
    call.messages++;
    call.findings += judged.findings.length;
    for (const finding of judged.findings) {
      if (!call.codes.includes(finding.code)) call.codes = [...call.codes, finding.code];
      if (call.worst === null || severityRank(finding.severity) > severityRank(call.worst))
        call.worst = finding.severity;
    }
    const session = judged.sdps.find((sdp) => sdp.role === 'offer' || sdp.role === 'answer');
    if (session)
      setMedia(
        call,
        judged.side,
        negotiatedMedia(session.description, judged.side, session.role).map(keptMedia),
      );
    const ended = endOf(judged, call.established);
    if (message.kind === 'response' && message.cseq?.method === 'INVITE' && (message.status ?? 0) < 300)
      call.established ||= (message.status ?? 0) >= 200;
    if (ended !== null) {
      if (message.kind === 'response') call.finalStatus = message.status;
      this.#end(call, ended);
    }
    this.#evictOverCap();
  }

  /** Summarizes and forgets calls idle for longer than idleMs. */
  sweep(now: number): void {
    for (let call = this.#calls.first(); call !== undefined; call = this.#calls.first()) {
      if (now - call.lastAt <= this.options.idleMs) return;
      this.#end(call, 'timeout');
    }
  }

  /** Summarizes every call still open (the proxy is stopping). */
  endAll(): void {
    for (const call of [...this.#calls.values()]) this.#end(call, 'shutdown');
  }

  get size(): number {
    return this.#calls.size;
  }

  #evictOverCap(): void {
    while (this.#calls.size > this.options.maxCalls) {
      const oldest = this.#calls.first();
      if (oldest === undefined) return;
      this.#end(oldest, 'evicted');
    }
  }

  #end(call: LiveCall, ended: CallEnd): void {
    this.#calls.delete(call.callId);
    this.onEnded({
      callId: call.callId,
      ended,
      firstSeen: call.firstSeen,
      lastSeen: call.lastSeen,
      messages: call.messages,
      findings: call.findings,
      codes: [...call.codes].sort(),
      worstSeverity: call.worst,
      verdict: verdictFor(call.worst, this.options.failOn),
      finalStatus: call.finalStatus,
      media: { carrier: call.carrier, customer: call.customer },
    });
  }
}

/** A call's codes before its first finding (never added to: a call's own array replaces it). */
const NO_CODES: string[] = [];

/**
 * What a call keeps of its negotiated media until it ends: the same fields, as strings of their own.
 * The parsed SDP's strings are slices of the message text, and one kept slice keeps that whole text.
 */
function keptMedia(media: NegotiatedMedia): NegotiatedMedia {
  return {
    ...media,
    type: ownCopy(media.type),
    address: media.address === null ? null : ownCopy(media.address),
    proto: ownCopy(media.proto),
    suites: media.suites.length === 1 ? oneSuite(media.suites[0]!) : media.suites.map(ownCopy),
    direction: ownCopy(media.direction),
  };
}

/** One shared array per single suite: most media lines offer or answer one. */
const ONE_SUITE = new Map<string, readonly string[]>();

function oneSuite(suite: string): readonly string[] {
  const known = ONE_SUITE.get(suite);
  if (known !== undefined) return known;
  const suites = [ownCopy(suite)];
  // Bounded: past a few dozen distinct suites (hostile input), each call gets its own.
  if (ONE_SUITE.size < 64) ONE_SUITE.set(suites[0]!, suites);
  return suites;
}

function setMedia(call: LiveCall, side: Side, media: NegotiatedMedia[]): void {
  if (side === 'carrier') call.carrier = media;
  else call.customer = media;
}
