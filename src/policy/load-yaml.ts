/**
 * Reading a YAML file so that every later problem can be pinned to a line: the parsed
 * document keeps its node ranges, a LineCounter turns offsets into line:column, and a
 * field path (`media.ranges[0].cidr`) walks back from the plain data to the node.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type ConfigIssue, fieldIssueText, fileIssue, throwIfAny } from './load-error.js';

/** One segment of a field path: a mapping key or a list index. */
export type PathSegment = string | number;

export interface YamlSource {
  /** Absolute path. */
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The document as plain data (null for an empty file). */
  readonly data: unknown;
}

export type YamlRead =
  | { readonly ok: true; readonly source: YamlSource }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Reads and parses a YAML file; I/O and syntax problems come back as located issues. */
export function readYaml(file: string): YamlRead {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      issues: [fileIssue(path, '', 'a readable YAML file', `cannot read the file: ${reason}`)],
    };
  }
  return parseYaml(path, text);
}

/** Reads and parses a YAML file, or throws a ConfigError naming the line of each syntax error. */
export function loadYaml(file: string): YamlSource {
  const read = readYaml(file);
  if (read.ok) return read.source;
  throwIfAny(read.issues);
  throw new Error(`internal: reading ${file} failed without issues`);
}

/** Parses YAML text that came from `file` (the name is only used in issues). */
export function parseYaml(file: string, text: string): YamlRead {
  const lines = new LineCounter();
  // prettyErrors off: yaml would append its own "at line N" and a snippet; we print file:line:col.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error): ConfigIssue => {
      const { line, col } = lines.linePos(error.pos[0]);
      return {
        file,
        line,
        column: col,
        field: '',
        expected: 'valid YAML',
        text: `YAML syntax error: ${error.message}`,
      };
    });
    return { ok: false, issues };
  }
  return { ok: true, source: { file, doc, lines, data: doc.toJS() } };
}

/** Where a node (or, with `key`, its mapping key) starts: 1-based line and column. */
export interface Place {
  readonly line: number;
  readonly column: number;
}

/**
 * The place of the deepest node on `path` that exists. With `key: true` and a path ending in
 * a mapping key, the key itself (for "unknown field" problems, the key is what is wrong).
 * Missing fields therefore point at the mapping that should have held them.
 */
export function locate(source: YamlSource, path: readonly PathSegment[], key = false): Place {
  let node: unknown = source.doc.contents;
  let place = startOf(source, node) ?? { line: 1, column: 1 };
  for (const [index, segment] of path.entries()) {
    node = isAlias(node) ? node.resolve(source.doc) : node;
    const step = child(node, segment);
    if (step === undefined) break;
    const wantKey = key && index === path.length - 1;
    place = (wantKey ? startOf(source, step.keyNode) : null) ?? startOf(source, step.value) ?? place;
    node = step.value;
  }
  return place;
}

interface Step {
  readonly keyNode: unknown;
  readonly value: unknown;
}

function child(node: unknown, segment: PathSegment): Step | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
    return pair === undefined ? undefined : { keyNode: pair.key, value: pair.value ?? pair.key };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { keyNode: null, value: item };
  }
  return undefined;
}

function startOf(source: YamlSource, node: unknown): Place | null {
  const range = (node as Partial<Node> | null | undefined)?.range;
  if (range === undefined || range === null) return null;
  const { line, col } = source.lines.linePos(range[0]);
  return { line, column: col };
}

/** `media.ranges[0].cidr`; keys that are not plain words are quoted: `severity["a b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A located issue about one field. */
export function issueAt(
  source: YamlSource,
  path: readonly PathSegment[],
  expected: string,
  got: string,
  key = false,
): ConfigIssue {
  const { line, column } = locate(source, path, key);
  const field = formatPath(path);
  return { file: source.file, line, column, field, expected, text: fieldIssueText(field, expected, got) };
}

/** How a value reads in an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
