/**
 * Loading the config file (`config/trunkguard.yaml` unless told otherwise): which carrier
 * profile to judge against, and the customer-side policy. Every policy field is optional in
 * the file; what is left out takes the default from defaultPolicy().
 */
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { type FindingCode, isFindingCode, isSeverity, type Severity } from './codes.js';
import { type ConfigIssue, didYouMean, displayPath, throwIfAny } from './load-error.js';
import { DEFAULT_CONFIG_FILE, DEFAULT_RULES_DIR } from './load-paths.js';
import { listProfiles, loadProfile, loadProfileByName } from './load-profile.js';
import { cidrOf, compileSchema, validated } from './load-validate.js';
import { describeValue, issueAt, loadYaml, type YamlSource } from './load-yaml.js';
import type { CarrierProfile, JudgeConfig, Policy } from './profile.js';
import { configSchema, type RawConfig } from './schema/config-schema.js';

// Callers catch what loadConfig throws; one import gives them both.
export { ConfigError } from './load-error.js';

/** The profile used when neither the config file nor the command line names one. */
export const DEFAULT_PROFILE = 'twilio';

/**
 * User-Agent substrings of well-known SIP scanners (matched case-insensitively).
 * friendly-scanner is SIPVicious's default UA; the rest are the tools and bots that show up in
 * every public SIP honeypot log. sipsak is also a legitimate test tool: drop it from the list
 * if your own monitoring uses it.
 */
export const DEFAULT_SCANNER_USER_AGENTS = [
  'friendly-scanner',
  'sipvicious',
  'sipcli',
  'sip-scan',
  'sundayddr',
  'iwar',
  'sipsak',
] as const;

/** The policy a deployment gets when its config says nothing. */
export function defaultPolicy(): Policy {
  return {
    // Twilio recommends secure media; an inspection proxy should not lower that bar by default.
    srtp: 'required',
    // RFC 4568 §8.3: SDES keys in clear signaling are readable by anyone on the path.
    sdesRequiresTls: true,
    trustedNetworks: [],
    allowedSuites: null,
    customerPorts: null,
    carrierPeers: [],
    severity: {},
    // RFC 3261 §18.1.1: 1300 bytes when the path MTU is unknown.
    udpMaxBytes: 1300,
    scannerUserAgents: [...DEFAULT_SCANNER_USER_AGENTS],
  };
}

export interface ConfigOverrides {
  /** A profile name or a path to a profile file; wins over the file's `profile:`. */
  readonly profile?: string | undefined;
  /** Where profile names are looked up; defaults to the shipped `rules/`. */
  readonly rulesDir?: string | undefined;
}

let validator: ValidateFunction<RawConfig> | undefined;

/**
 * Loads a config file (default: the shipped one) and the carrier profile it names.
 * Throws ConfigError, naming file, line and field, for every problem found.
 */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE, overrides: ConfigOverrides = {}): JudgeConfig {
  const source = normalizeEmpty(loadYaml(file));
  validator ??= compileSchema<RawConfig>(configSchema);
  const rulesDir = overrides.rulesDir ?? DEFAULT_RULES_DIR;
  const raw = validated(validator, source, profileNameIssues(source, overrides, rulesDir));
  const profile = resolveProfile(source, raw, overrides, rulesDir);
  const policy = toPolicy(raw);
  throwIfAny(suiteIssues(source, policy, profile));
  return { profile, policy };
}

/** An empty file is a valid config: everything takes its default. */
function normalizeEmpty(source: YamlSource): YamlSource {
  return source.data === null || source.data === undefined ? { ...source, data: {} } : source;
}

/** A value with a slash or a .yaml/.yml ending is a file path; anything else is a name in rules/. */
export function isProfilePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || /\.ya?ml$/i.test(value);
}

function profileValue(source: YamlSource): unknown {
  const data = source.data;
  return typeof data === 'object' && data !== null ? (data as { profile?: unknown }).profile : undefined;
}

/** An unknown profile name in the file is reported at its line, with the names that exist. */
function profileNameIssues(source: YamlSource, overrides: ConfigOverrides, rulesDir: string): ConfigIssue[] {
  const value = profileValue(source);
  if (overrides.profile !== undefined || typeof value !== 'string' || isProfilePath(value)) return [];
  const known = listProfiles(rulesDir);
  if (known.includes(value)) return [];
  const expected = `one of the profiles in ${displayPath(rulesDir)}: ${known.join(', ')}`;
  return [issueAt(source, ['profile'], expected, `${describeValue(value)}${didYouMean(value, known)}`)];
}

function resolveProfile(
  source: YamlSource,
  raw: RawConfig,
  overrides: ConfigOverrides,
  rulesDir: string,
): CarrierProfile {
  if (overrides.profile !== undefined) {
    // From the command line: paths are relative to where the command runs.
    return isProfilePath(overrides.profile)
      ? loadProfile(resolve(overrides.profile))
      : loadProfileByName(overrides.profile, rulesDir);
  }
  const name = raw.profile ?? DEFAULT_PROFILE;
  // From the file: paths are relative to the config file, so a config and its profile travel together.
  return isProfilePath(name)
    ? loadProfile(resolve(dirname(source.file), name))
    : loadProfileByName(name, rulesDir);
}

/** The policy from schema-valid data, defaults filled in. */
export function toPolicy(raw: RawConfig): Policy {
  const defaults = defaultPolicy();
  const policy = raw.policy ?? {};
  return {
    srtp: policy.srtp ?? defaults.srtp,
    sdesRequiresTls: policy.sdesRequiresTls ?? defaults.sdesRequiresTls,
    trustedNetworks: (policy.trustedNetworks ?? []).map(cidrOf),
    allowedSuites: policy.allowedSuites === undefined ? null : [...policy.allowedSuites],
    customerPorts:
      policy.customerPorts === undefined
        ? null
        : { min: policy.customerPorts.min, max: policy.customerPorts.max },
    carrierPeers: (raw.carrierPeers ?? []).map(cidrOf),
    severity: severityOverrides(policy.severity ?? {}),
    udpMaxBytes: policy.udpMaxBytes ?? defaults.udpMaxBytes,
    // The check matches lower-case substrings of the lower-cased User-Agent.
    scannerUserAgents: (policy.scannerUserAgents ?? defaults.scannerUserAgents).map((ua) => ua.toLowerCase()),
  };
}

function severityOverrides(raw: Readonly<Record<string, string>>): Partial<Record<FindingCode, Severity>> {
  const out: Partial<Record<FindingCode, Severity>> = {};
  for (const [code, severity] of Object.entries(raw)) {
    // The schema has checked both against codes.ts; the guards only narrow the types.
    if (isFindingCode(code) && isSeverity(severity)) out[code] = severity;
  }
  return out;
}

/**
 * allowedSuites must share at least one suite with the carrier's list, or every SRTP call the
 * carrier can make would break the policy: that is a config mistake, not a finding.
 */
function suiteIssues(source: YamlSource, policy: Policy, profile: CarrierProfile): ConfigIssue[] {
  const carrier = profile.srtp?.suites ?? [];
  const allowed = policy.allowedSuites;
  if (allowed === null || carrier.length === 0 || allowed.some((suite) => carrier.includes(suite))) return [];
  return [
    issueAt(
      source,
      ['policy', 'allowedSuites'],
      `at least one suite the ${profile.carrier} profile accepts (${carrier.join(', ')})`,
      `[${allowed.join(', ')}]`,
    ),
  ];
}
