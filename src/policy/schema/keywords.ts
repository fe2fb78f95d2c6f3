/**
 * The checks JSON Schema cannot express, added to ajv as keywords so they run in the same
 * pass as the structural ones: one load reports a bad CIDR, an unknown field and an unknown
 * source id together, each at its own line. Each keyword is a thin wrapper around a small
 * pure function that returns what was expected (or null when the value is fine).
 *
 * Keyword errors carry `params.expected` and `params.got`; load-validate.ts prints them.
 */
import type { Ajv, FuncKeywordDefinition, SchemaValidateFunction } from 'ajv';
import ipaddr from 'ipaddr.js';
import { parseCidr } from '../cidr.js';

/** Annotation keywords: no validation, read back by load-validate.ts when it words an error. */
export const ANNOTATIONS = [
  // What a value should have been, in words: "an IPv4 or IPv6 CIDR".
  { keyword: 'expected', schemaType: 'string' },
  // Top-level names kept for later sections (proxy:, http:, log:), named in "unknown field" errors.
  { keyword: 'reserved', schemaType: 'array' },
] as const;

export interface KeywordProblem {
  /** Extra segments from the keyword's node to the value at fault. */
  readonly at: readonly (string | number)[];
  readonly expected: string;
  readonly got: string;
}

/** A CIDR the loader accepts: valid per parseCidr and written as its network address. */
export function cidrProblem(text: string): string | null {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') return 'an IPv4 or IPv6 CIDR';
  if (!text.includes('/')) return null;
  // A set host bit (168.86.140.0/18) is almost always a typo for another network.
  const network =
    parsed.network.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(text);
  const canonical = `${network.toString()}/${parsed.prefix}`;
  return network.toNormalizedString() === parsed.network.toNormalizedString()
    ? null
    : `a network address with the host bits zero (${canonical})`;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** True for an absolute http(s) URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{min, max}`: min must not exceed max. */
export function spanProblem(span: unknown): KeywordProblem | null {
  if (!isRecord(span) || typeof span.min !== 'number' || typeof span.max !== 'number') return null;
  return span.min <= span.max
    ? null
    : { at: ['max'], expected: `a value at least min (${span.min})`, got: String(span.max) };
}

/** `{from, until}`: an effective window must not end before it starts. */
export function windowProblem(fact: unknown): KeywordProblem | null {
  if (!isRecord(fact) || typeof fact.from !== 'string' || typeof fact.until !== 'string') return null;
  if (!isCalendarDate(fact.from) || !isCalendarDate(fact.until) || fact.from <= fact.until) return null;
  return {
    at: ['until'],
    expected: `a date on or after from (${fact.from})`,
    got: JSON.stringify(fact.until),
  };
}

/** A fact with `verified: false` must say why in `note`, so a reader can judge how far to trust it. */
export function missingNoteProblem(fact: unknown): KeywordProblem | null {
  if (!isRecord(fact) || fact.verified !== false || fact.note !== undefined) return null;
  return {
    at: ['note'],
    expected: 'a note saying why the fact is not verified',
    got: 'nothing (the field is missing)',
  };
}

/** Items of a list must not repeat `field` (source ids, CIDRs). */
export function duplicateProblems(items: unknown, field: string): KeywordProblem[] {
  if (!Array.isArray(items)) return [];
  const seen = new Map<string, number>();
  const problems: KeywordProblem[] = [];
  items.forEach((item, index) => {
    const value = isRecord(item) ? item[field] : undefined;
    if (typeof value !== 'string') return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else
      problems.push({
        at: [index, field],
        expected: `a ${field} no other item in the list has (item [${first}] has it too)`,
        got: JSON.stringify(value),
      });
  });
  return problems;
}

/** The ids declared under the document's top-level `sources:` list. */
export function declaredSourceIds(root: unknown): string[] {
  if (!isRecord(root) || !Array.isArray(root.sources)) return [];
  return root.sources.flatMap((entry) => (isRecord(entry) && typeof entry.id === 'string' ? [entry.id] : []));
}

/** A fact's `source:` (or `seeAlso:` entry) must name a declared source. */
export function sourceRefProblem(id: string, root: unknown): string | null {
  const ids = declaredSourceIds(root);
  if (ids.includes(id)) return null;
  return ids.length === 0
    ? 'the id of an entry in sources (none are declared)'
    : `the id of an entry in sources (one of: ${ids.join(', ')})`;
}

/** Wraps a check into an ajv keyword that reports KeywordProblems at their own paths. */
function keyword(
  name: string,
  type: 'string' | 'object' | 'array',
  schemaType: 'boolean' | 'string',
  check: (data: unknown, schema: unknown, root: unknown) => readonly KeywordProblem[],
): FuncKeywordDefinition {
  const validate: SchemaValidateFunction = (schema, data, _parent, cxt) => {
    const problems = check(data, schema, cxt?.rootData);
    const base = cxt?.instancePath ?? '';
    validate.errors = problems.map((problem) => ({
      keyword: name,
      instancePath: base + problem.at.map((segment) => `/${pointerEscape(String(segment))}`).join(''),
      message: `must be ${problem.expected}`,
      params: { expected: problem.expected, got: problem.got },
    }));
    return problems.length === 0;
  };
  return { keyword: name, type, schemaType, errors: true, validate };
}

function pointerEscape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

const single = (problem: KeywordProblem | null): KeywordProblem[] => (problem === null ? [] : [problem]);

/** Registers the annotations and the keywords on an ajv instance. */
export function addKeywords(ajv: Ajv): Ajv {
  for (const annotation of ANNOTATIONS) ajv.addKeyword({ ...annotation });
  ajv.addKeyword(
    keyword('cidr', 'string', 'boolean', (data) => {
      const expected = typeof data === 'string' ? cidrProblem(data) : null;
      return single(expected === null ? null : { at: [], expected, got: JSON.stringify(data) });
    }),
  );
  ajv.addKeyword(keyword('portSpan', 'object', 'boolean', (data) => single(spanProblem(data))));
  ajv.addKeyword(keyword('dateWindow', 'object', 'boolean', (data) => single(windowProblem(data))));
  ajv.addKeyword(
    keyword('noteWhenUnverified', 'object', 'boolean', (data) => single(missingNoteProblem(data))),
  );
  ajv.addKeyword(
    keyword('uniqueBy', 'array', 'string', (data, field) =>
      duplicateProblems(data, typeof field === 'string' ? field : ''),
    ),
  );
  ajv.addKeyword(
    keyword('sourceRef', 'string', 'boolean', (data, _schema, root) => {
      const expected = typeof data === 'string' ? sourceRefProblem(data, root) : null;
      return single(expected === null ? null : { at: [], expected, got: JSON.stringify(data) });
    }),
  );
  ajv.addFormat('date', isCalendarDate);
  ajv.addFormat('http-url', isHttpUrl);
  return ajv;
}
