/**
 * What the proxy tells the parts that watch it (metrics, the recent-calls store behind the API,
 * the negotiation log). Observers are called synchronously on the forwarding path after the
 * message has been sent on: each must be cheap, must not throw (the proxy catches and logs it
 * if one does), and must never hold a reference to message bytes longer than the call.
 */
import type { JudgedMessage } from '../policy/engine.js';
import type { Finding } from '../policy/finding.js';
import type { CallSummaryLine } from '../report/live-calls.js';
import type { LimitName } from './limits.js';
import type { ProxyTransport } from './settings.js';

/** What a connection-level problem was, for the TLS handshake failure metric and logs. */
export type ConnectionProblemKind = 'tls-handshake' | 'connect' | 'framing' | 'other';

export interface ProxyObserver {
  /**
   * A message (or unreadable bytes) was judged. `egress` holds the findings judged again for the
   * leg it left on (already included in nothing else); `forwarded` says whether it was sent on.
   */
  judged?(judged: JudgedMessage, egress: readonly Finding[], forwarded: boolean): void;
  /** A message was sent on; `latencySeconds` from its arrival to the send call. */
  forwarded?(kind: 'request' | 'response', transport: ProxyTransport, latencySeconds: number): void;
  /** The proxy answered a request itself (400, 482, 483, 488, 503...). */
  answered?(status: number): void;
  /** A call ended: the same summary the log gets. */
  callEnded?(summary: CallSummaryLine): void;
  /** A call started (an INVITE not seen before). */
  callStarted?(callId: string): void;
  connectionProblem?(kind: ConnectionProblemKind, transport: 'tcp' | 'tls'): void;
  /** A resource limit (proxy.limits) was hit: counted per hit, logged once per interval by LimitHits. */
  limitHit?(limit: LimitName, count?: number): void;
  /** Every sweep (5 s): the dialog table's size and how many it evicted/expired so far. */
  dialogTable?(size: number, evictedTotal: number, expiredTotal: number): void;
}
