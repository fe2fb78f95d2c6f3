/**
 * Findings an attacker can raise at line rate, with no call behind them (garbage, scanners,
 * lying Content-Length), must not let one source write one log line per packet. For those codes,
 * the first BURST findings of a code from a source for a method in an interval are logged as usual
 * (an occasional bad message from a real PBX is still seen in full); later ones in the same
 * interval are counted, and the next flush logs one `findings-suppressed` line
 * per code, source and method with the count. Metrics still count every finding (observers see every judged message),
 * and findings on calls (media, crypto, NAT) are never held back: one log event per finding.
 */
import type { Finding } from '../policy/finding.js';
import { logEvent, type ProxyLogger } from './logger.js';

/** Codes of the message layer that need no call: what a scanner or fuzzer raises per packet. */
export const PER_PACKET_CODES: ReadonlySet<string> = new Set([
  'malformed-message',
  'scanner-user-agent',
  'content-length-mismatch',
  'duplicate-content-length',
  'udp-message-too-large',
]);

/** Findings logged per code, source and method in one interval before the rest are only counted. */
export const BURST = 5;

/** Sources tracked per interval; past it, findings from new sources are counted together. */
const MAX_KEYS = 10_000;
const OTHER_SOURCES = '(other sources)';

interface Held {
  readonly code: string;
  readonly source: string;
  /** The request method, or the CSeq method of a response; '' when the message had none. */
  readonly method: string;
  logged: number;
  suppressed: number;
}

export class FindingLogThrottle {
  #held = new Map<string, Held>();
  #startedAt: number;

  constructor(
    private readonly logger: ProxyLogger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  /** Whether this finding is to be logged now (false: it was counted for the next flush). */
  admit(finding: Finding): boolean {
    if (!PER_PACKET_CODES.has(finding.code)) return true;
    if (this.now() - this.#startedAt >= this.intervalMs) this.flush(true);
    const source = hostOf(finding.src);
    const method = finding.method ?? '';
    let key = `${finding.code} ${source} ${method}`;
    let held = this.#held.get(key);
    if (held === undefined) {
      if (this.#held.size < MAX_KEYS) {
        this.#held.set(key, { code: finding.code, source, method, logged: 1, suppressed: 0 });
        return true;
      }
      key = `${finding.code} ${OTHER_SOURCES}`;
      held = this.#held.get(key);
      if (held === undefined) {
        held = { code: finding.code, source: OTHER_SOURCES, method: '', logged: BURST, suppressed: 0 };
        this.#held.set(key, held);
      }
    }
    if (held.logged < BURST) {
      held.logged++;
      return true;
    }
    held.suppressed++;
    return false;
  }

  /** At the end of an interval (or with force, at stop): one line per code and source held back. */
  flush(force = false): void {
    const now = this.now();
    if (!force && now - this.#startedAt < this.intervalMs) return;
    const seconds = Math.max(1, Math.round((now - this.#startedAt) / 1000));
    for (const held of this.#held.values()) {
      if (held.suppressed === 0) continue;
      logEvent(
        this.logger,
        'warn',
        'findings-suppressed',
        `${held.suppressed} more ${held.code} findings${held.method ? ` on ${held.method}` : ''} from ` +
          `${held.source} in ${seconds} s (logged once per interval)`,
        {
          trunkguard: {
            code: held.code,
            source: held.source,
            method: held.method === '' ? null : held.method,
            count: held.suppressed,
            interval_seconds: seconds,
          },
        },
      );
    }
    this.#held = new Map();
    this.#startedAt = now;
  }
}

/** "192.0.2.1:5060" → "192.0.2.1"; "[2001:db8::1]:5060" → "2001:db8::1". */
function hostOf(endpoint: string): string {
  if (endpoint.startsWith('[')) return endpoint.slice(1, endpoint.indexOf(']'));
  const colon = endpoint.lastIndexOf(':');
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}
