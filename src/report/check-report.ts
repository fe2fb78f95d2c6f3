/**
 * The report of `trunkguard check`, written as the input is judged so that memory does not grow
 * with the input: each finding and each finished call (CallLedger) goes to a spill file on disk,
 * and `finish()` writes the whole report (text or JSON, the same shape as a report built in
 * memory) once the totals that head it are known. Lists that could grow with garbage input (input
 * errors, TLS flows) keep their first LISTED entries and count the rest.
 */
import type { Severity } from '../policy/codes.js';
import type { Finding } from '../policy/finding.js';
import type { CarrierProfile } from '../policy/profile.js';
import type { CaptureStats } from '../sources/pcap/capture-reader.js';
import type { ClosedCall } from './call-ledger.js';
import type { MediaEndpointsSnapshot } from './media-endpoints.js';
import { SpillFile } from './spill-file.js';
import {
  callBlock,
  emptySeverityCounts,
  failingCount,
  reportFooter,
  reportHeader,
  type SeverityCounts,
} from './text-report.js';

/** Input errors and TLS flows listed in full; past it they are counted. */
export const LISTED = 1000;

export type ReportFormat = 'text' | 'json';

export interface ReportEnd {
  readonly messages: number;
  readonly mediaEndpoints: MediaEndpointsSnapshot;
}

/** A list that keeps its first LISTED items and counts the rest. */
class CappedList {
  readonly items: string[] = [];
  more = 0;
  push(item: string): void {
    if (this.items.length < LISTED) this.items.push(item);
    else this.more++;
  }
  get total(): number {
    return this.items.length + this.more;
  }
}

/** A capture's counters, as the JSON report lists them. */
export interface CaptureSummary extends CaptureStats {
  readonly file: string;
}

export class CheckReport {
  readonly counts: SeverityCounts = emptySeverityCounts();
  /** One per capture file read: what its frames were (SIP or not), so nothing is skipped silently. */
  readonly captures: CaptureSummary[] = [];
  readonly inputErrors = new CappedList();
  readonly encryptedFlows = new CappedList();
  #findings = 0;
  #calls = 0;
  /** JSON: the findings array's elements; text: unused (findings print under their call). */
  readonly #findingSpill: SpillFile | null;
  readonly #callSpill: SpillFile;

  constructor(
    private readonly format: ReportFormat,
    private readonly profile: CarrierProfile,
    private readonly failOn: Severity,
  ) {
    this.#findingSpill = format === 'json' ? new SpillFile('findings.jsonl') : null;
    this.#callSpill = new SpillFile('calls');
  }

  /** Every finding, in message order, as the judge gives it. */
  finding(finding: Finding): void {
    this.counts[finding.severity]++;
    this.#findingSpill?.write(`${this.#findings === 0 ? '' : ','}${JSON.stringify(finding)}`);
    this.#findings++;
  }

  /** A call the ledger is done with. */
  call(closed: ClosedCall): void {
    if (this.format === 'json')
      this.#callSpill.write(`${this.#calls === 0 ? '' : ','}${JSON.stringify(closed.summary)}`);
    else this.#callSpill.write(callBlock(closed.summary, closed.findings));
    this.#calls++;
  }

  /** Whether a finding at or above --fail-on was seen. */
  get failed(): boolean {
    return failingCount(this.counts, this.failOn) > 0;
  }

  /**
   * Writes the whole report to `out`, then removes the spill files. With `outBytes` (the same
   * destination, taking UTF-8), the spilled bulk is copied as bytes, never decoded to text.
   */
  finish(end: ReportEnd, out: (text: string) => void, outBytes?: (bytes: Buffer) => void): void {
    const copy = (spill: SpillFile) => (outBytes ? spill.copyBytesTo(outBytes) : spill.copyTo(out));
    try {
      if (this.format === 'json') this.#json(end, out, copy);
      else this.#text(end, out, copy);
    } finally {
      this.dispose();
    }
  }

  /** Removes the spill files; a second call does nothing. */
  dispose(): void {
    this.#findingSpill?.dispose();
    this.#callSpill.dispose();
  }

  #json(end: ReportEnd, out: (text: string) => void, copy: (spill: SpillFile) => void): void {
    out(`{"profile":${JSON.stringify(this.profile.name)},"messages":${end.messages},"findings":[`);
    if (this.#findingSpill) copy(this.#findingSpill);
    out('],"calls":[');
    copy(this.#callSpill);
    const tail = {
      ...(this.captures.length > 0 ? { captures: this.captures } : {}),
      inputErrors: this.inputErrors.items,
      ...(this.inputErrors.more > 0 ? { moreInputErrors: this.inputErrors.more } : {}),
      encryptedFlows: this.encryptedFlows.items,
      ...(this.encryptedFlows.more > 0 ? { moreEncryptedFlows: this.encryptedFlows.more } : {}),
      mediaEndpoints: end.mediaEndpoints,
    };
    out(`],${JSON.stringify(tail).slice(1)}\n`);
  }

  #text(end: ReportEnd, out: (text: string) => void, copy: (spill: SpillFile) => void): void {
    out(reportHeader(this.profile, end.messages, this.#calls, this.#findings));
    copy(this.#callSpill);
    if (this.captures.length > 0) out(`\n${this.captures.map(captureLine).join('\n')}\n`);
    out(
      reportFooter({
        mediaEndpoints: end.mediaEndpoints,
        inputErrors: this.inputErrors.items,
        moreInputErrors: this.inputErrors.more,
        counts: this.counts,
        failOn: this.failOn,
      }),
    );
    const flows = this.encryptedFlows;
    if (flows.total > 0) {
      const more = flows.more > 0 ? ` (and ${flows.more} more)` : '';
      out(`${flows.total} TLS flow(s) could not be judged (encrypted): ${flows.items.join(' ')}${more}\n`);
    }
  }
}

/** "Capture F: 14 SIP messages in 30 packets; not SIP: 2 keep-alives, 12 other datagrams." */
export function captureLine(capture: CaptureSummary): string {
  const skipped = (
    [
      [capture.keepAlives, 'keep-alive'],
      [capture.nonSipDatagrams, 'non-SIP UDP datagram'],
      [capture.nonSipStreams, 'non-SIP TCP stream'],
      [capture.nonIp, 'non-IP or malformed frame'],
      [capture.encryptedFlows, 'TLS flow'],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, what]) => `${count} ${what}${count === 1 ? '' : 's'}`);
  const lost = (
    [
      [capture.fragmentsDropped, 'IP datagram(s) with fragments missing'],
      [capture.tcpGaps, 'TCP gap(s) skipped'],
      [capture.truncatedBytes, 'byte(s) of a cut-short last record'],
    ] as const
  )
    .filter(([count]) => count > 0)
    .map(([count, what]) => `${count} ${what}`);
  return (
    `Capture ${capture.file}: ${capture.sipMessages} SIP message(s) in ${capture.packets} packet(s)` +
    (skipped.length > 0 ? `; not judged: ${skipped.join(', ')}` : '') +
    (lost.length > 0 ? `; lost: ${lost.join(', ')}` : '') +
    '.'
  );
}
