/**
 * The small pure pieces of loading: the schema keywords' checks, path formatting, pointer
 * decoding, node location and error wording.
 */
import test from 'ava';
import { closest, formatIssue } from '../../src/policy/load-error.js';
import { pointerToPath } from '../../src/policy/load-validate.js';
import { describeValue, formatPath, locate, parseYaml } from '../../src/policy/load-yaml.js';
import {
  cidrProblem,
  duplicateProblems,
  isCalendarDate,
  isHttpUrl,
  sourceRefProblem,
  spanProblem,
  windowProblem,
} from '../../src/policy/schema/keywords.js';

test('cidrProblem accepts networks and bare addresses, names what is wrong otherwise', (t) => {
  for (const ok of ['168.86.128.0/18', '54.172.60.0/30', '203.0.113.7', '2001:db8::/32', '0.0.0.0/0']) {
    t.is(cidrProblem(ok), null, ok);
  }
  for (const bad of [
    '168.86.128.0/33',
    '1.2.3',
    '0x7f.0.0.1/8',
    'example.com',
    '10.0.0.0/',
    '10.0.0.0/08a',
  ]) {
    t.is(cidrProblem(bad), 'an IPv4 or IPv6 CIDR', bad);
  }
  t.is(cidrProblem('168.86.140.0/18'), 'a network address with the host bits zero (168.86.128.0/18)');
  t.regex(cidrProblem('2001:db8::1/32') ?? '', /2001:db8::\/32/);
});

test('isCalendarDate: YYYY-MM-DD that exists', (t) => {
  t.true(isCalendarDate('2024-02-21'));
  t.true(isCalendarDate('2024-02-29'));
  t.false(isCalendarDate('2023-02-29'));
  t.false(isCalendarDate('2026-13-01'));
  t.false(isCalendarDate('2026-1-01'));
  t.false(isCalendarDate('21/02/2024'));
});

test('isHttpUrl: absolute http(s) only', (t) => {
  t.true(isHttpUrl('https://www.twilio.com/docs/sip-trunking/ip-addresses'));
  t.false(isHttpUrl('www.twilio.com/docs'));
  t.false(isHttpUrl('ftp://example.com/'));
});

test('spanProblem and windowProblem point at the end that is wrong', (t) => {
  t.is(spanProblem({ min: 10000, max: 60000 }), null);
  t.is(spanProblem({ min: 5060, max: 5060 }), null);
  t.deepEqual(spanProblem({ min: 60000, max: 10000 }), {
    at: ['max'],
    expected: 'a value at least min (60000)',
    got: '10000',
  });
  t.is(spanProblem({ min: 'x', max: 1 }), null, 'type errors are the schema’s job');
  t.is(windowProblem({ from: '2023-10-10', until: '2024-02-21' }), null);
  t.is(windowProblem({ until: '2024-02-21' }), null);
  t.deepEqual(windowProblem({ from: '2024-02-21', until: '2023-10-10' })?.at, ['until']);
});

test('duplicateProblems reports each repeat at its own index', (t) => {
  const problems = duplicateProblems([{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'a' }], 'id');
  t.deepEqual(
    problems.map((problem) => problem.at),
    [
      [2, 'id'],
      [3, 'id'],
    ],
  );
  t.regex(problems[0]?.expected ?? '', /item \[0\]/);
});

test('sourceRefProblem lists the declared ids', (t) => {
  const root = { sources: [{ id: 'twilio-ip-addresses' }, { id: 'twilio-secure-media' }] };
  t.is(sourceRefProblem('twilio-secure-media', root), null);
  t.regex(sourceRefProblem('twilio-docs', root) ?? '', /one of: twilio-ip-addresses, twilio-secure-media/);
  t.regex(sourceRefProblem('x', {}) ?? '', /none are declared/);
});

test('formatPath writes paths as a reader would', (t) => {
  t.is(formatPath(['media', 'ranges', 0, 'cidr']), 'media.ranges[0].cidr');
  t.is(formatPath(['policy', 'severity', 'weak-crypto-suite']), 'policy.severity.weak-crypto-suite');
  t.is(formatPath(['policy', 'severity', 'a b']), 'policy.severity["a b"]');
  t.is(formatPath([]), '');
});

test('pointerToPath decodes JSON pointers, numbers only for list indices', (t) => {
  const data = { media: { ranges: [{ cidr: 'x' }] }, severity: { '0': 'high', 'a/b': 1 } };
  t.deepEqual(pointerToPath('/media/ranges/0/cidr', data), ['media', 'ranges', 0, 'cidr']);
  t.deepEqual(pointerToPath('/severity/0', data), ['severity', '0']);
  t.deepEqual(pointerToPath('/severity/a~1b', data), ['severity', 'a/b']);
  t.deepEqual(pointerToPath('', data), []);
});

test('locate finds values, keys, and the mapping that lacks a field; follows aliases', (t) => {
  const text = ['a:', '  list:', '    - x: 1', '      y: &p 2', 'b:', '  z: *p', ''].join('\n');
  const read = parseYaml('t.yaml', text);
  if (!read.ok) return t.fail('fixture YAML does not parse');
  const { source } = read;
  // The value itself, after its anchor.
  t.deepEqual(locate(source, ['a', 'list', 0, 'y']), { line: 4, column: 13 });
  t.deepEqual(locate(source, ['a', 'list', 0, 'y'], true), { line: 4, column: 7 });
  // Missing field: the mapping that should hold it.
  t.deepEqual(locate(source, ['a', 'list', 0, 'missing']), { line: 3, column: 7 });
  t.deepEqual(locate(source, ['b', 'z']), { line: 6, column: 6 });
});

test('describeValue words values for "got ..."', (t) => {
  t.is(describeValue(undefined), 'nothing');
  t.is(describeValue(null), 'an empty value');
  t.is(describeValue([]), 'an empty list');
  t.is(describeValue([1]), 'a list');
  t.is(describeValue({}), 'a mapping');
  t.is(describeValue('x'), '"x"');
  t.is(describeValue(70000), '70000');
});

test('closest suggests only near misses', (t) => {
  t.is(closest('polcy', ['profile', 'carrierPeers', 'policy']), 'policy');
  t.is(closest('twilo', ['telnyx', 'twilio']), 'twilio');
  t.is(closest('carrier', ['policy', 'profile']), null);
});

test('formatIssue omits the line for file-level problems', (t) => {
  const base = { file: '/nowhere/x.yaml', field: '', expected: 'a readable YAML file', text: 'cannot read' };
  t.is(formatIssue({ ...base, line: null, column: null }), '/nowhere/x.yaml: cannot read');
  t.is(formatIssue({ ...base, line: 3, column: 5 }), '/nowhere/x.yaml:3:5: cannot read');
});
