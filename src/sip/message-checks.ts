/**
 * Grammar checks that do not stop a message from being read: each finds one kind of RFC 3261
 * break and returns `malformed-message` problems naming what is wrong, with the offending line
 * as evidence. One table, one entry per rule, each citing what it enforces.
 *
 * These run on first read of `SipMessage.problems`, never on the forwarding path.
 */
import { clip, isToken, latin1ToUtf8 } from './abnf.js';
import { parseCSeq } from './cseq.js';
import type { HeaderLine } from './header-index.js';
import { splitHeaderValue } from './header-values.js';
import { parseMediaType } from './media-type.js';
import type { MessageProblem, SipMessage } from './message.js';
import type { Head } from './message-head.js';
import { parseNameAddr } from './name-addr.js';
import { requestUriProblems } from './request-uri.js';
import { parseVia } from './via.js';

/** What a check sees: the message and its header index (with raw lines for evidence). */
export interface CheckedMessage extends SipMessage {
  readonly headers: readonly HeaderLine[];
}

interface GrammarCheck {
  readonly name: string;
  readonly run: (message: CheckedMessage, fields: FieldIndex, head: Head) => MessageProblem[];
}

const MAX_UINT32 = 2 ** 32 - 1;

/**
 * Headers that may appear at most once. RFC 3261 §7.3.1: "Multiple header field rows with the
 * same field-name MAY be present in a message if and only if the entire field-value for that
 * header field is defined as a comma-separated list". Content-Length is handled by framing
 * (`duplicate-content-length`).
 */
const AT_MOST_ONCE = [
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-type',
  'content-disposition',
  'date',
  'expires',
  'min-expires',
  'mime-version',
  'organization',
  'priority',
  'reply-to',
  'retry-after',
  'server',
  'subject',
  'timestamp',
  'user-agent',
  'rack',
  'rseq',
  'refer-to',
  'referred-by',
  'session-expires',
  'min-se',
  'event',
  'subscription-state',
];

/** name-addr headers holding exactly one value, and those holding a list. */
const NAME_ADDR_SINGLE = ['to', 'from', 'reply-to', 'refer-to', 'referred-by'];
const NAME_ADDR_LIST = ['contact', 'route', 'record-route', 'path', 'service-route', 'p-asserted-identity'];

