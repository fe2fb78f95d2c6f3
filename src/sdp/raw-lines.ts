/**
 * The strict raw line pass: one walk over the lines, driven by LINE_RULES and ATTRIBUTE_RULES. It sees
 * what an object-model parser hides: a second c= at one level, lines of unknown type, lines out of
 * place or out of order, values that break the grammar. It records, per level, what the media model
 * needs (first occurrence of single-valued lines, every occurrence of repeatable ones).
 */
import { ATTRIBUTE_RULES, type AttributeRule } from './attribute-rules.js';
import { redactCryptoLine } from './crypto.js';
import { type LevelRecord, newLevelRecord } from './level-record.js';
import { LINE_RULES, type LineRule, type PlacementRule } from './line-rules.js';
import type { ProblemList } from './problems.js';
import { lineMayHoldSdesKey, mayHoldSdesKey, redactIfKeyed } from './redact.js';
import { NO_SDP_LIMITS, type SdpLimits, SdpLineCounter } from './sdp-limits.js';
import { splitSdpLines } from './sdp-lines.js';
import { isTokenRange, quote } from './syntax.js';
import type { SdpOverLimit } from './types.js';

export interface RawSdp {
  readonly session: LevelRecord;
  readonly media: readonly LevelRecord[];
  /** The limit the description passed (it is then not modelled: the records are partial), or null. */
  readonly overLimit: SdpOverLimit | null;
}

/**
 * How the pass dispatches on the tables, worked out once at load: the rule for a line letter by char
 * code, the attribute rules bucketed by the first char of their name (compared in place, so a line
 * the model does not read, such as a=rtpmap, costs no string and no object), and each rule's key as one
 * bit of LevelRecord.seen.
 */
interface Dispatch<R extends PlacementRule> {
  readonly rule: R;
  readonly bit: number;
  readonly inSession: boolean;
  readonly inMedia: boolean;
  readonly sessionOrder: number;
  readonly mediaOrder: number;
}

interface AttributeDispatch extends Dispatch<AttributeRule> {
  readonly attributeName: string;
}

const KEY_BITS = new Map<string, number>();

function compile<R extends PlacementRule>(rule: R, order?: LineRule['order']): Dispatch<R> {
  let bit = KEY_BITS.get(rule.key);
  if (bit === undefined) {
    if (KEY_BITS.size >= 31) throw new Error('more than 31 rule keys: LevelRecord.seen needs a wider set');
    bit = 1 << KEY_BITS.size;
    KEY_BITS.set(rule.key, bit);
  }
  return {
    rule,
    bit,
    inSession: rule.levels.includes('session'),
    inMedia: rule.levels.includes('media'),
    sessionOrder: order?.session ?? -1,
    mediaOrder: order?.media ?? -1,
  };
}

const LINE_BY_CODE: Array<Dispatch<LineRule> | undefined> = new Array(128).fill(undefined);
for (const rule of Object.values(LINE_RULES))
  LINE_BY_CODE[rule.key.charCodeAt(0)] = compile(rule, rule.order);
const A_LINE = LINE_BY_CODE[97 /* a */]!;
const M_LINE = LINE_BY_CODE[109 /* m */]!;
/** RFC 8866 §5's required session lines; a missing v= is reported on the first line already. */
const REQUIRED_LINES = Object.values(LINE_RULES)
  .filter((rule) => rule.required && rule !== LINE_RULES.v)
  .map((rule) => LINE_BY_CODE[rule.key.charCodeAt(0)]!);

const ATTRIBUTES_BY_FIRST_CODE: AttributeDispatch[][] = Array.from({ length: 128 }, () => []);
for (const [attributeName, rule] of Object.entries(ATTRIBUTE_RULES)) {
  const code = attributeName.charCodeAt(0);
  if (code >= 128) throw new Error(`attribute name ${attributeName} is not ASCII`);
  ATTRIBUTES_BY_FIRST_CODE[code]!.push({ ...compile(rule), attributeName });
}

/** The attribute rule for the name `text.slice(start, end)`, or undefined. */
function attributeDispatchFor(text: string, start: number, end: number): AttributeDispatch | undefined {
  const code = text.charCodeAt(start);
  if (code >= 128) return undefined;
  const bucket = ATTRIBUTES_BY_FIRST_CODE[code]!;
  for (let i = 0; i < bucket.length; i++) {
    const entry = bucket[i]!;
    if (entry.attributeName.length === end - start && text.startsWith(entry.attributeName, start))
      return entry;
  }
  return undefined;
}

