/**
 * Grammar checks that do not stop a message from being read: each finds one kind of RFC 3261
 * break and returns `malformed-message` problems naming what is wrong, with the offending line
 * as evidence. One table, one entry per rule, each citing what it enforces.
 *
 * These run on first read of `SipMessage.problems`, never on the forwarding path.
 */
import { clip, isToken, latin1ToUtf8 } from './abnf.js';
import { parseCSeq } from './cseq.js';
import { contentTypeName, cseqReading, singleViaReading } from './field-readings.js';
import type { HeaderLine } from './header-index.js';
import { KNOWN_NAMES } from './header-names.js';
import { splitHeaderValue, trimLws } from './header-values.js';
import { parseMediaType } from './media-type.js';
import type { MessageProblem, SipMessage } from './message.js';
import type { Head } from './message-head.js';
import { parseNameAddr } from './name-addr.js';
import { requestUriIsClean, requestUriProblems } from './request-uri.js';
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

/**
 * Runs every check; never throws (a check bug becomes a problem, not a crash).
 *
 * Nearly every message breaks no rule, so a single pass first looks for anything that might
 * (`isClean`: no closures, no per-check arrays, no regex on the usual headers). Only when it is
 * not certain do the checks of the table run, and they give the exact problems.
 */
export function grammarProblems(message: CheckedMessage, head: Head): MessageProblem[] {
  let clean = false;
  try {
    clean = isClean(message, head);
  } catch {
    clean = false;
  }
  if (clean) return [];
  return runChecks(message, head);
}

