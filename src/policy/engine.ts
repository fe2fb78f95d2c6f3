/**
 * The judge: runs every check over one SIP message and the SDP bodies it carries, with the
 * offer/answer placement from the dialog table, and turns observations into findings.
 * Every source (proxy, pcap, HEP, trace file) feeds messages here in the order it saw them.
 */
import {
  DEFAULT_TABLE_OPTIONS,
  OfferAnswerTable,
  type OfferAnswerTableOptions,
  type Placement,
} from '../dialog/offer-answer-table.js';
import { ownCopy } from '../dialog/own-copy.js';
import { NOT_INSPECTED, type ParseOptions, parseSdp } from '../sdp/parse.js';
import { redactIfKeyed } from '../sdp/redact.js';
import type { SessionDescription } from '../sdp/types.js';
import { type Endpoint, type Envelope, formatEndpoint } from '../sip/envelope.js';
import type { SipMessage } from '../sip/message.js';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits, type OverLimit } from '../sip/message-limits.js';
import { sdpBodies } from '../sip/multipart.js';
import type { Check, CheckContext, SdpRole, SdpUnderJudgement } from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { FINDING_CODES } from './codes.js';
import type { Finding, Observation, Side } from './finding.js';
import type { JudgeConfig } from './profile.js';
import { sideOf } from './side.js';

export interface JudgedSdp {
  readonly role: SdpRole;
  readonly partPath: string;
  readonly description: SessionDescription;
}

export interface JudgedMessage {
  readonly messageIndex: number;
  readonly envelope: Envelope;
  /** The message, or null when it could not be read at all. */
  readonly message: SipMessage | null;
  readonly side: Side;
  readonly sdps: readonly JudgedSdp[];
  readonly findings: readonly Finding[];
}

export interface JudgeOptions {
  readonly dialogs: Partial<OfferAnswerTableOptions>;
  /** Most SDES key digests remembered across calls for crypto-key-reuse. */
  readonly maxRecentKeys: number;
  readonly checks: readonly Check[];
  /**
   * Read every SDP a second time with sdp-transform and report where the two readings of a judged
   * field differ (as malformed-sdp): the disagreement is where an attacker hides media. It doubles
   * the SDP cost, so offline modes (check) turn it on and the forwarding path leaves it off.
   */
  readonly crossCheckSdp: boolean;
  /**
   * The body limits (multipart depth and parts, SDP lines, ICE candidates per m= line) from
   * `proxy.limits.message`; DEFAULT_MESSAGE_LIMITS when absent. The header limits are the reader's.
   */
  readonly limits: MessageLimits;
  /**
   * Told of every body limit passed (multipart nesting or parts, SDP lines, ICE candidates): the
   * body was not modelled and gave one malformed-sdp finding; a source counts the hit (LimitHits).
   */
  readonly onLimitHit: (hit: OverLimit, envelope: Envelope) => void;
}

const DEFAULT_MAX_RECENT_KEYS = 20_000;

/** The check that reports an SDP's own syntax problems (duplicate c=, malformed lines). */
const SYNTAX_CHECK = 'sdp-problems';

/** Checks whose verdict depends only on the transport of the leg a message travels. */
const EGRESS_CHECKS = new Set(['udp-size', 'sdes-transport']);

const UNPLACED: Placement = { role: 'unknown', offer: null, offerSide: null };

/**
 * Runs checks and appends what they observe (a loop, not spreads: this is the hot path). A check
 * that throws is a bug some input reached: it becomes one finding saying which check could not
 * judge the message, the other checks still run, and the message is still reported (the proxy
 * still forwards it, `check` keeps its report), as the SIP grammar checks do (message-checks.ts).
 */
function runChecks(checks: readonly Check[], context: CheckContext, into: Observation[]): void {
  for (const check of checks) {
    let found: readonly Observation[];
    try {
      found = check.run(context);
    } catch (error) {
      into.push({
        code: 'malformed-message',
        message: `internal error in the '${check.name}' check, which could not judge this message: ${String(error).slice(0, 120)}`,
        mediaIndex: null,
        evidence: null,
      });
      continue;
    }
    for (let i = 0; i < found.length; i++) into.push(found[i]!);
  }
}

/**
 * The message context with an SDP under judgement. Spelled out rather than `{ ...base, sdp }`: the
 * spread copies through a generic path that cost a visible share of the per-SDP time.
 */
