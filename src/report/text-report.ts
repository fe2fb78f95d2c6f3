/**
 * The human report of `trunkguard check`: findings grouped by call, in message order,
 * each under the message that carried it, with the media each side negotiated. Built in pieces
 * (header, one block per call, footer) so that `check` can write each call as it finishes.
 */
import { SEVERITIES, type Severity, severityRank } from '../policy/codes.js';
import type { Finding, Side } from '../policy/finding.js';
import type { CarrierProfile } from '../policy/profile.js';
import type { CallSummary, NegotiatedMedia } from './call-ledger.js';
import type { MediaEndpointsSnapshot } from './media-endpoints.js';

/** Findings counted per severity: what the report's last line says. */
export type SeverityCounts = Record<Severity, number>;

export function emptySeverityCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
}

/** The first line: what was judged against what. */
export function reportHeader(
  profile: CarrierProfile,
  messages: number,
  calls: number,
  findings: number,
): string {
  return (
    `trunkguard check: profile ${profile.name} (${profile.carrier}), ${plural(messages, 'message')}, ` +
    `${plural(calls, 'call')}, ${plural(findings, 'finding')}\n`
  );
}

/** One call: a blank line, its verdict, the media each side negotiated, its ladder with the findings under each message. */
export function callBlock(call: CallSummary, findings: readonly Finding[]): string {
  const byMessage = groupByMessage(findings);
  const lines: string[] = [''];
  const worst = call.worstSeverity ? ` (worst: ${call.worstSeverity})` : '';
  lines.push(
    `Call ${call.callId ?? '(no Call-ID)'}  ${call.verdict.toUpperCase()}${worst}  ${call.firstSeen}`,
  );
  for (const media of call.media) lines.push(`  media ${formatMedia(media)}`);
  for (const step of call.ladder) {
    const sdp = step.sdp ? ` (SDP ${step.sdp})` : '';
    lines.push(
      `  #${step.messageIndex} ${sideColumn(step.side)} ${step.from} -> ${step.to}  ${step.label}${sdp}`,
    );
    for (const finding of byMessage.get(step.messageIndex) ?? []) {
      const media = finding.mediaIndex === null ? '' : ` m=${finding.mediaIndex}`;
      lines.push(`      ${severityColumn(finding.severity)} ${finding.code}${media}: ${finding.message}`);
      if (finding.evidence) lines.push(`               ${finding.evidence}`);
    }
  }
  if (call.unlistedMessages)
    lines.push(`  (${plural(call.unlistedMessages, 'more message')} of this call not listed)`);
  return `${lines.join('\n')}\n`;
}

/** What follows the calls: the carrier's media prefixes, the input that could not be judged, the verdict. */
export function reportFooter(input: {
  readonly mediaEndpoints?: MediaEndpointsSnapshot;
  readonly inputErrors: readonly string[];
  readonly moreInputErrors: number;
  readonly counts: SeverityCounts;
  readonly failOn: Severity;
}): string {
  const lines: string[] = [];
  if (input.mediaEndpoints && input.mediaEndpoints.prefixes.length > 0) {
    lines.push('', ...mediaEndpointLines(input.mediaEndpoints));
  }
  if (input.inputErrors.length > 0) {
    lines.push('', 'Input that could not be judged:');
    for (const error of input.inputErrors) lines.push(`  ${error}`);
    if (input.moreInputErrors > 0) lines.push(`  (${input.moreInputErrors} more not listed)`);
  }
  lines.push('', summaryLine(input.counts, input.failOn));
  return `${lines.join('\n')}\n`;
}

/** "Media endpoints the carrier used": one line per prefix, inside or outside the published ranges. */
function mediaEndpointLines(snapshot: MediaEndpointsSnapshot): string[] {
  const published = snapshot.published.length > 0 ? snapshot.published.join(', ') : 'none published';
  const lines = [`Media endpoints the carrier used (published media ranges: ${published}):`];
  for (const entry of snapshot.prefixes) {
    const where = entry.inPublishedRange
      ? `inside ${entry.inPublishedRange}`
      : entry.outside
        ? 'OUTSIDE the published ranges'
        : 'not judged';
    const calls = `${entry.callsCapped ? '>=' : ''}${plural(entry.calls, 'call')}`;
    const ports = Object.entries(entry.ports)
      .map(([bucket, count]) => `${bucket} (${count})`)
      .join(', ');
    lines.push(
      `  ${entry.prefix.padEnd(18)} ${where}, ${calls}, ${plural(entry.messages, 'message')}, ports ${ports}`,
    );
  }
  if (snapshot.overflow > 0)
    lines.push(`  (${snapshot.overflow} more addresses past the prefix cap, not listed)`);
  return lines;
}

/** Findings at or above `failOn`: what makes `check` fail. */
export function failingCount(counts: SeverityCounts, failOn: Severity): number {
  return SEVERITIES.filter((severity) => severityRank(severity) >= severityRank(failOn)).reduce(
    (sum, severity) => sum + counts[severity],
    0,
  );
}

function summaryLine(counts: SeverityCounts, failOn: Severity): string {
  const listed = [...SEVERITIES]
    .reverse()
    .filter((severity) => counts[severity] > 0)
    .map((severity) => `${counts[severity]} ${severity}`);
  const failing = failingCount(counts, failOn);
  const verdict =
    failing > 0
      ? `FAIL: ${plural(failing, 'finding')} at or above ${failOn}`
      : `PASS: nothing at or above ${failOn}`;
  return `${listed.length > 0 ? listed.join(', ') : 'no findings'}. ${verdict}.`;
}

function formatMedia(media: NegotiatedMedia): string {
  const crypto = media.suites.length > 0 ? ` ${media.suites.join(',')}` : '';
  return (
    `${sideColumn(media.side)} ${media.role.padEnd(6)} ${media.type} ${media.address ?? '(no c=)'}:${media.port} ` +
    `${media.proto} rtcp ${media.rtcpPort} ${media.direction}${crypto}`
  );
}

function groupByMessage(findings: readonly Finding[]): Map<number, Finding[]> {
  const groups = new Map<number, Finding[]>();
  for (const finding of findings) {
    const group = groups.get(finding.messageIndex);
    if (group) group.push(finding);
    else groups.set(finding.messageIndex, [finding]);
  }
  return groups;
}

// The padded columns are made once, not per ladder line (a long capture has millions of them).
const SIDES: readonly Side[] = ['carrier', 'customer'];
const SIDE_COLUMNS = new Map<string, string>(SIDES.map((side) => [side, side.padEnd(8)]));
const SEVERITY_COLUMNS = new Map<string, string>(
  SEVERITIES.map((severity) => [severity, severity.toUpperCase().padEnd(8)]),
);

/** `side.padEnd(8)`. */
function sideColumn(side: Side): string {
  return SIDE_COLUMNS.get(side) ?? side.padEnd(8);
}

/** `SEVERITY.padEnd(8)`. */
function severityColumn(severity: Severity): string {
  return SEVERITY_COLUMNS.get(severity) ?? severity.toUpperCase().padEnd(8);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