/**
 * One line of the description read in place, as `source.slice(start, end)`: the slice is only made
 * when something keeps the line or reports it, so a line the model does not read (a=rtpmap, a=ssrc...)
 * costs no string.
 */
class LineView {
  source = '';
  start = 0;
  end = 0;
  #text: string | null = null;

  set(source: string, start: number, end: number): void {
    this.source = source;
    this.start = start;
    this.end = end;
    this.#text = start === 0 && end === source.length ? source : null;
  }

  get text(): string {
    this.#text ??= this.source.slice(this.start, this.end);
    return this.#text;
  }
}

/** The state of one pass: what each line is checked against. */
interface Pass {
  readonly problems: ProblemList;
  readonly media: LevelRecord[];
  readonly session: LevelRecord;
  level: LevelRecord;
  /** Lines handled so far (the first must be v=). */
  count: number;
  readonly mayHoldNul: boolean;
  /** The line as read (as received for a=crypto), and the line as kept (redacted); usually one view. */
  readonly received: LineView;
  readonly redacted: LineView;
}

export function readSdpLines(text: string, problems: ProblemList, limits: SdpLimits = NO_SDP_LIMITS): RawSdp {
  const session = newLevelRecord(null, null);
  const media: LevelRecord[] = [];
  // RFC 8866 §5 lines end with CRLF or LF; trailing empty lines (the final CRLF, padding) are dropped.
  if (onlyLineEnds(text, 0)) {
    problems.add('malformed-sdp', 'the SDP body is empty', null, null);
    return { session, media, overLimit: null };
  }
  // Lines are counted as they are read; past a limit they are only counted (the pass stays linear).
  const counter = new SdpLineCounter(limits);
  const bareCarriageReturn = hasBareCarriageReturn(text);
  if (bareCarriageReturn) {
    problems.add(
      'malformed-sdp',
      'a bare CR ends a line; SDP lines end with CRLF or LF (RFC 8866 §5)',
      null,
      null,
    );
  }
  // Only a=crypto may carry an SDES key: it is read as received, but only its redacted form is kept.
  // Any other line that holds one (a key pasted elsewhere) is redacted before it is read, so no field
  // of the model can hold key material.
  const pass: Pass = {
    problems,
    media,
    session,
    level: session,
    count: 0,
    mayHoldNul: text.includes('\0'),
    received: new LineView(),
    redacted: new LineView(),
  };

  if (bareCarriageReturn) {
    // sdp-transform and others split on a bare CR too (sdp-lines.ts): rare, so split for real.
    const { lines } = splitSdpLines(text);
    const mayHoldKey = mayHoldSdesKey(text);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (counter.count(line, 0, line.length)) continue;
      readOneLine(pass, line, 0, line.length, mayHoldKey && lineMayHoldSdesKey(line));
    }
  } else {
    // Where the next `inline:` (in any case) starts: the lines it falls in are redacted before they are read.
    INLINE.lastIndex = 0;
    let nextKeyAt = INLINE.exec(text)?.index ?? -1;
    for (let start = 0; start < text.length; ) {
      let newline = text.indexOf('\n', start);
      if (newline === -1) newline = text.length;
      const end = newline > start && text.charCodeAt(newline - 1) === 13 /* CR */ ? newline - 1 : newline;
      if (end === start && onlyLineEnds(text, start)) break;
      const mayHoldKey = nextKeyAt !== -1 && nextKeyAt < end;
      if (!counter.count(text, start, end)) readOneLine(pass, text, start, end, mayHoldKey);
      start = newline + 1;
      if (mayHoldKey) {
        INLINE.lastIndex = start;
        nextKeyAt = INLINE.exec(text)?.index ?? -1;
      }
    }
  }

  const over = counter.overLimit;
  if (over !== null) return { session, media, overLimit: over };
  for (let i = 0; i < REQUIRED_LINES.length; i++) {
    const required = REQUIRED_LINES[i]!;
    if ((session.seen & required.bit) === 0) {
      const rule = required.rule;
      problems.add('malformed-sdp', `the session has no ${rule.name} line (${rule.rfc})`, null, null);
    }
  }
  return { session, media, overLimit: null };
}

