/**
 * The strict raw line pass: one walk over the lines, driven by LINE_RULES and ATTRIBUTE_RULES. It sees
 * what an object-model parser hides: a second c= at one level, lines of unknown type, lines out of
 * place or out of order, values that break the grammar. It records, per level, what the media model
 * needs (first occurrence of single-valued lines, every occurrence of repeatable ones).
 */
import { attributeRuleFor } from './attribute-rules.js';
import { redactCryptoLine } from './crypto.js';
import { type LevelRecord, newLevelRecord } from './level-record.js';
import { LINE_RULES, type LineRule, lineRuleFor, type PlacementRule } from './line-rules.js';
import type { ProblemList } from './problems.js';
import { mayHoldSdesKey, redactIfKeyed } from './redact.js';
import { splitSdpLines } from './sdp-lines.js';
import { quote } from './syntax.js';

export interface RawSdp {
  readonly session: LevelRecord;
  readonly media: readonly LevelRecord[];
}

export function readSdpLines(text: string, problems: ProblemList): RawSdp {
  const session = newLevelRecord(null, null);
  const media: LevelRecord[] = [];
  const { lines, bareCarriageReturn } = splitSdpLines(text);
  if (lines.length === 0) {
    problems.add('malformed-sdp', 'the SDP body is empty', null, null);
    return { session, media };
  }
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
  const mayHoldKey = mayHoldSdesKey(text);
  const mayHoldNul = text.includes('\0');

  let level = session;
  for (let i = 0; i < lines.length; i++) {
    const received = lines[i]!;
    const isCrypto = received.startsWith('a=crypto:');
    const line = isCrypto ? redactCryptoLine(received) : mayHoldKey ? redactIfKeyed(received) : received;

    // RFC 8866 §5: a description opens with its session section, and that section with v=.
    if (i === 0 && !line.startsWith('v=')) {
      problems.add('malformed-sdp', 'an SDP description must begin with v=0 (RFC 8866 §5)', null, line);
    }
    if (line.length < 2 || line.charCodeAt(1) !== 61 /* = */) {
      const reason =
        line.length === 0 ? 'an empty line inside the description' : 'a line not of the form <type>=<value>';
      problems.add('malformed-sdp', `${reason} (RFC 8866 §5)`, level.mediaIndex, line);
      continue;
    }
    if (mayHoldNul && line.includes('\0')) {
      problems.add(
        'malformed-sdp',
        'a NUL byte inside a line (RFC 8866 §9: text excludes NUL)',
        level.mediaIndex,
        line,
      );
    }
    const rule = lineRuleFor(line[0]!);
    if (rule === undefined) {
      problems.add(
        'malformed-sdp',
        `unknown line type ${quote(`${line[0]}=`)}; RFC 8866 §5 says the set of type letters is not extensible`,
        level.mediaIndex,
        line,
      );
      continue;
    }
    if (rule === LINE_RULES.m) {
      level = newLevelRecord(media.length, line);
      media.push(level);
    }
    readLine(rule, (isCrypto ? received : line).slice(2), line, level, problems);
  }

  for (const rule of Object.values(LINE_RULES)) {
    // A missing v= was reported on the first line already.
    if (rule.required && rule !== LINE_RULES.v && !session.seen.includes(rule.key)) {
      problems.add('malformed-sdp', `the session has no ${rule.name} line (${rule.rfc})`, null, null);
    }
  }
  return { session, media };
}

function readLine(
  rule: LineRule,
  value: string,
  line: string,
  level: LevelRecord,
  problems: ProblemList,
): void {
  checkOrder(rule, line, level, problems);
  const repeated = checkPlacement(rule, line, level, problems);
  const reason = rule.read(value, line, level);
  if (reason !== null) problems.add('malformed-sdp', naming(rule, reason), level.mediaIndex, line);
  if (repeated) reportRepeat(rule, line, level, problems);
  if (rule === LINE_RULES.a && reason === null) readAttribute(value, line, level, problems);
}

function readAttribute(value: string, line: string, level: LevelRecord, problems: ProblemList): void {
  const colon = value.indexOf(':');
  const rule = attributeRuleFor(colon === -1 ? value : value.slice(0, colon));
  if (rule === undefined) return;
  const repeated = checkPlacement(rule, line, level, problems);
  const reason = rule.read(colon === -1 ? null : value.slice(colon + 1), line, level);
  if (reason !== null) problems.add('malformed-sdp', naming(rule, reason), level.mediaIndex, line);
  if (repeated) reportRepeat(rule, line, level, problems);
}

/** A reason names the line it is about: `c=: '999.1.1.1' is shaped like an IPv4 address...`. */
function naming(rule: PlacementRule, reason: string): string {
  return reason.startsWith(rule.name) ? reason : `${rule.name}: ${reason}`;
}

/** RFC 8866 §5: lines "MUST appear in exactly the order given" (session v o s i u e p c b t r z k a; media m i c b k a). */
function checkOrder(rule: LineRule, line: string, level: LevelRecord, problems: ProblemList): void {
  const rank = level.level === 'session' ? rule.order.session : rule.order.media;
  if (rank < 0) return; // not allowed at this level at all: checkPlacement reports it
  if (rank < level.lastOrder) {
    const order = level.level === 'session' ? 'v o s i u e p c b t r z k a' : 'm i c b k a';
    problems.add(
      'malformed-sdp',
      `${rule.name} is out of order; RFC 8866 §5 requires ${order}`,
      level.mediaIndex,
      line,
    );
  } else {
    level.lastOrder = rank;
  }
}

/** Reports a line at a level it may not appear at; returns true when it repeats a once-per-level line. */
function checkPlacement(
  rule: PlacementRule,
  line: string,
  level: LevelRecord,
  problems: ProblemList,
): boolean {
  if (!rule.levels.includes(level.level)) {
    const where =
      level.level === 'session'
        ? 'a media-level line, found at session level'
        : 'a session-level line, found inside an m= section';
    problems.add('malformed-sdp', `${rule.name} is ${where} (${rule.rfc})`, level.mediaIndex, line);
  }
  const seenBefore = level.seen.includes(rule.key);
  if (!seenBefore) level.seen.push(rule.key);
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
