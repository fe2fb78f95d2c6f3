/**
 * Per-call summaries built from judged messages: what each side negotiated, how many
 * findings, the worst severity and a verdict. `check` prints them; the API will serve them.
 */
import type { SdpRole } from '../policy/check.js';
import { type Severity, severityRank } from '../policy/codes.js';
import type { JudgedMessage } from '../policy/engine.js';
import type { Side } from '../policy/finding.js';
import type { SessionDescription } from '../sdp/types.js';
import { formatEndpoint } from '../sip/envelope.js';

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
}

interface CallEntry {
  readonly callId: string | null;
  firstSeen: string;
  lastSeen: string;
  findings: number;
  worst: Severity | null;
  readonly latestMedia: Map<Side, readonly NegotiatedMedia[]>;
  readonly ladder: LadderStep[];
}

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

export class CallLedger {
  readonly #calls = new Map<string | null, CallEntry>();

  record(judged: JudgedMessage): void {
    const callId = judged.message?.callId ?? null;
    let entry = this.#calls.get(callId);
    if (!entry) {
      entry = {
        callId,
        firstSeen: judged.envelope.time,
        lastSeen: judged.envelope.time,
        findings: 0,
        worst: null,
        latestMedia: new Map(),
        ladder: [],
      };
      this.#calls.set(callId, entry);
    }
    entry.lastSeen = judged.envelope.time;
    entry.findings += judged.findings.length;
    for (const finding of judged.findings) {
      if (entry.worst === null || severityRank(finding.severity) > severityRank(entry.worst))
        entry.worst = finding.severity;
    }
    const session = judged.sdps.find((sdp) => sdp.role !== 'capability');
    if (session)
      entry.latestMedia.set(judged.side, negotiatedMedia(session.description, judged.side, session.role));
    entry.ladder.push({
      messageIndex: judged.messageIndex,
      time: judged.envelope.time,
      from: formatEndpoint(judged.envelope.src),
      to: formatEndpoint(judged.envelope.dst),
      side: judged.side,
      label: labelOf(judged),
      sdp: judged.sdps[0]?.role ?? null,
      findings: judged.findings.length,
    });
  }

  summaries(failOn: Severity): CallSummary[] {
    return [...this.#calls.values()].map((entry) => ({
      callId: entry.callId,
      firstSeen: entry.firstSeen,
      lastSeen: entry.lastSeen,
      messages: entry.ladder.length,
      findings: entry.findings,
      worstSeverity: entry.worst,
      verdict: verdictFor(entry.worst, failOn),
      media: [...(entry.latestMedia.get('carrier') ?? []), ...(entry.latestMedia.get('customer') ?? [])],
      ladder: entry.ladder,
    }));
  }
}

function labelOf(judged: JudgedMessage): string {
  const message = judged.message;
  if (!message) return '(unreadable)';
  if (message.kind === 'request') return message.method ?? '?';
  return `${message.status} ${message.cseq?.method ?? ''}`.trim();
}
