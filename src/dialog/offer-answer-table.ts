/**
 * Pairs SDP offers with their answers, per call and transaction (RFC 3264 §4, RFC 3261 §13.2.1,
 * RFC 3262 §5, RFC 3311 §5.1). The table is bounded: a size cap evicts the least recently seen
 * call, and a TTL drops calls that went quiet; both are counted.
 *
 * It only remembers what pairing needs (a summary of the offer and who sent it, per
 * transaction), never whole messages.
 */
import type { SdpRole } from '../policy/check.js';
import type { Side } from '../policy/finding.js';
import type { SessionDescription } from '../sdp/types.js';
import { type OfferSummary, summarizeOffer } from './offer-summary.js';
import { ownCopy } from './own-copy.js';

export interface OfferAnswerTableOptions {
  /** Most calls tracked at once; the least recently seen one is evicted beyond it. */
  readonly maxCalls: number;
  /** A call not seen for this long is forgotten. */
  readonly ttlMs: number;
}

export const DEFAULT_TABLE_OPTIONS: OfferAnswerTableOptions = { maxCalls: 50_000, ttlMs: 2 * 60 * 60 * 1000 };

/** One SIP message, reduced to what pairing needs. */
export interface ExchangeStep {
  readonly callId: string;
  readonly kind: 'request' | 'response';
  /** Request method, or the CSeq method of a response. */
  readonly method: string;
  readonly cseq: number;
  /** Response status, or null for requests. */
  readonly status: number | null;
  /** For PRACK: the CSeq number of the INVITE whose provisional response it acknowledges (RAck). */
  readonly rackCseq: number | null;
  readonly side: Side;
  /** Milliseconds, from the envelope time. */
  readonly at: number;
}

export interface Placement {
  readonly role: SdpRole;
  /** For an answer: what its offer offered, or null when that offer was not seen. */
  readonly offer: OfferSummary | null;
  readonly offerSide: Side | null;
}

/**
 * One transaction that may carry an offer. The pending offer's fields live here rather than in an
 * object of their own: this state lives as long as the call, and every object it holds is one more
 * for each young-generation GC to copy and promote.
 */
interface TransactionState {
  readonly cseq: number;
  readonly method: string;
  /** The INVITE carried no SDP: the offer will come in the first reliable response. */
  lateOffer: boolean;
  /** What the pending offer offered, or null while none was seen. */
  offer: OfferSummary | null;
  /** Who sent the offer (meaningful when `offer` is set). */
  offerSide: Side | null;
  /** The offer came in a response (late offer, RFC 3261 §13.2.1): the answer goes in ACK or PRACK. */
  offerInResponse: boolean;
}

interface CallState {
  /**
   * Milliseconds since the table's epoch (its first message): a small integer stays inline in the
   * object, where an epoch-sized time would be one more heap number per call.
   */
  lastSeen: number;
  /** Seen again since it was created or last moved to the back (CLOCK's reference bit). */
  touched: boolean;
  /** The Call-ID as kept (the table's own copy, not a slice of a message). */
  readonly callId: string;
  /**
   * Oldest first; a handful per call, so a short array is lighter than a Map. Starts empty and
   * shared, then as a one-element literal: pushing onto a fresh `[]` reserves 17 slots per call.
   */
  transactions: TransactionState[];
}

/** A transaction's state; `offer` null when it carried none (yet). */
function newTransaction(
  cseq: number,
  method: string,
  lateOffer: boolean,
  offer: OfferSummary | null,
  offerSide: Side | null,
): TransactionState {
  return { cseq, method, lateOffer, offer, offerSide: offer ? offerSide : null, offerInResponse: false };
}

/** A new call's transactions: shared and never pushed to (#remember replaces it). */
const NO_TRANSACTIONS: TransactionState[] = [];

const UNPLACED: Placement = { role: 'unknown', offer: null, offerSide: null };
const CAPABILITY: Placement = { role: 'capability', offer: null, offerSide: null };

function offerPlacement(): Placement {
  return { role: 'offer', offer: null, offerSide: null };
}

function answerTo(transaction: TransactionState): Placement {
  return { role: 'answer', offer: transaction.offer, offerSide: transaction.offerSide };
}

function findTransaction(call: CallState, cseq: number, method: string): TransactionState | undefined {
  const transactions = call.transactions;
  for (let i = transactions.length - 1; i >= 0; i--) {
    const transaction = transactions[i]!;
    if (transaction.cseq === cseq && transaction.method === method) return transaction;
  }
  return undefined;
}

/**
 * Requests that may carry or announce an offer (RFC 3261 §13.2.1, RFC 3262 §5, RFC 3311 §5.1), each
 * mapped to one shared copy of its name: a transaction keeps that, not the message's string.
 */
const OPENING_METHODS = new Map(['INVITE', 'UPDATE', 'PRACK'].map((method) => [method, method]));

/** Most calls #expire looks at per message. */
const MAX_EXPIRY_STEPS = 4;

