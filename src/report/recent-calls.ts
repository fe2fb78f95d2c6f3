/**
 * The recent-calls store behind `/api/calls`, `/api/findings` and the dashboard: the most recent
 * calls the proxy saw, each with its media, its findings and a ladder of its messages, plus the
 * latest findings of every message (calls or not) in one list.
 *
 * Bounded (DESIGN.md principle 7): at most `maxCalls` calls and about `maxBytes` bytes. Sizes are
 * estimated from the strings and findings kept; when over either cap the least recently active call
 * goes first. One call's ladder keeps its first `maxLadder` messages (and stops earlier if that call
 * alone would take a quarter of the calls' share), counting the rest in `ladderOmitted`. A quarter
 * of `maxBytes` goes to the findings list, which also keeps at most `maxFindings`.
 *
 * Nothing kept holds key material: findings are redacted by the judge, NegotiatedMedia carries
 * suite names only, and every kept string is passed through redactIfKeyed once more. Every kept
 * string is also copied (ownCopy), so no call pins the text of the message it was cut from.
 */
import type { SdpRole } from '../policy/check.js';
import { type FindingCode, type Severity, severityRank } from '../policy/codes.js';
import type { JudgedMessage, JudgedSdp } from '../policy/engine.js';
import type { Finding, Side } from '../policy/finding.js';
import type { ProxyObserver } from '../proxy/observer.js';
import type { RecentCallsSettings } from '../proxy/settings.js';
import { redactIfKeyed } from '../sdp/redact.js';
import { formatEndpoint, type Transport } from '../sip/envelope.js';
import { isoTime } from '../sip/iso-time.js';
import { type NegotiatedMedia, negotiatedMedia, type Verdict, verdictFor } from './call-ledger.js';
import { KeyedQueue } from './keyed-queue.js';
import type { CallEnd, CallSummaryLine } from './live-calls.js';

export type CallState = 'active' | 'ended';

/** One message of a call, as the ladder diagram draws it. */
export interface LadderEntry {
  /** The judge's 0-based index of the message among everything the proxy saw (Finding.messageIndex). */
  readonly index: number;
  readonly time: string;
  /** Who sent it. */
  readonly side: Side;
  /** `ip:port` it came from and went to (as received). */
  readonly from: string;
  readonly to: string;
  readonly transport: Transport;
  /** `INVITE`, `200 INVITE`, `(unreadable)`. */
  readonly label: string;
  /** Whether the proxy sent it on (false: dropped, or answered by the proxy itself). */
  readonly forwarded: boolean;
  /** The message's (first) SDP, or null. */
  readonly sdp: {
    readonly role: SdpRole;
    readonly media: readonly NegotiatedMedia[];
    /** m= lines past MAX_MEDIA, not listed. */
    readonly mediaOmitted: number;
  } | null;
  /** Its findings, egress ones included (at most MAX_ENTRY_FINDINGS). */
  readonly findings: readonly Finding[];
  readonly findingsOmitted: number;
}

/** A call as `/api/calls` lists it. */
export interface CallView {
  readonly callId: string;
  readonly state: CallState;
  /** How it ended (the call-summary log line's `ended`), or null while active. */
  readonly ended: CallEnd | null;
  /** The final response that ended it (BYE's, or the INVITE's failure), or null. */
  readonly finalStatus: number | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly messages: number;
  readonly findings: number;
  readonly worstSeverity: Severity | null;
  readonly verdict: Verdict;
  /** Distinct finding codes, sorted. */
  readonly codes: readonly FindingCode[];
  /** The latest offer/answer SDP each side sent, per m= line. */
  readonly media: {
    readonly carrier: readonly NegotiatedMedia[];
    readonly customer: readonly NegotiatedMedia[];
  };
}

/** A call as `/api/calls/:callId` shows it. */
export interface CallDetail extends CallView {
  readonly ladder: readonly LadderEntry[];
  /** Messages of the call not in the ladder (past its cap). */
  readonly ladderOmitted: number;
}

export interface CallFilter {
  readonly state?: CallState;
  readonly verdict?: Verdict;
  readonly limit: number;
}