function withSdp(base: CheckContext, sdp: SdpUnderJudgement): CheckContext {
  return {
    message: base.message,
    envelope: base.envelope,
    side: base.side,
    sdp,
    config: base.config,
    recentKeys: base.recentKeys,
  };
}

export class Judge {
  readonly config: JudgeConfig;
  readonly dialogs: OfferAnswerTable;
  readonly #recentKeys = new Map<string, string>();
  #keyOrder: MapIterator<string> | null = null;
  readonly #maxRecentKeys: number;
  readonly #messageChecks: readonly Check[];
  readonly #sdpChecks: readonly Check[];
  /** What judges a capability SDP (a 200 to OPTIONS): its syntax only. */
  readonly #syntaxChecks: readonly Check[];
  /** What depends on the leg's transport, judged again when the proxy forwards on another one. */
  readonly #egressMessageChecks: readonly Check[];
  readonly #egressSdpChecks: readonly Check[];
  readonly #parseOptions: ParseOptions;
  readonly #limits: MessageLimits;
  readonly #onLimitHit: ((hit: OverLimit, envelope: Envelope) => void) | undefined;
  #lastTime = 0;
  /** The last envelope time string read, and what #lastTime it gave. */
  #lastTimeText = '';
  /** The last source host sideOf was asked about, and its side (#sideOf). */
  #lastSideHost: string | null = null;
  #lastSide: Side = 'customer';
  readonly #src = new LastEndpoint();
  readonly #dst = new LastEndpoint();

  constructor(config: JudgeConfig, options: Partial<JudgeOptions> = {}) {
    this.config = config;
    this.dialogs = new OfferAnswerTable({ ...DEFAULT_TABLE_OPTIONS, ...options.dialogs });
    this.#maxRecentKeys = options.maxRecentKeys ?? DEFAULT_MAX_RECENT_KEYS;
    const checks = options.checks ?? ALL_CHECKS;
    this.#messageChecks = checks.filter((check) => check.scope === 'message');
    this.#sdpChecks = checks.filter((check) => check.scope === 'sdp');
    this.#syntaxChecks = this.#sdpChecks.filter((check) => check.name === SYNTAX_CHECK);
    this.#egressMessageChecks = this.#messageChecks.filter((check) => EGRESS_CHECKS.has(check.name));
    this.#egressSdpChecks = this.#sdpChecks.filter((check) => EGRESS_CHECKS.has(check.name));
    this.#limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.#onLimitHit = options.onLimitHit;
    this.#parseOptions = { crossCheckWithSdpTransform: options.crossCheckSdp ?? false, limits: this.#limits };
  }

