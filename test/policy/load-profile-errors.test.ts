/**
 * Broken profiles: each fixture in test/fixtures/rules/ is minimal.yaml with one thing wrong,
 * and the error must name that file, the line (and column) of the fault, the field path,
 * and what would have been accepted.
 */
import { relative } from 'node:path';
import test from 'ava';
import type { ConfigError } from '../../src/policy/load-error.js';
import { loadProfile } from '../../src/policy/load-profile.js';
import { fixturePath, loadErrorOf } from './load-fixtures.js';

function fixture(name: string): string {
  return fixturePath('rules', name);
}

function loadError(name: string): ConfigError {
  return loadErrorOf((file) => loadProfile(file), 'rules', name);
}

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly expected: RegExp;
}

const CASES: Record<string, Expectation> = {
  'bad-cidr': { line: 10, column: 13, field: 'media.ranges[0].cidr', expected: /IPv4 or IPv6 CIDR/ },
  'host-bits': {
    line: 10,
    column: 13,
    field: 'media.ranges[0].cidr',
    expected: /host bits zero \(192\.0\.2\.0\/24\)/,
  },
  'port-out-of-range': { line: 16, column: 10, field: 'media.ports.max', expected: /port number 1-65535/ },
  'min-over-max': { line: 16, column: 10, field: 'media.ports.max', expected: /at least min \(30000\)/ },
  'unknown-source': {
    line: 12,
    column: 15,
    field: 'media.ranges[0].source',
    expected: /one of: example-docs/,
  },
  'missing-field': { line: 10, column: 7, field: 'media.ranges[0].cidr', expected: /CIDR/ },
  'unknown-field': {
    line: 12,
    column: 7,
    field: 'media.ranges[0].colour',
    expected: /known fields \(cidr, label/,
  },
  'wrong-type': { line: 22, column: 12, field: 'signaling[0].ports', expected: /^a list$/ },
  'unverified-without-note': { line: 10, column: 7, field: 'media.ranges[0].note', expected: /why/ },
  'bad-date': { line: 7, column: 14, field: 'sources[0].checked', expected: /YYYY-MM-DD/ },
  'window-reversed': { line: 15, column: 14, field: 'media.ranges[0].until', expected: /on or after from/ },
  'wrong-name': { line: 2, column: 7, field: 'name', expected: /"wrong-name" \(the file name/ },
  'bad-transport': {
    line: 23,
    column: 22,
    field: 'signaling[0].ports[0].transport',
    expected: /udp, tcp, tls/,
  },
  'yaml-syntax': { line: 6, column: 1, field: '', expected: /valid YAML/ },
};

for (const [name, want] of Object.entries(CASES)) {
  test(`${name}.yaml: the error names the file, line ${want.line} and ${want.field || 'the syntax'}`, (t) => {
    const error = loadError(name);
    t.is(error.file, fixture(name));
    t.is(error.line, want.line);
    t.is(error.column, want.column);
    t.is(error.field, want.field);
    t.regex(error.expected, want.expected);
    t.is(error.issues.length, 1, error.message);
    t.true(
      error.message.startsWith(`${relative(process.cwd(), fixture(name))}:${want.line}:${want.column}: `),
    );
  });
}

test('the message reads file:line:col: field: expected ..., got ...', (t) => {
  const error = loadError('bad-cidr');
  t.is(
    error.message,
    `${relative(process.cwd(), fixture('bad-cidr'))}:10:13: media.ranges[0].cidr: expected an IPv4 or IPv6 CIDR, got "168.86.128.0/33"`,
  );
});

test('a missing field says it is missing; an unknown field says which fields exist', (t) => {
  t.regex(loadError('missing-field').message, /got nothing \(the field is missing\)$/);
  t.regex(loadError('unknown-field').message, /got unknown field "colour"$/);
  t.regex(loadError('wrong-type').message, /signaling\[0\]\.ports: expected a list, got 5060$/);
  t.regex(loadError('yaml-syntax').message, /:6:1: YAML syntax error: Flow sequence/);
});

test('every problem in a file is reported, in file order, one per line of the message', (t) => {
  const error = loadError('multiple-errors');
  t.deepEqual(
    error.issues.map((issue) => [issue.line, issue.field]),
    [
      [10, 'media.ranges[0].cidr'],
      [16, 'media.ports.max'],
      [23, 'signaling[0].ports[0].port'],
    ],
  );
  const lines = error.message.split('\n');
  t.is(lines.length, 3);
  t.regex(lines[2] ?? '', /signaling\[0\]\.ports\[0\]\.port: expected a port number 1-65535, got "5060"$/);
  // The error's own fields describe the first problem.
  t.is(error.line, 10);
  t.is(error.field, 'media.ranges[0].cidr');
});

test('an unreadable file is a ConfigError without a line', (t) => {
  const error = loadError('does-not-exist');
  t.is(error.line, null);
  t.regex(error.message, /does-not-exist\.yaml: cannot read the file: ENOENT/);
});
