/**
 * Errors in rules and config files. A person fixing a YAML file needs to know which file,
 * which line, which field, and what would have been accepted, so every problem carries all
 * four, and one load reports every problem it found rather than stopping at the first.
 */
import { isAbsolute, relative, resolve } from 'node:path';

export interface ConfigIssue {
  /** Absolute path of the file the problem is in. */
  readonly file: string;
  /** 1-based line and column, or null when the problem has no place in a file (unreadable file). */
  readonly line: number | null;
  readonly column: number | null;
  /** Field path as a reader writes it: `media.ranges[0].cidr`; empty for the whole file. */
  readonly field: string;
  /** What would have been accepted, e.g. `an IPv4 or IPv6 CIDR`. */
  readonly expected: string;
  /** The text after `file:line:col: `. */
  readonly text: string;
}

/** The issue text for a field: `media.ranges[0].cidr: expected an IPv4 or IPv6 CIDR, got "x/33"`. */
export function fieldIssueText(field: string, expected: string, got: string): string {
  return `${field === '' ? '(top level)' : field}: expected ${expected}, got ${got}`;
}

/** Shows a path relative to the working directory when it lies under it, as editors and CI print them. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `rules/twilio.yaml:12:9: <text>`. */
export function formatIssue(issue: ConfigIssue): string {
  const place = issue.line === null ? '' : `:${issue.line}${issue.column === null ? '' : `:${issue.column}`}`;
  return `${displayPath(issue.file)}${place}: ${issue.text}`;
}

/** Orders issues as a reader scans: by file, then line, then column. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

export type NonEmpty<T> = readonly [T, ...T[]];

/**
 * Thrown when a rules or config file cannot be used. `file`, `line`, `column`, `field` and
 * `expected` describe the first problem (in file order); `issues` holds all of them and the
 * message lists them one per line.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly field: string;
  readonly expected: string;

  constructor(issues: NonEmpty<ConfigIssue>) {
    const sorted = sortIssues(issues);
    super(sorted.map(formatIssue).join('\n'));
    const first = sorted[0] ?? issues[0];
    this.issues = sorted;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.field = first.field;
    this.expected = first.expected;
  }
}

/** Throws a ConfigError when there is at least one issue. */
export function throwIfAny(issues: readonly ConfigIssue[]): void {
  const [first, ...rest] = issues;
  if (first !== undefined) throw new ConfigError([first, ...rest]);
}

/** An issue about a whole file (unreadable, missing) rather than a place in it. */
export function fileIssue(file: string, field: string, expected: string, text: string): ConfigIssue {
  return { file: resolve(file), line: null, column: null, field, expected, text };
}

/** The candidate within two edits of `word` (a likely typo), or null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "policy"?)` when a candidate is close, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === null ? '' : ` (did you mean "${match}"?)`;
}
