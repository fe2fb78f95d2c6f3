import type { MessageLimitName } from './message-limits.js';

/**
 * The read-only view of one SIP message over the exact bytes it arrived in.
 * Nothing here re-serializes: offsets point into `bytes`, so the proxy can splice
 * its own Via at a byte offset and forward every other byte unchanged.
 */

/** Problems the reader finds but does not reject the message for: they become findings. */
export type MessageProblemCode = 'content-length-mismatch' | 'duplicate-content-length' | 'malformed-message';

export interface MessageProblem {
  readonly code: MessageProblemCode;
  /** Human reason, e.g. "Content-Length says 9999 but 151 bytes follow the header". */
  readonly reason: string;
  /** The offending header line or start line as received (never contains SDP key material). */
  readonly evidence: string | null;
}

export interface HeaderField {
  /** Canonical lower-case full name: compact `v` and `VIA` both give `via`. */
  readonly name: string;
  /** The name exactly as written on the wire. */
  readonly rawName: string;
  /** The value with folded lines joined by one space, surrounding whitespace trimmed. */
  readonly value: string;
  /** Byte offset of the first byte of the header line in `SipMessage.bytes`. */
  readonly start: number;
  /** Byte offset just past the header's final CRLF (after any continuation lines). */
  readonly end: number;
}

export interface ViaParams {
  /** Transport token as written, upper-cased: UDP, TCP, TLS, SCTP, WS, WSS or an extension. */
  readonly transport: string;
  /** sent-by host as written (IPv6 references keep their brackets). */
  readonly host: string;
  readonly port: number | null;
  readonly branch: string | null;
  readonly received: string | null;
  /** `rport` absent: null; present without value: true; with a value: that port. */
  readonly rport: number | true | null;
  readonly maddr: string | null;
}

export interface CSeq {
  readonly number: number;
  readonly method: string;
}

export interface SipMessage {
  /** Exactly this message's bytes: start line, headers, blank line and body as framed. */
  readonly bytes: Buffer;
  readonly kind: 'request' | 'response';
  /** Request method as written (case-sensitive, RFC 3261 §7.1); null for responses. */
  readonly method: string | null;
  readonly requestUri: string | null;
  /** Response status code; null for requests. */
  readonly status: number | null;
  readonly reason: string | null;
  /** `SIP/2.0` */
  readonly version: string;
  /** The start line as received, without its CRLF. */
  readonly startLine: string;
  /** Every header field in wire order, repeats kept. */
  readonly headers: readonly HeaderField[];
  /** Byte offset of the first body byte in `bytes` (just after the blank line). */
  readonly bodyOffset: number;
  readonly body: Buffer;
  /** Problems found while reading that do not prevent inspection. */
  readonly problems: readonly MessageProblem[];

  /** The first value of a header (name case-insensitive; compact forms accepted), or undefined. */
  header(name: string): string | undefined;
  /** Every header field with this name, in order. */
  headerFields(name: string): readonly HeaderField[];
  /**
   * Every value of a header that may be a comma-separated list (Via, Route, Record-Route,
   * Contact, Allow, Supported, Require...), split on commas outside quotes and angle brackets,
   * across all occurrences in order.
   */
  headerValues(name: string): readonly string[];

  readonly callId: string | null;
  readonly cseq: CSeq | null;
  readonly topVia: ViaParams | null;
  /** Media type of Content-Type, lower-case, without parameters (e.g. `application/sdp`); null if absent. */
  readonly contentType: string | null;
  /** Declared Content-Length (first occurrence), or null when absent. */
  readonly contentLength: number | null;
}

/**
 * Why bytes could not be read as a message, for machines (`reason` says it for people).
 * - `keep-alive`: only CRLFs (RFC 5626 §3.5.1) or nothing at all: not an error, nothing to answer;
 * - `start-line`: the start line breaks RFC 3261 §7.1/§7.2: a request gets 400 (Bad Request);
 * - `sip-version`: not SIP/2.0: a request gets 505 (Version Not Supported, RFC 3261 §21.5.6);
 * - `too-large`: over the configured maximum message size: a request gets 513 (RFC 3261 §21.5.7);
 * - `over-limit`: over one of the message limits (`limit` says which: too many header fields or
 *   Via values, a header line too long); what it gets is the caller's call (message-limits.ts);
 * - `framing-lost`: stream only, Content-Length unusable: close the connection (RFC 4475 §3.1.2.3);
 * - `truncated`: a stream ended inside a message;
 * - `internal-error`: a reader bug caught so that it never throws.
 */
export type ReadFailure =
  | 'keep-alive'
  | 'start-line'
  | 'sip-version'
  | 'too-large'
  | 'over-limit'
  | 'framing-lost'
  | 'truncated'
  | 'internal-error';

/** What a reader returns: a message, or a reason it could not be read (it never throws). */
export type ReadResult =
  | { readonly ok: true; readonly message: SipMessage }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly bytes: Buffer;
      /** Added by the SIP reader (additive): the failure class; always set by src/sip readers. */
      readonly failure?: ReadFailure;
      /** Set with failure `over-limit`: the limit passed. */
      readonly limit?: MessageLimitName;
    };