/** True when `text` from `start` on is nothing but CRs and LFs (so it holds no more lines). */
function onlyLineEnds(text: string, start: number): boolean {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 13 && code !== 10) return false;
  }
  return true;
}

/** A CR that is followed neither by LF nor by the end of the text. */
function hasBareCarriageReturn(text: string): boolean {
  for (let cr = text.indexOf('\r'); cr !== -1; cr = text.indexOf('\r', cr + 1)) {
    if (cr + 1 < text.length && text.charCodeAt(cr + 1) !== 10 /* LF */) return true;
  }
  return false;
}

/** `inline:` cannot span lines, so an occurrence that starts in a line lies within it. */
const INLINE = /inline:/gi;

/** `mayHoldKey`: the line mentions `inline:` in some case (it is redacted before it is read). */
function readOneLine(pass: Pass, source: string, start: number, end: number, mayHoldKey: boolean): void {
  const problems = pass.problems;
  const index = pass.count++;
  const received = pass.received;
  received.set(source, start, end);
  let line = received;
  if (source.startsWith('a=crypto:', start) && end - start >= 9) {
    line = pass.redacted;
    const redacted = redactCryptoLine(received.text);
    line.set(redacted, 0, redacted.length);
  } else if (mayHoldKey) {
    const redacted = redactIfKeyed(received.text);
    received.set(redacted, 0, redacted.length);
  }
  const text = line.source;
  const lineStart = line.start;
  const length = line.end - lineStart;
  const level = pass.level;

  // RFC 8866 §5: a description opens with its session section, and that section with v=.
  if (index === 0 && !(length >= 2 && text.startsWith('v=', lineStart))) {
    problems.add('malformed-sdp', 'an SDP description must begin with v=0 (RFC 8866 §5)', null, line.text);
  }
  if (length < 2 || text.charCodeAt(lineStart + 1) !== 61 /* = */) {
    const reason =
      length === 0 ? 'an empty line inside the description' : 'a line not of the form <type>=<value>';
    problems.add('malformed-sdp', `${reason} (RFC 8866 §5)`, level.mediaIndex, line.text);
    return;
  }
  if (pass.mayHoldNul) {
    const nul = text.indexOf('\0', lineStart);
    if (nul !== -1 && nul < line.end) {
      problems.add(
        'malformed-sdp',
        'a NUL byte inside a line (RFC 8866 §9: text excludes NUL)',
        level.mediaIndex,
        line.text,
      );
    }
  }
  const letter = text.charCodeAt(lineStart);
  const dispatch = letter < 128 ? LINE_BY_CODE[letter] : undefined;
  if (dispatch === undefined) {
    problems.add(
      'malformed-sdp',
      `unknown line type ${quote(`${line.text[0]}=`)}; RFC 8866 §5 says the set of type letters is not extensible`,
      level.mediaIndex,
      line.text,
    );
    return;
  }
  if (dispatch === M_LINE) {
    pass.level = newLevelRecord(pass.media.length, line.text);
    pass.media.push(pass.level);
  }
  readLine(dispatch, received, line, pass.level, problems);
}

/** `received` is the line the reader sees (as received for a=crypto), `line` the line as kept. */
function readLine(
  dispatch: Dispatch<LineRule>,
  received: LineView,
  line: LineView,
  level: LevelRecord,
  problems: ProblemList,
): void {
  const rule = dispatch.rule;
  checkOrder(dispatch, line, level, problems);
  const repeated = checkPlacement(dispatch, line, level, problems);
  const text = received.source;
  const valueStart = received.start + 2;
  if (dispatch === A_LINE) {
    // LINE_RULES.a.read, in place: the attribute name must be a token.
    let nameEnd = text.indexOf(':', valueStart);
    if (nameEnd === -1 || nameEnd > received.end) nameEnd = received.end;
    if (isTokenRange(text, valueStart, nameEnd)) {
      if (repeated) reportRepeat(rule, line.text, level, problems);
      readAttribute(received, nameEnd, line, level, problems);
      return;
    }
  }
  const reason = rule.read(text.slice(valueStart, received.end), line.text, level);
  if (reason !== null) problems.add('malformed-sdp', naming(rule, reason), level.mediaIndex, line.text);
  if (repeated) reportRepeat(rule, line.text, level, problems);
}