export interface FindingFilter {
  readonly code?: FindingCode;
  /** At or above this severity. */
  readonly minSeverity?: Severity;
  readonly side?: Side;
  /** Epoch ms: findings whose time is at or after it. */
  readonly since?: number;
  readonly limit: number;
  /** A `next` from a previous page: findings older than the last one returned. */
  readonly before?: number;
}

export interface FindingPage {
  readonly findings: readonly Finding[];
  /** Pass back as `before` for the next (older) page; null when there is none. */
  readonly next: number | null;
}

export interface RecentCallsStats {
  readonly calls: number;
  readonly bytes: number;
  readonly maxCalls: number;
  readonly maxBytes: number;
  /** Calls dropped to stay within the caps since start. */
  readonly evicted: number;
  readonly findings: number;
}

export interface RecentCallsOptions {
  /** The severity at which a call's verdict is `fail` (the proxy's call summaries use `high`). */
  readonly failOn: Severity;
  /** Messages kept per call's ladder. */
  readonly maxLadder: number;
  /** Findings kept in the global list. */
  readonly maxFindings: number;
}

export const DEFAULT_RECENT_CALLS_OPTIONS: RecentCallsOptions = {
  failOn: 'high',
  maxLadder: 200,
  maxFindings: 10_000,
};

/** m= lines listed per SDP; hostile input can carry thousands. */
export const MAX_MEDIA = 32;
/** Findings listed per ladder entry (all still count in the call's totals and the findings list). */
export const MAX_ENTRY_FINDINGS = 100;

interface StoredCall {
  readonly callId: string;
  state: CallState;
  ended: CallEnd | null;
  finalStatus: number | null;
  firstSeen: string;
  lastSeen: string;
  messages: number;
  findings: number;
  worst: Severity | null;
  readonly codes: Set<FindingCode>;
  carrier: readonly NegotiatedMedia[];
  customer: readonly NegotiatedMedia[];
  readonly ladder: LadderEntry[];
  ladderOmitted: number;
  /** Estimated bytes of everything above. */
  bytes: number;
}

interface StoredFinding {
  readonly seq: number;
  readonly finding: Finding;
  readonly bytes: number;
}

export class RecentCalls implements ProxyObserver {
  readonly settings: RecentCallsSettings;
  readonly options: RecentCallsOptions;
  /** In order of first appearance: listing walks it backwards (newest first). */
  readonly #byStart = new Map<string, StoredCall>();
  /** In order of last activity (a call moves to the back on each message): eviction takes the front. */
  readonly #byActivity = new KeyedQueue<string, StoredCall>();
  #callBytes = 0;
  #evicted = 0;
  /** Oldest first; `#findingsHead` is the index of the oldest still kept. */
  #findingList: StoredFinding[] = [];
  #findingsHead = 0;
  #findingBytes = 0;
  #seq = 0;

  constructor(settings: RecentCallsSettings, options: Partial<RecentCallsOptions> = {}) {
    this.settings = settings;
    this.options = { ...DEFAULT_RECENT_CALLS_OPTIONS, ...options };
  }

