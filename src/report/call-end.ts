/**
 * When a call is over, read from one message: RFC 3261's rules for the end of a session, shared
 * by the proxy's live calls (src/report/live-calls.ts) and `check`'s call ledger.
 */
import type { JudgedMessage } from '../policy/engine.js';

export type CallEnd = 'bye' | 'failed' | 'cancelled' | 'timeout' | 'evicted' | 'shutdown';

/** Whether this message ends its call, and how; `established`: a 2xx to an INVITE was seen. */
export function endOf(judged: JudgedMessage, established: boolean): CallEnd | null {
  const message = judged.message;
  if (message?.kind !== 'response' || message.status === null) return null;
  const method = message.cseq?.method;
  // RFC 3261 §15.1.2: the BYE's final response ends the session (a 481 too: the dialog is gone).
  if (method === 'BYE' && message.status >= 200) return 'bye';
  // §13.2.2.3: a final non-2xx to the INVITE; 487 is the answer to a CANCEL (§9.2).
  // A failed re-INVITE leaves the established session as it was (RFC 3261 §14.1).
  if (method === 'INVITE' && message.status >= 300 && !established)
    return message.status === 487 ? 'cancelled' : 'failed';
  return null;
}
