/**
 * A finding: one thing wrong (or worth knowing) about one message, in the stable shape
 * that `check --format json`, the logs and the API all share.
 */
import type { Transport } from '../sip/envelope.js';
import type { FindingCode, Severity } from './codes.js';

export type Side = 'carrier' | 'customer';

/** What a check returns: the engine adds severity and the message's context. */
export interface Observation {
  readonly code: FindingCode;
  readonly message: string;
  /** 0-based m= index, or null when the finding is about the message or the session level. */
  readonly mediaIndex: number | null;
  /** The offending line, keys redacted, or null. */
  readonly evidence: string | null;
}

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly side: Side;
  readonly message: string;
  readonly callId: string | null;
  /** `102 INVITE` */
  readonly cseq: string | null;
  /** Request method, or null for responses. */
  readonly method: string | null;
  /** Response status, or null for requests. */
  readonly status: number | null;
  readonly mediaIndex: number | null;
  readonly evidence: string | null;
  /** 0-based position of the message among all input messages, in order. */
  readonly messageIndex: number;
  readonly src: string;
  readonly dst: string;
  readonly transport: Transport;
  readonly time: string;
}