/** Most transactions remembered per call (a long call with many re-INVITEs keeps the newest). */
const MAX_TRANSACTIONS_PER_CALL = 16;

export class OfferAnswerTable {
  readonly #calls = new Map<string, CallState>();
  /**
   * One iterator over #calls kept from message to message, and the call it last gave that is still
   * in the table (the front). A fresh `values()` per message started at the Map's first slot and
   * walked every slot deleted since V8 last rehashed it: with a full table (a flood) that was tens of
   * thousands of slots per message. Everything before this iterator's position is deleted, so its
   * next value is always the oldest call, as a fresh iterator's first would be.
   */
  #order: MapIterator<CallState> | null = null;
  #front: CallState | null = null;
  readonly #options: OfferAnswerTableOptions;
  #evictedForSize = 0;
  #expired = 0;
  /** The first message's time: CallState.lastSeen counts from it. */
  #epoch: number | null = null;

  constructor(options: Partial<OfferAnswerTableOptions> = {}) {
    this.#options = { ...DEFAULT_TABLE_OPTIONS, ...options };
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Calls dropped because the table was full. */
  get evictions(): number {
    return this.#evictedForSize;
  }

  /** Calls dropped because they went quiet for longer than the TTL. */
  get expirations(): number {
    return this.#expired;
  }

  /**
   * The table's own copy of a tracked call's Call-ID (not a slice of any message), or null when the
   * call is not tracked: whatever else keeps a Call-ID for a while can share it instead of copying.
   */
  ownedCallId(callId: string): string | null {
    return this.#calls.get(callId)?.callId ?? null;
  }

  /**
   * Records one message and says where its SDP (if `description` is given) stands.
   * Messages without SDP still matter: an INVITE without SDP announces a late offer,
   * and a final response to BYE ends the call.
   */
  place(step: ExchangeStep, description: SessionDescription | null): Placement {
    if (this.#epoch === null && Number.isFinite(step.at)) this.#epoch = step.at;
    const at = step.at - (this.#epoch ?? 0);
    this.#expire(at);
    // RFC 3261 §11.2: the SDP in a response to OPTIONS describes capabilities, not a session.
    if (step.kind === 'response' && step.method === 'OPTIONS') return description ? CAPABILITY : UNPLACED;
    // Only requests that can open an offer/answer exchange create state: a flood of stray
    // responses, ACKs or BYEs for calls never seen must not churn the table.
    const opens = step.kind === 'request' && OPENING_METHODS.has(step.method);
    const call = this.#touch(step.callId, at, opens);
    if (!call) return UNPLACED;
    const placement =
      step.kind === 'request'
        ? this.#placeRequest(call, step, description)
        : this.#placeResponse(call, step, description);
    if (step.method === 'BYE' && step.kind === 'response' && step.status !== null && step.status >= 200) {
      this.#calls.delete(step.callId);
      if (call === this.#front) this.#front = null;
    }
    return placement;
  }

  #placeRequest(call: CallState, step: ExchangeStep, description: SessionDescription | null): Placement {
    switch (step.method) {
      case 'INVITE':
      case 'UPDATE': {
        // RFC 3261 §13.2.1: "The initial offer MUST be in either an INVITE or, if not there, in
        // the first reliable non-failure message from the UAS back to the UAC."
        // RFC 3311 §5.1: an UPDATE carrying SDP is an offer, answered in its 2xx.
        const lateOffer = description === null && step.method === 'INVITE';
        const offer = description ? summarizeOffer(description) : null;
        this.#remember(call, step.cseq, step.method, lateOffer, offer, step.side);
        return description ? offerPlacement() : UNPLACED;
      }
      case 'ACK': {
        // RFC 3261 §13.2.1: "If the initial offer is in the first reliable non-failure message from
        // the UAS back to the UAC, the answer MUST be in the acknowledgement for that message".
        if (!description) return UNPLACED;
        const invite = findTransaction(call, step.cseq, 'INVITE');
        return invite?.offer && invite.offerInResponse ? answerTo(invite) : UNPLACED;
      }
      case 'PRACK': {
        if (!description) return UNPLACED;
        // RFC 3262 §5: "If the UAC receives a reliable provisional response with an offer (this
        // would occur if the UAC sent an INVITE without an offer, in which case the first reliable
        // provisional response will contain the offer), it MUST generate an answer in the PRACK."
        const invite = step.rackCseq === null ? undefined : findTransaction(call, step.rackCseq, 'INVITE');
        if (invite?.offer && invite.offerInResponse && invite.lateOffer) {
          invite.lateOffer = false; // answered: later SDP in this transaction is not a repeat of it
          return answerTo(invite);
        }
        // RFC 3262 §5: otherwise a PRACK with SDP carries a new offer, answered in the 200 to PRACK.
        this.#remember(call, step.cseq, step.method, false, summarizeOffer(description), step.side);
        return offerPlacement();
      }
      default:
        // MESSAGE, INFO, NOTIFY... with SDP are outside any offer/answer exchange.
        return UNPLACED;
    }
  }

  #placeResponse(call: CallState, step: ExchangeStep, description: SessionDescription | null): Placement {
    if (!description || step.status === null) return UNPLACED;
    // Only provisional (101-199) and success responses carry session descriptions (RFC 3261 §13.2.1).
    if (step.status < 101 || step.status >= 300) return UNPLACED;
    const transaction = findTransaction(call, step.cseq, step.method);
    if (!transaction) return UNPLACED;
    if (step.method === 'INVITE' && transaction.lateOffer) {
      // The first response with SDP to an INVITE without SDP is the offer; the 2xx repeats it
      // when it was sent unreliably in a 18x (RFC 3261 §13.2.1).
      if (!transaction.offer) {
        transaction.offer = summarizeOffer(description);
        transaction.offerSide = step.side;
        transaction.offerInResponse = true;
      }
      return offerPlacement();
    }
    return transaction.offer && !transaction.offerInResponse ? answerTo(transaction) : UNPLACED;
  }

  #remember(
    call: CallState,
    cseq: number,
    method: string,
    lateOffer: boolean,
    offer: OfferSummary | null,
    side: Side,
  ): void {
    const transactions = call.transactions;
    const newest = transactions[transactions.length - 1];
    if (newest !== undefined && newest.cseq === cseq && newest.method === method) {
      // A retransmission of the newest transaction starts it over in place: the kept object is
      // usually old-generation by now, and a fresh one would be one more for the GC to promote.
      newest.lateOffer = lateOffer;
      newest.offer = offer;
      newest.offerSide = offer ? side : null;
      newest.offerInResponse = false;
      return;
    }
    const state = newTransaction(cseq, OPENING_METHODS.get(method) ?? method, lateOffer, offer, side);
    if (transactions.length === 0) {
      call.transactions = [state];
      return;
    }
    const existing = transactions.findIndex((t) => t.cseq === cseq && t.method === method);
    if (existing >= 0) transactions.splice(existing, 1); // a retransmission replaces its transaction
    transactions.push(state);
    if (transactions.length > MAX_TRANSACTIONS_PER_CALL) transactions.shift();
  }

  /**
   * Finds (or, for a request that opens an exchange, creates) a call. Recency is kept the CLOCK
   * way: a touch only sets a flag, and a flagged call gets a second chance (moves to the back)
   * when it reaches the front. Moving every call on every message (Map delete + set) filled the
   * Map with deleted slots and cost more than the rest of the table's work.
   */
  #touch(callId: string, at: number, create: boolean): CallState | null {
    let call = this.#calls.get(callId);
    if (call) {
      call.touched = true;
    } else if (!create) {
      return null;
    } else {
      while (this.#calls.size >= this.#options.maxCalls) this.#evictOne();
      // A new key is kept for the call's lifetime: copy it out of the message text it was cut from.
      const owned = ownCopy(callId);
      call = { lastSeen: at, touched: false, callId: owned, transactions: NO_TRANSACTIONS };
      this.#calls.set(owned, call);
    }
    call.lastSeen = Math.max(call.lastSeen, at);
    return call;
  }

  /** Evicts the least recently seen call, giving touched calls at the front a second chance. */
  #evictOne(): void {
    for (let call = this.#oldest(); call !== null; call = this.#oldest()) {
      this.#dropFront(call);
      if (call.touched) {
        call.touched = false;
        this.#calls.set(call.callId, call);
        continue;
      }
      this.#evictedForSize++;
      return;
    }
  }