const CHECKS: readonly GrammarCheck[] = [
  {
    // RFC 3261 §25.1: "header-name = token"; `extension-header = header-name HCOLON header-value`.
    name: 'header-name',
    run: (message) =>
      message.headers
        .filter((field) => !isToken(field.rawName))
        .map((field) =>
          problem(`header name '${latin1ToUtf8(field.rawName).slice(0, 60)}' is not a token`, field.line),
        ),
  },
  {
    // RFC 3261 §7: "The start-line, each message-header line, and the empty line MUST be
    // terminated by a carriage-return line-feed sequence (CRLF)." A CR alone inside a line is
    // read as a line end by some parsers and not by others: a header injection gap.
    name: 'bare-cr',
    run: (_message, _fields, head) => {
      const at = head.text.search(/\r(?!\n)/);
      if (at < 0) return [];
      return [
        problem('bare CR inside a header line (CR is only allowed in CRLF)', lineAround(head.text, at)),
      ];
    },
  },
  {
    // RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the
    // following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via; all of these
    // header fields are mandatory in all SIP requests."
    // Max-Forwards is the exception here: RFC 2543 made it optional, RFC 4475 §3.4.1
    // (inv2543.dat) says such a request must still be accepted, and RFC 3261 §16.6 step 3 has
    // the proxy repair it: "If the copy does not contain a Max-Forwards header field, the proxy
    // MUST add a field with a value of 70." A missing Max-Forwards is therefore not a problem.
    // Responses carry the same five (RFC 3261 §8.2.6.2 copies them from the request).
    name: 'required-headers',
    run: (message, fields) => {
      const missing = ['To', 'From', 'CSeq', 'Call-ID', 'Via'].filter(
        (name) => fields.of(name.toLowerCase()).length === 0,
      );
      if (missing.length === 0) return [];
      return [
        problem(
          `${message.kind} lacks mandatory header ${missing.join(', ')} (RFC 3261 §8.1.1)`,
          message.startLine,
        ),
      ];
    },
  },
  {
    name: 'single-valued',
    run: (_message, fields) => {
      const out: MessageProblem[] = [];
      for (const name of AT_MOST_ONCE) {
        const repeated = fields.of(name);
        if (repeated.length < 2) continue;
        out.push(
          problem(
            `${repeated.length} ${displayName(name)} header fields; ${displayName(name)} takes a single value (RFC 3261 §7.3.1)`,
            repeated.map((field) => field.line).join(' | '),
          ),
        );
      }
      return out;
    },
  },
  {
    // RFC 3261 §25.1: "callid = word [ "@" word ]".
    name: 'call-id',
    run: (_message, fields) =>
      fields
        .of('call-id')
        .filter((field) => !/^[\x21-\x7e]+$/.test(field.value) || field.value.split('@').length > 2)
        .map((field) => problem(`Call-ID '${field.value.slice(0, 60)}' is not word[@word]`, field.line)),
  },
  {
    // RFC 3261 §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned
    // integer and MUST be less than 2**31." ... "The method MUST match that of the request."
    name: 'cseq',
    run: (message, fields) => {
      const out: MessageProblem[] = [];
      for (const field of fields.of('cseq')) {
        const reading = parseCSeq(field.value);
        if (reading.problem !== null) out.push(problem(reading.problem, field.line));
        if (message.kind === 'request' && reading.cseq !== null && reading.cseq.method !== message.method) {
          out.push(
            problem(
              `CSeq method '${reading.cseq.method}' does not match the request method '${message.method}' (RFC 3261 §8.1.1.5)`,
              field.line,
            ),
          );
        }
      }
      return out;
    },
  },
  {
    // RFC 3261 §20.22: "Max-Forwards = "Max-Forwards" HCOLON 1*DIGIT" and "The Max-Forwards
    // value is an integer in the range 0-255".
    name: 'max-forwards',
    run: (_message, fields) =>
      fields
        .of('max-forwards')
        .filter((field) => !/^\d+$/.test(field.value) || Number(field.value) > 255)
        .map((field) =>
          problem(
            `Max-Forwards '${field.value.slice(0, 40)}' is not an integer in 0-255 (RFC 3261 §20.22)`,
            field.line,
          ),
        ),
  },
  {
    // RFC 3261 §25.1: "Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)".
    name: 'via',
    run: (_message, fields) => {
      const out: MessageProblem[] = [];
      for (const field of fields.of('via')) {
        const values = splitHeaderValue(field.value);
        if (values.some((value) => value === '')) {
          // RFC 4475 §3.1.2.1 (badinv01.dat): `;;,;,,` are extraneous separators.
          out.push(problem("empty Via value (extraneous ',')", field.line));
        }
        for (const value of values) {
          if (value === '') continue;
          for (const reason of new Set(parseVia(value).problems)) out.push(problem(reason, field.line));
        }
      }
      return out;
    },
  },
  {
    name: 'name-addr',
    run: (_message, fields) => {
      const out: MessageProblem[] = [];
      for (const name of NAME_ADDR_SINGLE) {
        for (const field of fields.of(name)) {
          for (const reason of parseNameAddr(field.value).problems) {
            out.push(problem(`${displayName(name)}: ${reason}`, field.line));
          }
        }
      }
      for (const name of NAME_ADDR_LIST) {
        for (const field of fields.of(name)) {
          const values = splitHeaderValue(field.value);
          if (values.some((value) => value === ''))
            out.push(problem(`${displayName(name)}: empty value (extraneous ',')`, field.line));
          for (const value of values) {
            // RFC 3261 §20.10: "Contact = ("Contact" / "m" ) HCOLON ( STAR / (contact-param *(COMMA contact-param)))".
            if (value === '' || (name === 'contact' && value === '*')) continue;
            const reading = parseNameAddr(value);
            for (const reason of reading.problems)
              out.push(problem(`${displayName(name)}: ${reason}`, field.line));
            const expires = reading.params.find(([param]) => param === 'expires')?.[1];
            if (name === 'contact' && expires != null && !isUint32(expires)) {
              // RFC 4475 §3.1.2.4 (scalar02.dat): the expires parameter is a delta-seconds
              // value that must fit 32 bits, like the Expires header (RFC 3261 §20.19).
              out.push(
                problem(
                  `Contact expires=${expires.slice(0, 40)} is not delta-seconds within 2**32-1`,
                  field.line,
                ),
              );
            }
          }
        }
      }
      return out;
    },
  },
  {
    name: 'request-uri',
    run: (message) =>
      message.kind === 'request' && message.requestUri !== null
        ? requestUriProblems(message.requestUri).map((reason) => problem(reason, message.startLine))
        : [],
  },
  {
    // RFC 3261 §20.17: "SIP restricts the time zone in SIP-date to "GMT", while RFC 1123 allows
    // any time zone." (RFC 4475 §3.1.2.12 baddate.dat: a proxy should still forward it.)
    name: 'date',
    run: (_message, fields) =>
      fields
        .of('date')
        .filter((field) => !RFC1123_GMT.test(field.value))
        .map((field) =>
          problem(
            `Date '${field.value.slice(0, 60)}' is not an RFC 1123 date in GMT (RFC 3261 §20.17)`,
            field.line,
          ),
        ),
  },
  {
    // RFC 3261 §20.19: "The value of this field is an integral number of seconds (in decimal)
    // between 0 and (2**32)-1". Min-Expires is the same delta-seconds (§20.23); Retry-After's
    // delta-seconds is held to the same bound (RFC 4475 §3.1.2.5, scalarlg.dat, calls a larger
    // Retry-After an overlarge scalar).
    name: 'delta-seconds',
    run: (_message, fields) => {
      const out: MessageProblem[] = [];
      for (const name of ['expires', 'min-expires']) {
        for (const field of fields.of(name)) {
          if (!isUint32(field.value)) {
            out.push(
              problem(
                `${displayName(name)} '${field.value.slice(0, 40)}' is not delta-seconds within 2**32-1`,
                field.line,
              ),
            );
          }
        }
      }
      for (const field of fields.of('retry-after')) {
        const delta = /^\d+/.exec(field.value)?.[0];
        if (delta === undefined || !isUint32(delta)) {
          out.push(
            problem(
              `Retry-After '${field.value.slice(0, 40)}' is not delta-seconds within 2**32-1`,
              field.line,
            ),
          );
        }
      }
      return out;
    },
  },
  {
    // RFC 3261 §20.43: "warning-value = warn-code SP warn-agent SP warn-text" and "warn-code = 3DIGIT".
    name: 'warning',
    run: (_message, fields) => {
      const out: MessageProblem[] = [];
      for (const field of fields.of('warning')) {
        for (const value of splitHeaderValue(field.value)) {
          if (!/^\d{3} /.test(value)) {
            out.push(
              problem(
                `Warning '${value.slice(0, 40)}' does not start with a 3-digit warn-code (RFC 3261 §20.43)`,
                field.line,
              ),
            );
          }
        }
      }
      return out;
    },
  },
  {
    // RFC 3261 §20.15: "The Content-Type header field MUST be present if the body is not empty."
    name: 'content-type',
    run: (message, fields) => {
      const types = fields.of('content-type');
      if (types.length === 0) {
        return message.body.length > 0
          ? [
              problem(
                `a body of ${message.body.length} bytes without Content-Type (RFC 3261 §20.15)`,
                message.startLine,
              ),
            ]
          : [];
      }
      return types
        .filter((field) => parseMediaType(field.value) === null)
        .map((field) =>
          problem(`Content-Type '${field.value.slice(0, 60)}' is not type/subtype`, field.line),
        );
    },
  },
];

