/**
 * Findings an attacker can raise at line rate, with no call behind them (garbage, scanners,
 * lying Content-Length), must not let one source write one log line per packet. For those codes,
 * a LogBudget keyed by code, source address and method: the first LOG_BURST in an interval are
 * logged as usual (an occasional bad message from a real PBX is still seen in full), the rest
 * counted into one `findings-suppressed` line. Metrics still count every finding (observers see
 * every judged message), and findings on calls (media, crypto, NAT) are never held back.
 */
import type { Finding } from '../policy/finding.js';
import { LOG_BURST, LogBudget } from './log-budget.js';
import type { ProxyLogger } from './logger.js';

/** Codes of the message layer that need no call: what a scanner or fuzzer raises per packet. */
const PER_PACKET_CODES: ReadonlySet<string> = new Set([
  'malformed-message',
  'scanner-user-agent',
  'content-length-mismatch',
  'duplicate-content-length',
  'udp-message-too-large',
]);

interface Held {
  readonly code: string;
  /** The source's address, or OTHER_SOURCES past the budget's kinds. */
  readonly source: string;
  /** The request method, or the CSeq method of a response; '' when the message had none. */
  readonly method: string;
}

const OTHER_SOURCES: Held = { code: '(any per-packet code)', source: '(other sources)', method: '' };

export class FindingLogThrottle {
  readonly #budget: LogBudget<Held>;

  constructor(logger: ProxyLogger, intervalMs: number, now: () => number = Date.now) {
    this.#budget = new LogBudget<Held>(
      logger,
      intervalMs,
      {
        action: 'findings-suppressed',
        overflow: OTHER_SOURCES,
        summary: (held, count, seconds) => ({
          message:
            `${count} more ${held.code} findings${held.method ? ` on ${held.method}` : ''} from ` +
            `${held.source} in ${seconds} s (${LOG_BURST} logged per interval)`,
          fields: {
            trunkguard: {
              code: held.code,
              source: held.source,
              method: held.method === '' ? null : held.method,
              count,
              interval_seconds: seconds,
            },
          },
        }),
      },
      now,
    );
  }

  /** Whether this finding is to be logged now (false: it was counted for the next flush). */
  admit(finding: Finding): boolean {
    if (!PER_PACKET_CODES.has(finding.code)) return true;
    const source = hostOf(finding.src);
    const method = finding.method ?? '';
    return this.#budget.admit({ code: finding.code, source, method }, `${finding.code} ${source} ${method}`);
  }

  /** At the end of an interval (or with force, at stop): one line per code, source and method held back. */
  flush(force = false): void {
    this.#budget.flush(force);
  }
}

/** "192.0.2.1:5060" → "192.0.2.1"; "[2001:db8::1]:5060" → "2001:db8::1". */
function hostOf(endpoint: string): string {
  if (endpoint.startsWith('[')) return endpoint.slice(1, endpoint.indexOf(']'));
  const colon = endpoint.lastIndexOf(':');
  return colon < 0 ? endpoint : endpoint.slice(0, colon);
}
