/**
 * The config file: the shipped default, defaults for what a file leaves out, overrides, and
 * errors that name file, line and field.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ALL_CODES } from '../../src/policy/codes.js';
import { ConfigError, defaultPolicy, loadConfig } from '../../src/policy/load-config.js';
import { DEFAULT_CONFIG_FILE } from '../../src/policy/load-paths.js';
import { compileSchema, schemaIssues } from '../../src/policy/load-validate.js';
import { parseYaml } from '../../src/policy/load-yaml.js';
import { configSchema } from '../../src/policy/schema/config-schema.js';
import { fixturePath, loadErrorOf } from './load-fixtures.js';

const root = new URL('../../../', import.meta.url);

function fixture(name: string): string {
  return fixturePath('config', name);
}

function configError(name: string): ConfigError {
  return loadErrorOf((file) => loadConfig(file), 'config', name);
}

test('with no file, the shipped config: the twilio profile and the default policy', (t) => {
  t.is(DEFAULT_CONFIG_FILE, fileURLToPath(new URL('config/trunkguard.yaml', root)));
  const config = loadConfig();
  t.is(config.profile.name, 'twilio');
  t.deepEqual(config.policy, defaultPolicy());
});

test('the default policy: SRTP required, SDES only over TLS, RFC 3261 UDP limit, scanner list', (t) => {
  const policy = defaultPolicy();
  t.is(policy.srtp, 'required');
  t.true(policy.sdesRequiresTls);
  t.deepEqual(policy.trustedNetworks, []);
  t.is(policy.allowedSuites, null);
  t.is(policy.customerPorts, null);
  t.is(policy.udpMaxBytes, 1300);
  for (const ua of ['friendly-scanner', 'sipvicious', 'sipcli'])
    t.true(policy.scannerUserAgents.includes(ua));
  t.true(policy.scannerUserAgents.every((ua) => ua === ua.toLowerCase()));
});

test('the shipped config documents every policy field', (t) => {
  const text = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');
  t.regex(text, /^profile: /m);
  t.regex(text, /^carrierPeers: /m);
  for (const field of Object.keys(defaultPolicy()).filter((key) => key !== 'carrierPeers')) {
    // Present (possibly as a commented example) and preceded by a comment line.
    t.regex(text, new RegExp(`#[^\\n]*\\n\\s*#?\\s*${field}:`), `${field} is not documented`);
  }
});

test('an empty file takes every default', (t) => {
  const config = loadConfig(fixture('empty'));
  t.is(config.profile.name, 'twilio');
  t.deepEqual(config.policy, defaultPolicy());
});

test('--profile wins over the file, by name or by path', (t) => {
  t.is(loadConfig(undefined, { profile: 'telnyx' }).profile.name, 'telnyx');
  const byPath = fileURLToPath(new URL('test/fixtures/rules/minimal.yaml', root));
  t.throws(() => loadConfig(fixture('bad-srtp'), { profile: 'zoom' }), { instanceOf: ConfigError });
  t.is(loadConfig(fixture('empty'), { profile: byPath }).profile.name, 'minimal');
});

test('a config setting every field: values parsed, profile path relative to the config file', (t) => {
  const { profile, policy } = loadConfig(fixture('custom'));
  t.is(profile.name, 'minimal');
  t.is(policy.srtp, 'optional');
  t.false(policy.sdesRequiresTls);
  t.deepEqual(
    policy.trustedNetworks.map((cidr) => cidr.text),
    ['10.20.0.0/16', 'fd00::/8'],
  );
  t.deepEqual(
    policy.carrierPeers.map((cidr) => [cidr.text, cidr.prefix]),
    [
      ['203.0.113.7', 32],
      ['203.0.113.64/26', 26],
    ],
  );
  t.deepEqual(policy.allowedSuites, ['AES_CM_128_HMAC_SHA1_80']);
  t.deepEqual(policy.customerPorts, { min: 16384, max: 32767 });
  t.deepEqual(policy.severity, { 'weak-crypto-suite': 'high', 'via-rport': 'low' });
  t.is(policy.udpMaxBytes, 1400);
  // Matched against the lower-cased User-Agent, so stored lower-case.
  t.deepEqual(policy.scannerUserAgents, ['friendly-scanner', 'myscanner']);
});

interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly expected: RegExp;
  readonly got?: RegExp;
}

const CASES: Record<string, Expectation> = {
  'bad-severity': {
    line: 4,
    column: 24,
    field: 'policy.severity.weak-crypto-suite',
    expected: /info, low, medium, high, critical/,
    got: /got "severe"$/,
  },
  'unknown-code': {
    line: 5,
    column: 5,
    field: 'policy.severity.no-such-code',
    expected: /finding code/,
    got: /got "no-such-code"$/,
  },
  'bad-srtp': {
    line: 4,
    column: 9,
    field: 'policy.srtp',
    expected: /^one of required, optional, forbidden$/,
    got: /got "sometimes"$/,
  },
  'unknown-policy-field': {
    line: 4,
    column: 3,
    field: 'policy.requireSrtp',
    expected: /known fields \(srtp, sdesRequiresTls/,
  },
  'bad-peer': { line: 4, column: 5, field: 'carrierPeers[1]', expected: /CIDR/, got: /"10\.0\.0\.300\/8"$/ },
  'unknown-profile': {
    line: 2,
    column: 10,
    field: 'profile',
    expected: /twilio/,
    got: /got "twilo" \(did you mean "twilio"\?\)$/,
  },
  'disjoint-suites': {
    line: 4,
    column: 18,
    field: 'policy.allowedSuites',
    expected: /AES_CM_128_HMAC_SHA1_80/,
    got: /got \[AES_256_CM_HMAC_SHA1_80\]$/,
  },
  'wrong-type': { line: 3, column: 20, field: 'policy.trustedNetworks', expected: /^a list$/ },
  'yaml-syntax': { line: 3, column: 1, field: '', expected: /valid YAML/, got: /Tabs/ },
};

for (const [name, want] of Object.entries(CASES)) {
  test(`config ${name}.yaml: the error names the file, line ${want.line} and ${want.field || 'the syntax'}`, (t) => {
    const error = configError(name);
    t.is(error.file, fixture(name));
    t.is(error.line, want.line);
    t.is(error.column, want.column);
    t.is(error.field, want.field);
    t.regex(error.expected, want.expected);
    t.is(error.issues.length, 1, error.message);
    if (want.got) t.regex(error.message, want.got);
  });
}

test('unknown top-level sections are rejected, with the closest known one', (t) => {
  const error = configError('unknown-section');
  t.deepEqual(
    error.issues.map((issue) => [issue.line, issue.field]),
    [
      [3, 'polcy'],
      [5, 'logs'],
    ],
  );
  const [misspelt, plural] = error.message.split('\n');
  t.regex(
    misspelt ?? '',
    /known fields \(profile, carrierPeers, policy, proxy, log, http\), got unknown field "polcy"/,
  );
  t.regex(misspelt ?? '', /got unknown field "polcy" \(did you mean "policy"\?\)$/);
  t.regex(plural ?? '', /got unknown field "logs" \(did you mean "log"\?\)$/);
});

test('both port problems in one policy are reported', (t) => {
  const error = configError('customer-ports');
  t.deepEqual(
    error.issues.map((issue) => [issue.line, issue.field]),
    [
      [5, 'policy.customerPorts.max'],
      [6, 'policy.udpMaxBytes'],
    ],
  );
});

test('every finding code is accepted as a severity override key', (t) => {
  // The schema takes its code list from codes.ts; guard against the two drifting apart.
  const text = `policy:\n  severity:\n${ALL_CODES.map((code) => `    ${code}: info\n`).join('')}`;
  const read = parseYaml('inline.yaml', text);
  if (!read.ok) return t.fail('the generated YAML does not parse');
  t.deepEqual(schemaIssues(compileSchema(configSchema), read.source), []);
});

test('an unknown --profile is a ConfigError on the profile field', (t) => {
  const error = t.throws(() => loadConfig(undefined, { profile: 'telnix' }), { instanceOf: ConfigError });
  t.is(error?.field, 'profile');
  t.regex(error?.message ?? '', /did you mean "telnyx"\?/);
});

test('a missing config file is a ConfigError without a line', (t) => {
  const error = configError('does-not-exist');
  t.is(error.line, null);
  t.is(error.file, fixture('does-not-exist'));
});

test('a broken profile named by the config reports the profile file', (t) => {
  const broken = fileURLToPath(new URL('test/fixtures/rules/bad-cidr.yaml', root));
  const error = t.throws(() => loadConfig(fixture('empty'), { profile: broken }), {
    instanceOf: ConfigError,
  });
  t.is(error?.file, broken);
  t.is(error?.line, 10);
});