/** An a= line whose name, up to `nameEnd`, is a token. */
function readAttribute(
  received: LineView,
  nameEnd: number,
  line: LineView,
  level: LevelRecord,
  problems: ProblemList,
): void {
  const dispatch = attributeDispatchFor(received.source, received.start + 2, nameEnd);
  if (dispatch === undefined) return;
  const rule = dispatch.rule;
  const repeated = checkPlacement(dispatch, line, level, problems);
  const value = nameEnd === received.end ? null : received.source.slice(nameEnd + 1, received.end);
  const reason = rule.read(value, line.text, level);
  if (reason !== null) problems.add('malformed-sdp', naming(rule, reason), level.mediaIndex, line.text);
  if (repeated) reportRepeat(rule, line.text, level, problems);
}

/** A reason names the line it is about: `c=: '999.1.1.1' is shaped like an IPv4 address...`. */
function naming(rule: PlacementRule, reason: string): string {
  return reason.startsWith(rule.name) ? reason : `${rule.name}: ${reason}`;
}

/** RFC 8866 §5: lines "MUST appear in exactly the order given" (session v o s i u e p c b t r z k a; media m i c b k a). */
function checkOrder(
  dispatch: Dispatch<LineRule>,
  line: LineView,
  level: LevelRecord,
  problems: ProblemList,
): void {
  const rank = level.level === 'session' ? dispatch.sessionOrder : dispatch.mediaOrder;
  if (rank < 0) return; // not allowed at this level at all: checkPlacement reports it
  if (rank < level.lastOrder) {
    const order = level.level === 'session' ? 'v o s i u e p c b t r z k a' : 'm i c b k a';
    problems.add(
      'malformed-sdp',
      `${dispatch.rule.name} is out of order; RFC 8866 §5 requires ${order}`,
      level.mediaIndex,
      line.text,
    );
  } else {
    level.lastOrder = rank;
  }
}

/** Reports a line at a level it may not appear at; returns true when it repeats a once-per-level line. */
function checkPlacement(
  dispatch: Dispatch<PlacementRule>,
  line: LineView,
  level: LevelRecord,
  problems: ProblemList,
): boolean {
  const rule = dispatch.rule;
  if (!(level.level === 'session' ? dispatch.inSession : dispatch.inMedia)) {
    const where =
      level.level === 'session'
        ? 'a media-level line, found at session level'
        : 'a session-level line, found inside an m= section';
    problems.add('malformed-sdp', `${rule.name} is ${where} (${rule.rfc})`, level.mediaIndex, line.text);
  }
  const seenBefore = (level.seen & dispatch.bit) !== 0;
  level.seen |= dispatch.bit;
  return seenBefore && rule.repeats !== 'yes';
}

function reportRepeat(rule: PlacementRule, line: string, level: LevelRecord, problems: ProblemList): void {
  const code = rule.repeatCode ?? 'malformed-sdp';
  if (rule.repeats === 'multicast-layers') {
    if (level.level === 'media' && level.connections.every((address) => address.kind === 'multicast')) return;
    problems.add(code, describeDuplicateConnection(level), level.mediaIndex, line);
    return;
  }
  const where = level.mediaIndex === null ? 'the session level' : `m= section ${level.mediaIndex}`;
  problems.add(
    code,
    `${rule.name} appears more than once at ${where}; the first one is used (${rule.rfc})`,
    level.mediaIndex,
    line,
  );
}

/**
 * RFC 8866 §5.7: "Multiple addresses or "c=" lines MUST NOT be specified at the session level", and at
 * media level only for layered multicast. Which one a receiver uses is up to its parser: sdp-transform
 * keeps the last, others the first. We report the first as the effective address, keep all of them in
 * `connections`, and name both here.
 */
function describeDuplicateConnection(level: LevelRecord): string {
  const first = level.connections[0];
  const last = level.connections[level.connections.length - 1];
  const where = level.mediaIndex === null ? 'at the session level' : `in m= section ${level.mediaIndex}`;
  return (
    `${level.connections.length} c= lines ${where} (RFC 8866 §5.7 allows one): ` +
    `the first, ${first?.written ?? '?'}, is used here; a last-wins parser such as sdp-transform uses ${last?.written ?? '?'}`
  );
}
