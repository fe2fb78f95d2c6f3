/**
 * Per-call summaries built from judged messages: what each side negotiated, how many
 * findings, the worst severity and a verdict, with the call's ladder. `check` prints them.
 */
import type { SdpRole } from '../policy/check.js';
import { type Severity, severityRank } from '../policy/codes.js';
import type { JudgedMessage } from '../policy/engine.js';
import type { Finding, Side } from '../policy/finding.js';
import type { SessionDescription } from '../sdp/types.js';
import { type Endpoint, formatEndpoint } from '../sip/envelope.js';
import { endOf } from './call-end.js';
import { KeyedQueue } from './keyed-queue.js';

export interface NegotiatedMedia {
  readonly side: Side;
  readonly role: SdpRole;
  readonly mediaIndex: number;
  readonly type: string;
  readonly address: string | null;
  readonly port: number;
  readonly rtcpPort: number;
  readonly proto: string;
  /** Crypto suites offered (or the one chosen, in an answer); never keys. */
  readonly suites: readonly string[];
  readonly direction: string;
}

export interface LadderStep {
  readonly messageIndex: number;
  readonly time: string;
  readonly from: string;
  readonly to: string;
  readonly side: Side;
  /** `INVITE`, `200 INVITE`... */
  readonly label: string;
  readonly sdp: SdpRole | null;
  readonly findings: number;
}

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CallSummary {
  readonly callId: string | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly messages: number;
  readonly findings: number;
  readonly worstSeverity: Severity | null;
  readonly verdict: Verdict;
  /** The latest SDP each side sent, per m= line. */
  readonly media: readonly NegotiatedMedia[];
  readonly ladder: readonly LadderStep[];
  /** Messages of the call past the ledger's per-call cap, counted but not in the ladder. */
  readonly unlistedMessages?: number;
}

interface CallEntry {
  readonly callId: string | null;
  /** The message index of the call's first message: calls still open at the end are written in this order. */
  readonly firstIndex: number;
  firstSeen: string;
  lastSeen: string;
  /** Capture time (ms) of the last message, for the idle rule. */
  lastAt: number;
  findings: number;
  worst: Severity | null;
  readonly latestMedia: Map<Side, readonly NegotiatedMedia[]>;
  readonly ladder: LadderStep[];
  /** The call's findings, for the report to show under their messages. */
  readonly findingList: Finding[];
  /** Messages past the per-call cap: counted, not listed. */
  unlisted: number;
  /** A 2xx to an INVITE was seen: a later failure is a failed re-INVITE, the call goes on. */
  established: boolean;
  /** An INVITE was seen: a final response to another method does not end the call. */
  sawInvite: boolean;
  /** Capture time (ms) the call ended (BYE answered, INVITE failed, lone transaction answered); null: open. */
  endedAt: number | null;
}

/** A call the ledger is done with: its summary and its findings, in message order. */
export interface ClosedCall {
  readonly summary: CallSummary;
  readonly findings: readonly Finding[];
}

export interface CallLedgerOptions {
  /** Calls open (or ending) at once; past it the least recently active is written out early. */
  readonly maxOpen: number;
  /** A call with no message for this long (capture time) is done. */
  readonly idleMs: number;
  /**
   * How long (capture time) an ended call still takes late messages: retransmissions, the ACK of
   * a failed INVITE, the 200 to a retransmitted BYE. 32 s is RFC 3261's Timer B/F (64*T1).
   */
  readonly lingerMs: number;
  /** Messages listed per call; past it they are counted ("N more messages"), so one Call-ID cannot fill memory. */
  readonly maxLadder: number;
  /** Keep each call's findings (of its listed messages) for a report that shows them under their call. */
  readonly keepFindings: boolean;
  readonly failOn: Severity;
}

export const DEFAULT_LEDGER_OPTIONS: Omit<CallLedgerOptions, 'failOn' | 'keepFindings'> = {
  maxOpen: 10_000,
  idleMs: 2 * 60 * 60 * 1000,
  lingerMs: 32_000,
  maxLadder: 2000,
};

/** The verdict for a worst severity against the `--fail-on` threshold. */
export function verdictFor(worst: Severity | null, failOn: Severity): Verdict {
  if (worst === null) return 'ok';
  if (severityRank(worst) >= severityRank(failOn)) return 'fail';
  return severityRank(worst) >= severityRank('low') ? 'warn' : 'ok';
}

export function negotiatedMedia(
  description: SessionDescription,
  side: Side,
  role: SdpRole,
): NegotiatedMedia[] {
  return description.media.map((media) => ({
    side,
    role,
    mediaIndex: media.index,
    type: media.type,
    address: media.connection?.address ?? null,
    port: media.port,
    rtcpPort: media.rtcp.port,
    proto: media.proto,
    suites: media.crypto.map((crypto) => crypto.suite),
    direction: media.direction,
  }));
}