  /**
   * Judges a message the reader could read. `side` is who sent it when the source knows it (the
   * proxy knows which next hop a message came from); otherwise it is read from the source address.
   */
  judgeMessage(
    message: SipMessage,
    envelope: Envelope,
    messageIndex: number,
    knownSide?: Side,
  ): JudgedMessage {
    const side = knownSide ?? this.#sideOf(envelope.src);
    const base: CheckContext = {
      message,
      envelope,
      side,
      sdp: null,
      config: this.config,
      recentKeys: this.#recentKeys,
    };
    const observations: Observation[] = [];
    runChecks(this.#messageChecks, base, observations);

    const { bodies, problems, overLimit } = sdpBodies(message, this.#limits);
    if (overLimit !== undefined) {
      this.#onLimitHit?.(overLimit, envelope);
      observations.push(notModelled(overLimit.reason));
    }
    for (const problem of problems) {
      observations.push({
        code: problem.code,
        message: problem.reason,
        mediaIndex: null,
        evidence: problem.evidence,
      });
    }
    const sdps: JudgedSdp[] = [];
    for (let part = 0; part < bodies.length; part++) {
      const body = bodies[part]!;
      const description = parseSdp(body.text, this.#parseOptions);
      if (description.overLimit !== undefined) {
        // Past a limit the SDP is not modelled: its one problem says so; nothing else is judged,
        // and the message does not take part in offer/answer pairing (an empty offer would make
        // every answer to it look wrong).
        this.#onLimitHit?.(description.overLimit, envelope);
        observations.push(notModelled(description.overLimit.reason, body.partPath));
        continue;
      }
      // Offer/answer pairing follows the first SDP of the message (RFC 5621 §3.1: one session
      // description per message takes part; other parts, e.g. SIPREC metadata, are judged alone).
      const placement = part === 0 ? this.#place(message, side, envelope, description) : UNPLACED;
      sdps.push({ role: placement.role, partPath: body.partPath, description });
      const sdp = { description, role: placement.role, offer: placement.offer, partPath: body.partPath };
      // RFC 3261 §11.2: an OPTIONS answer lists capabilities, not a session: only its syntax is judged.
      const checks = placement.role === 'capability' ? this.#syntaxChecks : this.#sdpChecks;
      runChecks(checks, withSdp(base, sdp), observations);
      this.#rememberKeys(description, message.callId);
    }
    // A message without SDP still moves the exchange on (an INVITE without SDP announces a late offer);
    // one whose body was not modelled does not: its SDP is there, only unread.
    if (bodies.length === 0 && overLimit === undefined) this.#place(message, side, envelope, null);

    const findings: Finding[] = new Array(observations.length);
    for (let i = 0; i < observations.length; i++) {
      findings[i] = this.#finding(observations[i]!, message, envelope, side, messageIndex);
    }
    return { messageIndex, envelope, message, side, sdps, findings };
  }

  /** Judges bytes the reader rejected: one malformed-message finding with the reader's reason. */
  judgeUnreadable(reason: string, envelope: Envelope, messageIndex: number, knownSide?: Side): JudgedMessage {
    const side = knownSide ?? this.#sideOf(envelope.src);
    const observation: Observation = {
      code: 'malformed-message',
      message: reason,
      mediaIndex: null,
      evidence: null,
    };
    return {
      messageIndex,
      envelope,
      message: null,
      side,
      sdps: [],
      findings: [this.#finding(observation, null, envelope, side, messageIndex)],
    };
  }

  /**
   * The proxy forwards a judged message on another leg (`egress`, e.g. in over TLS, out over UDP).
   * What depends on the transport is judged again for that leg: the size over UDP (RFC 3261
   * §18.1.1) and SDES keys in clear (RFC 4568 §8.3), which the proxy itself would then expose.
   * Nothing when the leg's transport is the one the message arrived on (already judged).
   */
  judgeEgress(judged: JudgedMessage, egress: Envelope): Finding[] {
    const message = judged.message;
    if (message === null || egress.transport === judged.envelope.transport) return [];
    const base: CheckContext = {
      message,
      envelope: egress,
      side: judged.side,
      sdp: null,
      config: this.config,
      recentKeys: this.#recentKeys,
    };
    const observations: Observation[] = [];
    runChecks(this.#egressMessageChecks, base, observations);
    for (const judgedSdp of judged.sdps) {
      if (judgedSdp.role === 'capability') continue;
      const sdp = {
        description: judgedSdp.description,
        role: judgedSdp.role,
        offer: null,
        partPath: judgedSdp.partPath,
      };
      runChecks(this.#egressSdpChecks, withSdp(base, sdp), observations);
    }
    return observations.map((observation) =>
      this.#finding(observation, message, egress, judged.side, judged.messageIndex),
    );
  }

  #place(
    message: SipMessage,
    side: Side,
    envelope: Envelope,
    description: SessionDescription | null,
  ): Placement {
    const cseq = message.cseq;
    if (!message.callId || !cseq) return UNPLACED;
    return this.dialogs.place(
      {
        callId: message.callId,
        kind: message.kind,
        method: message.kind === 'request' ? (message.method ?? cseq.method) : cseq.method,
        cseq: cseq.number,
        status: message.status,
        rackCseq: rackCseqOf(message),
        side,
        at: this.#timeOf(envelope),
      },
      description,
    );
  }

  /**
   * sideOf, remembering the last source host: a stream of messages mostly comes from a few peers, and
   * the side depends on the host alone (the config is fixed), so the address is parsed once per run.
   */
  #sideOf(source: Endpoint): Side {
    if (source.host !== this.#lastSideHost) {
      this.#lastSideHost = source.host;
      this.#lastSide = sideOf(source, this.config);
    }
    return this.#lastSide;
  }

  /** Envelope time in ms; traces without usable times keep their order. */
  #timeOf(envelope: Envelope): number {
    // Messages of one burst often share a time string: Date.parse it once.
    if (envelope.time === this.#lastTimeText) return this.#lastTime;
    this.#lastTimeText = envelope.time;
    const parsed = Date.parse(envelope.time);
    if (Number.isFinite(parsed)) this.#lastTime = parsed;
    return this.#lastTime;
  }

  #rememberKeys(description: SessionDescription, messageCallId: string | null): void {
    if (!messageCallId) return;
    let callId: string | null = null;
    for (const media of description.media) {
      for (const crypto of media.crypto) {
        for (const key of crypto.keyParams) {
          if (!key.keyDigest) continue;
          const seenIn = this.#recentKeys.get(key.keyDigest);
          if (seenIn === messageCallId) continue; // a repeat within the call (18x then 2xx, retransmission)
          if (seenIn !== undefined) this.#recentKeys.delete(key.keyDigest); // now newest, under this call
          // Kept a while: not a slice of the message text. The dialog table usually holds a copy already.
          callId ??= this.dialogs.ownedCallId(messageCallId) ?? ownCopy(messageCallId);
          this.#recentKeys.set(key.keyDigest, callId);
        }
      }
    }
    while (this.#recentKeys.size > this.#maxRecentKeys) {
      const oldest = this.#oldestKey();
      if (oldest === undefined) break;
      this.#recentKeys.delete(oldest);
    }
  }

  /**
   * The key first in #recentKeys' order, from one iterator kept across messages: a fresh `keys()`
   * per eviction walked every slot deleted since V8 last rehashed the Map (~10 µs per message once
   * it is full). Every key before the kept iterator's position has been deleted (evicted, or moved
   * to the end), so its next key is the one a fresh iterator would give first.
   */
  #oldestKey(): string | undefined {
    let next = this.#keyOrder?.next();
    if (next === undefined || next.done === true) {
      // Once done a Map iterator stays done, even when keys are added later: start another.
      this.#keyOrder = this.#recentKeys.keys();
      next = this.#keyOrder.next();
    }
    return next.done === true ? undefined : next.value;
  }

  /**
   * A finding the source raised itself on a judged message (the proxy's request-flood): built as
   * every other finding is, with the policy's severity override, the message's fields and envelope.
   */
  findingOn(judged: JudgedMessage, observation: Observation): Finding {
    return this.#finding(observation, judged.message, judged.envelope, judged.side, judged.messageIndex);
  }

  #finding(
    observation: Observation,
    message: SipMessage | null,
    envelope: Envelope,
    side: Side,
    messageIndex: number,
  ): Finding {
    const severity =
      this.config.policy.severity[observation.code] ?? FINDING_CODES[observation.code].severity;
    return {
      code: observation.code,
      severity,
      side,
      // Defence in depth: checks already redact, but nothing with a key may leave the judge.
      message: redactIfKeyed(observation.message),
      callId: message?.callId ?? null,
      cseq: message?.cseq ? `${message.cseq.number} ${message.cseq.method}` : null,
      method: message?.kind === 'request' ? message.method : null,
      status: message?.kind === 'response' ? message.status : null,
      mediaIndex: observation.mediaIndex,
      evidence: observation.evidence === null ? null : redactIfKeyed(observation.evidence),
      messageIndex,
      src: this.#src.format(envelope.src),
      dst: this.#dst.format(envelope.dst),
      transport: envelope.transport,
      time: envelope.time,
    };
  }
}

/**
 * formatEndpoint with a memory of the last endpoint formatted: a stream of messages mostly comes
 * from and goes to the same few peers, and findings carry both ends as text. Compared by value, so
 * it holds no reference to any envelope.
 */
class LastEndpoint {
  #host = '';
  #port = -1;
  #text = '';

  format(endpoint: Endpoint): string {
    if (endpoint.host !== this.#host || endpoint.port !== this.#port) {
      this.#host = endpoint.host;
      this.#port = endpoint.port;
      this.#text = formatEndpoint(endpoint);
    }
    return this.#text;
  }
}

/** The one finding on a body past a message limit, worded as parseSdp's problem is. */
function notModelled(reason: string, partPath = ''): Observation {
  const where = partPath === '' ? '' : ` (part ${partPath})`;
  return {
    code: 'malformed-sdp',
    message: `${NOT_INSPECTED}${reason}${where}`,
    mediaIndex: null,
    evidence: null,
  };
}

/** RAck: `<response-num> <CSeq-num> <method>` (RFC 3262 §7.2): the CSeq number of the INVITE. */
function rackCseqOf(message: SipMessage): number | null {
  if (message.method !== 'PRACK') return null;
  const rack = message.header('rack');
  const parts = rack?.trim().split(/\s+/);
  const cseq = parts?.[1];
  return cseq !== undefined && /^\d+$/.test(cseq) ? Number(cseq) : null;
}