const RFC1123_GMT =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Runs every check; never throws (a check bug becomes a problem, not a crash). */
export function grammarProblems(message: CheckedMessage, head: Head): MessageProblem[] {
  const out: MessageProblem[] = [];
  const fields = new FieldIndex(message.headers);
  for (const check of CHECKS) {
    try {
      out.push(...check.run(message, fields, head));
    } catch (error) {
      out.push(problem(`internal error in the '${check.name}' check: ${String(error).slice(0, 120)}`, null));
    }
  }
  return out;
}

function problem(reason: string, evidence: string | null): MessageProblem {
  return { code: 'malformed-message', reason, evidence: evidence === null ? null : clip(evidence) };
}

/** The header fields of one message by canonical name, built once for all the checks. */
export class FieldIndex {
  readonly #byName = new Map<string, HeaderLine[]>();

  constructor(fields: readonly HeaderLine[]) {
    for (const field of fields) {
      const list = this.#byName.get(field.name);
      if (list === undefined) this.#byName.set(field.name, [field]);
      else list.push(field);
    }
  }

  of(name: string): readonly HeaderLine[] {
    return this.#byName.get(name) ?? NO_FIELDS;
  }
}

const NO_FIELDS: readonly HeaderLine[] = [];

function isUint32(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) <= MAX_UINT32;
}

const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'mime-version': 'MIME-Version',
  rack: 'RAck',
  rseq: 'RSeq',
  'min-se': 'Min-SE',
  'p-asserted-identity': 'P-Asserted-Identity',
  'www-authenticate': 'WWW-Authenticate',
};

/** `max-forwards` → `Max-Forwards`, for reasons people read. */
function displayName(name: string): string {
  return (
    DISPLAY_NAMES[name] ??
    name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase())
  );
}

function lineAround(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const lf = text.indexOf('\n', at + 1);
  return latin1ToUtf8(text.slice(start, lf < 0 ? text.length : lf).replace(/\r/g, '\\r'));
}