/**
 * Per-call summaries for `trunkguard check`, streamed: a call is handed to `onClosed` once it is
 * over (its BYE answered, its INVITE failed, a lone OPTIONS/REGISTER answered, each after a linger
 * for late messages; or idle; or pushed out past `maxOpen`), so memory holds the open calls only,
 * however long the capture. Time is the messages' own (capture time), never the wall clock.
 * `closeAll()` at the end of input writes the calls still open, in the order they started.
 */
export class CallLedger {
  /** Open calls, least recently active first. */
  readonly #open = new KeyedQueue<string | null, CallEntry>();
  /** Ended calls lingering for late messages, in the order they ended. */
  readonly #ending = new KeyedQueue<string | null, CallEntry>();
  #calls = 0;
  /** The last envelope time read and its value: messages of one packet burst share their time text. */
  #lastTime = '';
  #lastParsed = Number.NaN;
  /** Ladder texts made once per distinct endpoint and response label, not per message (CPU and garbage). */
  readonly #endpointTexts = new EndpointTexts();
  readonly #labels = new ResponseLabels();

  constructor(
    private readonly options: CallLedgerOptions,
    private readonly onClosed: (call: ClosedCall) => void,
  ) {}

  /** Calls handed out so far. */
  get closedCount(): number {
    return this.#calls;
  }

  record(judged: JudgedMessage): void {
    const callId = judged.message?.callId ?? null;
    const parsed = this.#timeOf(judged.envelope.time);
    let entry = this.#ending.get(callId) ?? this.#open.get(callId);
    const now = Number.isNaN(parsed) ? (entry?.lastAt ?? 0) : parsed;
    if (!entry) {
      entry = {
        callId,
        firstIndex: judged.messageIndex,
        firstSeen: judged.envelope.time,
        lastSeen: judged.envelope.time,
        lastAt: now,
        findings: 0,
        worst: null,
        latestMedia: new Map(),
        ladder: [],
        findingList: [],
        unlisted: 0,
        established: false,
        sawInvite: false,
        endedAt: null,
      };
    }
    if (judged.message?.kind === 'request' && judged.message.method === 'INVITE') {
      entry.sawInvite = true;
      // RFC 3261 §8.1.3.5, §22.2: an INVITE retried after a 401/407 (or 3xx, 422, 491) keeps the
      // Call-ID with a higher CSeq: the call lingering after the failure goes on.
      if (entry.endedAt !== null) {
        entry.endedAt = null;
        this.#ending.delete(callId);
      }
    }
    if (entry.endedAt === null) {
      // Queue order is recency order: to the back on every message.
      this.#open.pushBack(callId, entry);
    }
    entry.lastSeen = judged.envelope.time;
    entry.lastAt = Math.max(entry.lastAt, now);
    entry.findings += judged.findings.length;
    const listed = entry.ladder.length < this.options.maxLadder;
    for (const finding of judged.findings) {
      // Only the findings of listed messages are shown under them: the rest are counted.
      if (listed && this.options.keepFindings) entry.findingList.push(finding);
      if (entry.worst === null || severityRank(finding.severity) > severityRank(entry.worst))
        entry.worst = finding.severity;
    }
    const session = judged.sdps.find((sdp) => sdp.role !== 'capability');
    if (session)
      entry.latestMedia.set(judged.side, negotiatedMedia(session.description, judged.side, session.role));
    if (listed) {
      entry.ladder.push({
        messageIndex: judged.messageIndex,
        time: judged.envelope.time,
        from: this.#endpointTexts.format(judged.envelope.src),
        to: this.#endpointTexts.format(judged.envelope.dst),
        side: judged.side,
        label: labelOf(judged, this.#labels),
        sdp: judged.sdps[0]?.role ?? null,
        findings: judged.findings.length,
      });
    } else {
      entry.unlisted++;
    }
    if (entry.endedAt === null && endsCall(judged, entry)) {
      entry.endedAt = entry.lastAt;
      this.#open.delete(callId);
      this.#ending.pushBack(callId, entry);
    }
    this.#closeDue(entry.lastAt);
  }

  /** The end of input: every call still open or lingering, in the order they started. */
  closeAll(): void {
    const rest = [...this.#ending.values(), ...this.#open.values()].sort(
      (a, b) => a.firstIndex - b.firstIndex,
    );
    this.#ending.clear();
    this.#open.clear();
    for (const entry of rest) this.#close(entry);
  }

  /** Milliseconds of an envelope's ISO time (NaN if unreadable), parsed once per distinct time. */
  #timeOf(time: string): number {
    if (time !== this.#lastTime) {
      this.#lastTime = time;
      this.#lastParsed = Date.parse(time);
    }
    return this.#lastParsed;
  }