/** Every check of the table, without the single-pass shortcut (what tests compare it with). */
export function runChecks(message: CheckedMessage, head: Head): MessageProblem[] {
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

/* The test `isClean` makes on a field, by name. */
const T_NONE = 0;
const T_VIA = 1;
const T_CALL_ID = 2;
const T_CSEQ = 3;
const T_NAME_ADDR = 4;
const T_MAX_FORWARDS = 5;
const T_CONTENT_TYPE = 6;
const T_DATE = 7;
const T_DELTA_SECONDS = 8;
const T_RETRY_AFTER = 9;
const T_CONTACT = 10;
const T_NAME_ADDR_LIST = 11;
const T_WARNING = 12;

/**
 * One slot per header name some check looks at: slot 0 is "no check". A slot has a test and,
 * for AT_MOST_ONCE names, a bit of its own (bit i for AT_MOST_ONCE[i]); Via's bit only records
 * that it was seen (the required headers).
 */
const SLOT_NAMES: string[] = [''];
const SLOT_TESTS: number[] = [T_NONE];
const SLOT_BITS: number[] = [0];
const SLOT_ONCE: boolean[] = [false];
const SEEN_VIA = 1 << AT_MOST_ONCE.length;

function slotTest(name: string): number {
  switch (name) {
    case 'via':
      return T_VIA;
    case 'call-id':
      return T_CALL_ID;
    case 'cseq':
      return T_CSEQ;
    case 'max-forwards':
      return T_MAX_FORWARDS;
    case 'content-type':
      return T_CONTENT_TYPE;
    case 'date':
      return T_DATE;
    case 'expires':
    case 'min-expires':
      return T_DELTA_SECONDS;
    case 'retry-after':
      return T_RETRY_AFTER;
    case 'contact':
      return T_CONTACT;
    case 'warning':
      return T_WARNING;
    default:
      if (NAME_ADDR_SINGLE.includes(name)) return T_NAME_ADDR;
      if (NAME_ADDR_LIST.includes(name)) return T_NAME_ADDR_LIST;
      return T_NONE;
  }
}

for (const name of new Set([...AT_MOST_ONCE, 'via', ...NAME_ADDR_SINGLE, ...NAME_ADDR_LIST, 'warning'])) {
  const once = AT_MOST_ONCE.indexOf(name);
  SLOT_NAMES.push(name);
  SLOT_TESTS.push(slotTest(name));
  SLOT_BITS.push(once >= 0 ? 1 << once : name === 'via' ? SEEN_VIA : 0);
  SLOT_ONCE.push(once >= 0);
}
if (AT_MOST_ONCE.length > 30) throw new Error('AT_MOST_ONCE outgrew the bits of an int');

function slotOf(name: string): number {
  return Math.max(SLOT_NAMES.indexOf(name), 0);
}

/** Slots by KNOWN_NAMES index (every checked name is among them), and by name for the rest. */
const SLOT_OF_KIND = Int8Array.from(KNOWN_NAMES, slotOf);
const SLOT_BY_NAME = new Map(SLOT_NAMES.map((name, slot) => [name, slot]));

function bitOf(name: string): number {
  return SLOT_BITS[slotOf(name)] as number;
}

const REQUIRED = bitOf('to') | bitOf('from') | bitOf('cseq') | bitOf('call-id') | SEEN_VIA;
const CONTENT_TYPE_BIT = bitOf('content-type');

/**
 * True only when every check of CHECKS would find nothing; false when one might (the table then
 * runs and says what). Each test below mirrors one check, in the same terms, but stops at the
 * first doubt instead of building a reason.
 */
function isClean(message: CheckedMessage, head: Head): boolean {
  if (hasBareCr(head.text)) return false; // bare-cr
  const fields = message.headers;
  const request = message.kind === 'request';
  let seen = 0;
  for (let k = 0; k < fields.length; k++) {
    const field = fields[k] as HeaderLine;
    let slot: number;
    if (field.kind >= 0) {
      slot = SLOT_OF_KIND[field.kind] as number; // recognised in place: a token
    } else {
      if (!field.nameIsToken()) return false; // header-name
      slot = SLOT_BY_NAME.get(field.name) ?? 0;
    }
    if (slot === 0) continue;
    const bit = SLOT_BITS[slot] as number;
    if (SLOT_ONCE[slot] === true && (seen & bit) !== 0) return false; // single-valued
    const before = seen;
    seen |= bit;
    switch (SLOT_TESTS[slot]) {
      case T_VIA:
        if (!viaIsClean(field, (before & SEEN_VIA) === 0)) return false;
        break;
      case T_CALL_ID:
        if (!callIdIsClean(field.value)) return false;
        break;
      case T_CSEQ: {
        const reading = cseqReading(field);
        if (reading.problem !== null) return false;
        if (request && reading.cseq !== null && reading.cseq.method !== message.method) return false;
        break;
      }
      case T_NAME_ADDR:
        if (!nameAddrIsClean(field.value, false)) return false;
        break;
      case T_MAX_FORWARDS:
        if (!isSmallInteger(field.value, 255)) return false;
        break;
      case T_CONTENT_TYPE:
        if (contentTypeName(field) === null) return false;
        break;
      case T_DATE:
        if (!RFC1123_GMT.test(field.value)) return false;
        break;
      case T_DELTA_SECONDS:
        if (!isSmallInteger(field.value, MAX_UINT32)) return false;
        break;
      case T_RETRY_AFTER: {
        const delta = /^\d+/.exec(field.value)?.[0];
        if (delta === undefined || !isUint32(delta)) return false;
        break;
      }
      case T_CONTACT:
        if (!nameAddrListIsClean(field.value, true)) return false;
        break;
      case T_NAME_ADDR_LIST:
        if (!nameAddrListIsClean(field.value, false)) return false;
        break;
      case T_WARNING:
        for (const value of splitHeaderValue(field.value)) {
          if (!/^\d{3} /.test(value)) return false;
        }
        break;
    }
  }
  if ((seen & REQUIRED) !== REQUIRED) return false; // required-headers
  // content-type: a body needs one.
  if ((seen & CONTENT_TYPE_BIT) === 0 && message.body.length > 0) return false;
  // request-uri
  if (request && message.requestUri !== null && !requestUriIsClean(message.requestUri)) return false;
  return true;
}

/** A CR not followed by LF anywhere in the head (the bare-cr check), without a regex. */
function hasBareCr(text: string): boolean {
  let at = text.indexOf('\r');
  while (at >= 0) {
    if (text.charCodeAt(at + 1) !== 0x0a) return true;
    at = text.indexOf('\r', at + 2);
  }
  return false;
}

/**
 * What the via check accepts: no empty value, every value read by parseVia without problems.
 * The first Via field's reading is the one topVia uses (read once for both); the others are
 * first matched against the usual spelling, which parseVia finds nothing in.
 */
function viaIsClean(field: HeaderLine, first: boolean): boolean {
  const value = field.value;
  if (!value.includes(',')) {
    // splitHeaderValue gives [trimLws(value)].
    if (trimLws(value) === '') return false;
    if (!first && isPlainVia(value)) return true;
    return singleViaReading(field).problems.length === 0;
  }
  for (const part of splitHeaderValue(value)) {
    if (part === '' || parseVia(part).problems.length > 0) return false;
  }
  return true;
}

/**
 * `SIP/2.0/transport host[:port]` then `;name[=value]` parameters, no whitespace but the one
 * SP, branch/received/maddr with a value, rport with a port or none, other parameter names
 * anything but a case variant of those four.
 */
const VIA_PLAIN = new RegExp(
  [
    String.raw`^SIP\/2\.0\/[\w\-.!%*+\`'~]+ (?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])`,
    String.raw`(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[0-5]?\d{1,4}))?`,
    String.raw`(?:;(?:(?:branch|received|maddr)=[\x21\x23-\x2b\x2d-\x3a\x3c-\x7e]+`,
    String.raw`|rport(?:=(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[0-5]?\d{1,4}))?`,
    String.raw`|(?!(?:[bB][rR][aA][nN][cC][hH]|[rR][eE][cC][eE][iI][vV][eE][dD]|[mM][aA][dD][dD][rR]|[rR][pP][oO][rR][tT])(?![\w\-.!%*+\`'~]))`,
    String.raw`[\w\-.!%*+\`'~]+(?:=[\x21\x23-\x2b\x2d-\x3a\x3c-\x7e]*)?))*$`,
  ].join(''),
);

function isPlainVia(value: string): boolean {
  return (
    VIA_PLAIN.test(value) &&
    appearsOnce(value, ';branch') &&
    appearsOnce(value, ';received') &&
    appearsOnce(value, ';maddr') &&
    appearsOnce(value, ';rport')
  );
}

/** At most once (a longer parameter name starting the same way counts too: conservative). */
function appearsOnce(text: string, part: string): boolean {
  const at = text.indexOf(part);
  return at < 0 || text.indexOf(part, at + 1) < 0;
}

/**
 * RFC 3261 §25.1: "callid = word [ "@" word ]", as the call-id check reads it: visible ASCII
 * (%x21-7E) and at most one '@'.
 */
const CALL_ID_PLAIN = /^[\x21-\x3f\x41-\x7e]*@?[\x21-\x3f\x41-\x7e]*$/;

function callIdIsClean(value: string): boolean {
  return value.length > 0 && CALL_ID_PLAIN.test(value);
}

/** 1*DIGIT whose value is at most `max` (as `/^\d+$/` and `Number(text) <= max` read it). */
function isSmallInteger(text: string, max: number): boolean {
  if (text.length === 0) return false;
  let number = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
    number = number * 10 + (code - 0x30);
    if (number > max) return false;
  }
  return true;
}