  /**
   * Drops calls quiet for longer than the TTL, from the front. A call at the front that was seen
   * recently moves to the back; a few steps per message keep this O(1), and the size cap bounds
   * what a quiet call behind a busy one can hold meanwhile.
   */
  #expire(now: number): void {
    // `now` counts from the epoch, as CallState.lastSeen does.
    for (let steps = 0; steps < MAX_EXPIRY_STEPS; steps++) {
      const call = this.#oldest();
      if (call === null) return;
      if (now - call.lastSeen > this.#options.ttlMs) {
        this.#dropFront(call);
        this.#expired++;
      } else if (call.touched) {
        call.touched = false;
        this.#dropFront(call);
        this.#calls.set(call.callId, call);
      } else {
        return; // the rest were created (or moved back) later
      }
    }
  }

  /** The call first in the Map's order (the least recently created or moved back), or null when none. */
  #oldest(): CallState | null {
    if (this.#front !== null) return this.#front;
    let next = this.#order?.next();
    if (next === undefined || next.done === true) {
      // Once done a Map iterator stays done, even when calls are added later: start another.
      this.#order = this.#calls.values();
      next = this.#order.next();
    }
    this.#front = next.done === true ? null : next.value;
    return this.#front;
  }

  /** Deletes the front call from the Map (the caller may add it back, at the end). */
  #dropFront(call: CallState): void {
    this.#calls.delete(call.callId);
    this.#front = null;
  }
}