  /** Closes, from the front of each queue, the calls done by `now`; then the oldest past `maxOpen`. */
  #closeDue(now: number): void {
    const { lingerMs, idleMs, maxOpen } = this.options;
    for (let entry = this.#ending.first(); entry !== undefined; entry = this.#ending.first()) {
      if ((entry.endedAt ?? 0) + lingerMs > now) break;
      this.#ending.delete(entry.callId);
      this.#close(entry);
    }
    for (let entry = this.#open.first(); entry !== undefined; entry = this.#open.first()) {
      if (entry.lastAt + idleMs > now) break;
      this.#open.delete(entry.callId);
      this.#close(entry);
    }
    while (this.#open.size + this.#ending.size > maxOpen) {
      const from = this.#ending.size > 0 ? this.#ending : this.#open;
      const oldest = from.first();
      if (oldest === undefined) return;
      from.delete(oldest.callId);
      this.#close(oldest);
    }
  }

  #close(entry: CallEntry): void {
    this.#calls++;
    const summary: { -readonly [K in keyof CallSummary]: CallSummary[K] } = {
      callId: entry.callId,
      firstSeen: entry.firstSeen,
      lastSeen: entry.lastSeen,
      messages: entry.ladder.length + entry.unlisted,
      findings: entry.findings,
      worstSeverity: entry.worst,
      verdict: verdictFor(entry.worst, this.options.failOn),
      media: mediaOf(entry.latestMedia),
      ladder: entry.ladder,
    };
    // Added last, so it keeps its place at the end of the summary's keys (and of its JSON).
    if (entry.unlisted > 0) summary.unlistedMessages = entry.unlisted;
    this.onClosed({ summary, findings: entry.findingList });
  }
}

/**
 * Whether this message ends its call: as for the live calls (call-end.ts endOf: the BYE
 * answered, the initial INVITE failed), and a final response to any other method in a call that
 * has no INVITE ends that lone transaction (OPTIONS pings, REGISTER, scans).
 */
function endsCall(judged: JudgedMessage, entry: CallEntry): boolean {
  const message = judged.message;
  if (message?.kind !== 'response' || message.status === null) return false;
  const ended = endOf(judged, entry.established) !== null;
  if (message.cseq?.method === 'INVITE' && message.status >= 200 && message.status < 300)
    entry.established = true;
  if (ended) return true;
  return message.status >= 200 && message.cseq?.method !== 'INVITE' && !entry.established && !entry.sawInvite;
}

/** Carrier media, then customer media: one side's list as it is when the other sent none (no copy per call). */
function mediaOf(latest: ReadonlyMap<Side, readonly NegotiatedMedia[]>): readonly NegotiatedMedia[] {
  const carrier = latest.get('carrier');
  const customer = latest.get('customer');
  if (carrier === undefined) return customer ?? [];
  if (customer === undefined) return carrier;
  return [...carrier, ...customer];
}

function labelOf(judged: JudgedMessage, labels: ResponseLabels): string {
  const message = judged.message;
  if (!message) return '(unreadable)';
  if (message.kind === 'request') return message.method ?? '?';
  return labels.of(message.status, message.cseq?.method ?? '');
}

/** Entries a memo holds before it starts over: a capture has a handful of peers and labels, garbage input many. */
const MEMO_ENTRIES = 1024;

/**
 * A value made from two keys, remembered: each ladder step names both ends and a label, and a
 * capture has few distinct ones. Bounded: past MEMO_ENTRIES it forgets everything and starts over.
 */
class TwoKeyMemo<A, B, V> {
  readonly #byFirst = new Map<A, Map<B, V>>();
  #entries = 0;

  constructor(private readonly make: (first: A, second: B) => V) {}

  get(first: A, second: B): V {
    let bySecond = this.#byFirst.get(first);
    let value = bySecond?.get(second);
    if (value !== undefined) return value;
    value = this.make(first, second);
    if (this.#entries >= MEMO_ENTRIES) {
      this.#byFirst.clear();
      this.#entries = 0;
      bySecond = undefined;
    }
    if (bySecond === undefined) {
      bySecond = new Map();
      this.#byFirst.set(first, bySecond);
    }
    bySecond.set(second, value);
    this.#entries++;
    return value;
  }
}

/** formatEndpoint, remembered per host and port. */
export class EndpointTexts {
  readonly #memo = new TwoKeyMemo((host: string, port: number) => formatEndpoint({ host, port }));

  format(endpoint: Endpoint): string {
    return this.#memo.get(endpoint.host, endpoint.port);
  }
}

/** A response's ladder label (`200 INVITE`), remembered per CSeq method and status. */
export class ResponseLabels {
  readonly #memo = new TwoKeyMemo((method: string, status: number | null) => `${status} ${method}`.trim());

  of(status: number | null, method: string): string {
    return this.#memo.get(method, status);
  }
}