/** What the name-addr check accepts for one field of a list-valued name-addr header. */
function nameAddrListIsClean(value: string, contact: boolean): boolean {
  if (!value.includes(',')) return nameAddrIsClean(trimLws(value), contact);
  for (const part of splitHeaderValue(value)) {
    if (!nameAddrIsClean(part, contact)) return false;
  }
  return true;
}

/**
 * The usual name-addr / addr-spec spellings, in one native pass: `<uri>`, `Name <uri>`,
 * `"Name" <uri>` or `uri`, then `;name` / `;name=value` parameters, all without whitespace
 * where none is needed and without the characters the parser treats specially (quotes, commas,
 * angle brackets, '?'). parseNameAddr finds no problem in what this matches; anything else is
 * left to parseNameAddr.
 */
const NAME_ADDR_PLAIN =
  /^(?:(?:"(?:[^"\\]|\\[\s\S])*"[ \t]*|[\w\-.!%*+`'~ \t]*)<[\x21-\x3b\x3d\x3f-\x7e]+>|[\x21\x23-\x2b\x2d-\x3a\x3d\x40-\x7e]+)(?:;[\w\-.!%*+`'~]+(?:=[\x21\x23-\x2b\x2d-\x3a\x3d\x3f-\x7e]*)?)*$/;

/** A Contact that may carry an expires parameter (checked by the full reading). */
const MAY_HAVE_EXPIRES = /expires/i;

function nameAddrIsClean(value: string, contact: boolean): boolean {
  if (value === '') return false;
  if (contact && value === '*') return true;
  if (NAME_ADDR_PLAIN.test(value) && !(contact && MAY_HAVE_EXPIRES.test(value))) return true;
  const reading = parseNameAddr(value);
  if (reading.problems.length > 0) return false;
  if (contact) {
    for (const [param, paramValue] of reading.params) {
      if (param === 'expires') return paramValue === null || isUint32(paramValue);
    }
  }
  return true;
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