  /** The calls' share of maxBytes; the findings list has the rest. */
  get #callBudget(): number {
    return this.settings.maxBytes - this.#findingBudget;
  }

  get #findingBudget(): number {
    return Math.floor(this.settings.maxBytes / 4);
  }

  // ---- ProxyObserver ---------------------------------------------------------------------------

  callStarted(callId: string): void {
    const call = this.#byStart.get(callId);
    if (call === undefined) {
      this.#add(callId, isoTime());
      return;
    }
    // The same Call-ID again after its end: an INVITE retried with credentials after a 401/407
    // (RFC 3261 §22.2) is the most common. The history stays; the call is active again.
    call.state = 'active';
    call.ended = null;
    call.finalStatus = null;
    this.#touch(call);
  }

  callEnded(summary: CallSummaryLine): void {
    const call = this.#byStart.get(summary.callId);
    if (call === undefined) return; // evicted from the store meanwhile
    call.state = 'ended';
    call.ended = summary.ended;
    call.finalStatus = summary.finalStatus;
  }

  judged(judged: JudgedMessage, egress: readonly Finding[], forwarded: boolean): void {
    const findings = this.#keepFindings(judged.findings, egress);
    const message = judged.message;
    const callId = message?.callId;
    if (!message || !callId) return;
    let call = this.#byStart.get(callId);
    if (call === undefined) {
      // Without the proxy's callStarted (another source, tests): an INVITE starts a call, as in LiveCalls.
      if (message.kind !== 'request' || message.method !== 'INVITE') return;
      call = this.#add(callId, judged.envelope.time);
    } else {
      this.#touch(call);
    }
    this.#record(call, judged, findings, forwarded);
    this.#evictOverCaps(call);
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** Calls newest first (by first appearance), filtered; `total` counts every match. */
  calls(filter: CallFilter): { calls: CallView[]; total: number } {
    const calls: CallView[] = [];
    let total = 0;
    const all = [...this.#byStart.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const call = all[i]!;
      if (filter.state !== undefined && call.state !== filter.state) continue;
      if (filter.verdict !== undefined && this.#verdict(call) !== filter.verdict) continue;
      total++;
      if (calls.length < filter.limit) calls.push(this.#view(call));
    }
    return { calls, total };
  }

  call(callId: string): CallDetail | null {
    const call = this.#byStart.get(callId);
    if (call === undefined) return null;
    return { ...this.#view(call), ladder: [...call.ladder], ladderOmitted: call.ladderOmitted };
  }

  /** Findings newest first, filtered, one page at a time. */
  findings(filter: FindingFilter): FindingPage {
    const page: Finding[] = [];
    const minRank = filter.minSeverity === undefined ? -1 : severityRank(filter.minSeverity);
    let lastSeq = 0;
    for (let i = this.#findingList.length - 1; i >= this.#findingsHead; i--) {
      const stored = this.#findingList[i]!;
      if (filter.before !== undefined && stored.seq >= filter.before) continue;
      const finding = stored.finding;
      if (filter.code !== undefined && finding.code !== filter.code) continue;
      if (minRank >= 0 && severityRank(finding.severity) < minRank) continue;
      if (filter.side !== undefined && finding.side !== filter.side) continue;
      if (filter.since !== undefined && !(Date.parse(finding.time) >= filter.since)) continue;
      // One more match past a full page: there is a next page, starting below the last one returned.
      if (page.length === filter.limit) return { findings: page, next: lastSeq };
      page.push(finding);
      lastSeq = stored.seq;
    }
    return { findings: page, next: null };
  }

  get size(): number {
    return this.#byStart.size;
  }

  stats(): RecentCallsStats {
    return {
      calls: this.#byStart.size,
      bytes: this.#callBytes + this.#findingBytes,
      maxCalls: this.settings.maxCalls,
      maxBytes: this.settings.maxBytes,
      evicted: this.#evicted,
      findings: this.#findingList.length - this.#findingsHead,
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  #add(callId: string, time: string): StoredCall {
    const kept = copyText(callId);
    const call: StoredCall = {
      callId: kept,
      state: 'active',
      ended: null,
      finalStatus: null,
      firstSeen: time,
      lastSeen: time,
      messages: 0,
      findings: 0,
      worst: null,
      codes: new Set(),
      carrier: [],
      customer: [],
      ladder: [],
      ladderOmitted: 0,
      bytes: CALL_BYTES + stringBytes(kept) + 2 * stringBytes(time),
    };
    this.#byStart.set(kept, call);
    this.#byActivity.pushBack(kept, call);
    this.#callBytes += call.bytes;
    this.#evictOverCaps(call);
    return call;
  }

  #touch(call: StoredCall): void {
    this.#byActivity.pushBack(call.callId, call);
  }

  #record(call: StoredCall, judged: JudgedMessage, findings: readonly Finding[], forwarded: boolean): void {
    if (call.messages === 0) call.firstSeen = judged.envelope.time;
    call.lastSeen = judged.envelope.time;
    call.messages++;
    call.findings += findings.length;
    for (const finding of findings) {
      call.codes.add(finding.code);
      if (call.worst === null || severityRank(finding.severity) > severityRank(call.worst))
        call.worst = finding.severity;
    }
    let added = 0;
    // The ladder shows the message's first SDP; the call's media, its first offer or answer. The
    // same SDP nearly always: read once.
    const first = judged.sdps[0];
    const firstSdp = first ? ladderSdp(first, judged.side) : null;
    const session = judged.sdps.find((sdp) => sdp.role === 'offer' || sdp.role === 'answer');
    if (session) {
      const media =
        session === first && firstSdp
          ? firstSdp.media
          : keptMedia(negotiatedMedia(session.description, judged.side, session.role));
      added += mediaListBytes(media) - mediaListBytes(call[judged.side]);
      call[judged.side] = media;
    }
    let kept = false;
    if (call.ladder.length < this.options.maxLadder) {
      const entry = ladderEntry(judged, findings, forwarded, firstSdp);
      const entryBytes = ladderEntryBytes(entry);
      // One call may not take more than a quarter of the calls' share: a hostile call cannot flush the rest.
      if (call.bytes + added + entryBytes <= this.#callBudget / 4) {
        call.ladder.push(entry);
        added += entryBytes;
        kept = true;
      }
    }
    if (!kept) call.ladderOmitted++;
    call.bytes += added;
    this.#callBytes += added;
  }

  /** Drops the least recently active calls until both caps hold; `keep` (the call being recorded) last. */
  #evictOverCaps(keep: StoredCall): void {
    while (this.#byStart.size > this.settings.maxCalls || this.#callBytes > this.#callBudget) {
      // `keep` was just moved to the back: it is at the front only when it is the last call left.
      const victim = this.#byActivity.first();
      if (victim === undefined || victim === keep) return; // only the call being recorded is left: it stays
      this.#byStart.delete(victim.callId);
      this.#byActivity.delete(victim.callId);
      this.#callBytes -= victim.bytes;
      this.#evicted++;
    }
  }

  /** Adds a message's findings to the global list; returns the kept copies (shared with the ladder). */
  #keepFindings(findings: readonly Finding[], egress: readonly Finding[]): Finding[] {
    const total = findings.length + egress.length;
    if (total === 0) return [];
    const kept: Finding[] = new Array(total);
    // One copy per distinct text of the message: its findings share Call-ID, CSeq, endpoints, time.
    const copies = new Map<string, string>();
    for (let i = 0; i < total; i++) {
      const finding = keptFinding(i < findings.length ? findings[i]! : egress[i - findings.length]!, copies);
      kept[i] = finding;
      const bytes = findingBytes(finding);
      this.#findingList.push({ seq: this.#seq++, finding, bytes });
      this.#findingBytes += bytes;
    }
    const list = this.#findingList;
    while (
      list.length - this.#findingsHead > 0 &&
      (list.length - this.#findingsHead > this.options.maxFindings ||
        this.#findingBytes > this.#findingBudget)
    ) {
      this.#findingBytes -= list[this.#findingsHead]!.bytes;
      this.#findingsHead++;
    }
    // Compact now and then rather than shift() per finding.
    if (this.#findingsHead > 1024 && this.#findingsHead * 2 > list.length) {
      this.#findingList = list.slice(this.#findingsHead);
      this.#findingsHead = 0;
    }
    return kept;
  }

  #verdict(call: StoredCall): Verdict {
    return verdictFor(call.worst, this.options.failOn);
  }

  #view(call: StoredCall): CallView {
    return {
      callId: call.callId,
      state: call.state,
      ended: call.ended,
      finalStatus: call.finalStatus,
      firstSeen: call.firstSeen,
      lastSeen: call.lastSeen,
      messages: call.messages,
      findings: call.findings,
      worstSeverity: call.worst,
      verdict: this.#verdict(call),
      codes: [...call.codes].sort(),
      media: { carrier: call.carrier, customer: call.customer },
    };
  }
}

