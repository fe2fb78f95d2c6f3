/**
 * A budget for log lines an outsider can cause at will (a TLS handshake that fails, a framing
 * loss, a source blocked, a garbage packet's finding): per kind of line, the first LOG_BURST in an
 * interval are written, the rest only counted, and the next flush writes one summary line per
 * kind with the count. Kinds are bounded: past `maxKinds` in an interval, new kinds share one
 * overflow kind that is only counted. Metrics are not affected: callers count every event there.
 */
import type { EcsFields } from './ecs.js';
import { logEvent, type ProxyLogger } from './logger.js';

/** Lines written per kind in one interval before the rest are only counted. */
export const LOG_BURST = 5;

/** What a summary line says about one kind: its message and its fields. */
export type Summary<Kind> = (
  kind: Kind,
  count: number,
  seconds: number,
) => { message: string; fields: EcsFields };

export interface LogBudgetOptions<Kind> {
  /** event.action of the summary lines. */
  readonly action: string;
  readonly summary: Summary<Kind>;
  /** Kinds tracked per interval (default 10,000); past it, new kinds fall into `overflow`. */
  readonly maxKinds?: number;
  readonly overflow?: Kind;
}

interface Spent<Kind> {
  readonly kind: Kind;
  written: number;
  suppressed: number;
}

export class LogBudget<Kind = string> {
  #spent = new Map<string, Spent<Kind>>();
  #startedAt: number;

  constructor(
    private readonly logger: ProxyLogger,
    private readonly intervalMs: number,
    private readonly options: LogBudgetOptions<Kind>,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  /** Whether a line of this kind may be written now (false: it was counted). `key` identifies the kind. */
  admit(kind: Kind, key: string = String(kind)): boolean {
    if (this.now() - this.#startedAt >= this.intervalMs) this.flush(true);
    let spent = this.#spent.get(key);
    if (spent === undefined) {
      const overflow = this.options.overflow;
      if (this.#spent.size < (this.options.maxKinds ?? 10_000) || overflow === undefined) {
        this.#spent.set(key, { kind, written: 1, suppressed: 0 });
        return true;
      }
      // Too many kinds this interval (many sources): the rest are counted together, unwritten.
      const overflowKey = `\u0000${String(overflow)}`;
      spent = this.#spent.get(overflowKey);
      if (spent === undefined) {
        spent = { kind: overflow, written: LOG_BURST, suppressed: 0 };
        this.#spent.set(overflowKey, spent);
      }
    }
    if (spent.written < LOG_BURST) {
      spent.written++;
      return true;
    }
    spent.suppressed++;
    return false;
  }

  /** At the end of an interval (or with force, at stop): one summary line per kind held back. */
  flush(force = false): void {
    const now = this.now();
    if (!force && now - this.#startedAt < this.intervalMs) return;
    const seconds = Math.max(1, Math.round((now - this.#startedAt) / 1000));
    for (const spent of this.#spent.values()) {
      if (spent.suppressed === 0) continue;
      const { message, fields } = this.options.summary(spent.kind, spent.suppressed, seconds);
      logEvent(this.logger, 'warn', this.options.action, message, fields);
    }
    this.#spent = new Map();
    this.#startedAt = now;
  }
}

/** The budget for the proxy's own lines (connection problems, blocks): `log-lines-suppressed`. */
export function lineBudget(
  logger: ProxyLogger,
  intervalMs: number,
  now: () => number = Date.now,
): LogBudget<string> {
  return new LogBudget<string>(
    logger,
    intervalMs,
    {
      action: 'log-lines-suppressed',
      summary: (kind, count, seconds) => ({
        message: `${count} more ${kind} lines in ${seconds} s not written (${LOG_BURST} per interval)`,
        fields: { trunkguard: { kind, count, interval_seconds: seconds } },
      }),
    },
    now,
  );
}
