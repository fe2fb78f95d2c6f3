/**
 * A budget for log lines an outsider can cause at will (a TLS handshake that fails, a framing
 * loss, a source blocked): per kind of line, the first BURST in an interval are written, the
 * rest only counted, and the next flush writes one `log-lines-suppressed` line per kind with the
 * count. Metrics are not affected: callers count every event there.
 */
import { logEvent, type ProxyLogger } from './logger.js';

/** Lines written per kind in one interval before the rest are only counted. */
export const LOG_BURST = 5;

interface Spent {
  written: number;
  suppressed: number;
}

export class LogBudget {
  #spent = new Map<string, Spent>();
  #startedAt: number;

  constructor(
    private readonly logger: ProxyLogger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  /** Whether a line of this kind may be written now (false: it was counted). Kinds are a small fixed set. */
  admit(kind: string): boolean {
    if (this.now() - this.#startedAt >= this.intervalMs) this.flush(true);
    const spent = this.#spent.get(kind);
    if (spent === undefined) {
      this.#spent.set(kind, { written: 1, suppressed: 0 });
      return true;
    }
    if (spent.written < LOG_BURST) {
      spent.written++;
      return true;
    }
    spent.suppressed++;
    return false;
  }

  /** At the end of an interval (or with force, at stop): one line per kind held back. */
  flush(force = false): void {
    const now = this.now();
    if (!force && now - this.#startedAt < this.intervalMs) return;
    const seconds = Math.max(1, Math.round((now - this.#startedAt) / 1000));
    for (const [kind, spent] of this.#spent) {
      if (spent.suppressed === 0) continue;
      logEvent(
        this.logger,
        'warn',
        'log-lines-suppressed',
        `${spent.suppressed} more ${kind} lines in ${seconds} s not written (${LOG_BURST} per interval)`,
        { trunkguard: { kind, count: spent.suppressed, interval_seconds: seconds } },
      );
    }
    this.#spent = new Map();
    this.#startedAt = now;
  }
}