// ---- what is kept --------------------------------------------------------------------------------

/** A copy that holds no slice of the message text and, as a last guard, no SDES key. */
function copyText(text: string): string {
  return Buffer.from(redactIfKeyed(text), 'utf8').toString('utf8');
}

/** copyText, once per distinct text in `copies` (the copies made for one message's findings). */
function copyOnce(text: string, copies: Map<string, string>): string {
  let copy = copies.get(text);
  if (copy === undefined) {
    copy = copyText(text);
    copies.set(text, copy);
  }
  return copy;
}

function copyNullable(text: string | null, copies: Map<string, string>): string | null {
  return text === null ? null : copyOnce(text, copies);
}

function keptFinding(finding: Finding, copies: Map<string, string>): Finding {
  return {
    ...finding,
    message: copyOnce(finding.message, copies),
    callId: copyNullable(finding.callId, copies),
    cseq: copyNullable(finding.cseq, copies),
    method: copyNullable(finding.method, copies),
    evidence: copyNullable(finding.evidence, copies),
    src: copyOnce(finding.src, copies),
    dst: copyOnce(finding.dst, copies),
    time: copyOnce(finding.time, copies),
  };
}

/** Suite, type and proto names repeat: one shared string each for the common ones. */
const SHARED = new Map<string, string>();
const MAX_SHARED = 256;

function sharedText(text: string): string {
  const found = SHARED.get(text);
  if (found !== undefined) return found;
  const copy = copyText(text);
  if (SHARED.size < MAX_SHARED && text.length <= 40) SHARED.set(copy, copy);
  return copy;
}

function keptMedia(media: readonly NegotiatedMedia[]): NegotiatedMedia[] {
  return media.slice(0, MAX_MEDIA).map((m) => ({
    side: m.side,
    role: m.role,
    mediaIndex: m.mediaIndex,
    type: sharedText(m.type),
    address: m.address === null ? null : copyText(m.address),
    port: m.port,
    rtcpPort: m.rtcpPort,
    proto: sharedText(m.proto),
    suites: m.suites.map(sharedText),
    direction: sharedText(m.direction),
  }));
}

function ladderSdp(sdp: JudgedSdp, side: Side): NonNullable<LadderEntry['sdp']> {
  const media = negotiatedMedia(sdp.description, side, sdp.role);
  return { role: sdp.role, media: keptMedia(media), mediaOmitted: Math.max(0, media.length - MAX_MEDIA) };
}

function ladderEntry(
  judged: JudgedMessage,
  findings: readonly Finding[],
  forwarded: boolean,
  sdp: LadderEntry['sdp'],
): LadderEntry {
  return {
    index: judged.messageIndex,
    time: judged.envelope.time,
    side: judged.side,
    from: formatEndpoint(judged.envelope.src),
    to: formatEndpoint(judged.envelope.dst),
    transport: judged.envelope.transport,
    label: labelOf(judged),
    forwarded,
    sdp,
    findings: findings.length > MAX_ENTRY_FINDINGS ? findings.slice(0, MAX_ENTRY_FINDINGS) : findings,
    findingsOmitted: Math.max(0, findings.length - MAX_ENTRY_FINDINGS),
  };
}

/** `INVITE`, `200 INVITE`, `(unreadable)`; labels longer than 40 characters are cut. */
function labelOf(judged: JudgedMessage): string {
  const message = judged.message;
  if (!message) return '(unreadable)';
  const label =
    message.kind === 'request'
      ? (message.method ?? '?')
      : `${message.status ?? '?'} ${message.cseq?.method ?? ''}`.trim();
  return sharedText(label.length > 40 ? `${label.slice(0, 40)}…` : label);
}

// ---- size estimates ------------------------------------------------------------------------------

/** A V8 string's header and the pointer to it, roughly; characters counted one byte each. */
const STRING_BYTES = 24;
const CALL_BYTES = 600;
const ENTRY_BYTES = 200;
const FINDING_BYTES = 220;
const MEDIA_BYTES = 160;

function stringBytes(text: string | null): number {
  return text === null ? 8 : STRING_BYTES + text.length;
}

function findingBytes(finding: Finding): number {
  return (
    FINDING_BYTES +
    stringBytes(finding.message) +
    stringBytes(finding.callId) +
    stringBytes(finding.cseq) +
    stringBytes(finding.method) +
    stringBytes(finding.evidence) +
    stringBytes(finding.src) +
    stringBytes(finding.dst) +
    stringBytes(finding.time)
  );
}

function mediaListBytes(media: readonly NegotiatedMedia[]): number {
  let bytes = 16 + 8 * media.length;
  for (const m of media) {
    bytes += MEDIA_BYTES + stringBytes(m.address) + 16 + 8 * m.suites.length;
  }
  return bytes;
}

function ladderEntryBytes(entry: LadderEntry): number {
  let bytes = ENTRY_BYTES + stringBytes(entry.time) + stringBytes(entry.from) + stringBytes(entry.to) + 8 * 4;
  if (entry.sdp) bytes += 48 + mediaListBytes(entry.sdp.media);
  bytes += 16 + 8 * entry.findings.length;
  for (const finding of entry.findings) bytes += findingBytes(finding);
  return bytes;
}
