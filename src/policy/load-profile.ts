/**
 * Loading carrier profiles from `rules/<name>.yaml`: read, validate against the profile
 * schema (which also checks CIDRs, dates, port spans and source ids), then build the
 * CarrierProfile the checks use, with every fact's source resolved.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import {
  type ConfigIssue,
  didYouMean,
  displayPath,
  fieldIssueText,
  fileIssue,
  throwIfAny,
} from './load-error.js';
import { DEFAULT_RULES_DIR } from './load-paths.js';
import { cidrOf, compileSchema, validated } from './load-validate.js';
import { describeValue, issueAt, loadYaml, type YamlSource } from './load-yaml.js';
import type { CarrierProfile, Fact, FactSource } from './profile.js';
import { profileSchema, type RawFact, type RawProfile } from './schema/profile-schema.js';

const PROFILE_EXTENSION = '.yaml';

let validator: ValidateFunction<RawProfile> | undefined;

/** Loads and validates one profile file; throws ConfigError listing every problem. */
export function loadProfile(file: string): CarrierProfile {
  const source = loadYaml(file);
  validator ??= compileSchema<RawProfile>(profileSchema);
  const raw = validated(validator, source, nameIssues(source));
  return toProfile(raw, source.file);
}

/**
 * Loads `<rulesDir>/<name>.yaml`. Names are plain (letters, digits, dashes) so a name from a
 * command line or config can never reach outside the rules directory.
 */
export function loadProfileByName(name: string, rulesDir: string = DEFAULT_RULES_DIR): CarrierProfile {
  const known = listProfiles(rulesDir);
  if (!known.includes(name)) {
    const dir = resolve(rulesDir);
    const expected = `one of the profiles in ${displayPath(dir)}: ${known.join(', ') || '(none)'}`;
    const got = `${describeValue(name)}${didYouMean(name, known)}`;
    throwIfAny([fileIssue(dir, 'profile', expected, fieldIssueText('profile', expected, got))]);
  }
  return loadProfile(join(rulesDir, `${name}${PROFILE_EXTENSION}`));
}

/** Names of the profiles in a rules directory (file names without `.yaml`), sorted. */
export function listProfiles(rulesDir: string = DEFAULT_RULES_DIR): string[] {
  return readdirSync(rulesDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && extname(entry.name) === PROFILE_EXTENSION)
    .map((entry) => basename(entry.name, PROFILE_EXTENSION))
    .filter((name) => /^[a-z0-9][a-z0-9-]*$/.test(name))
    .sort();
}

/** `name:` must be the file name: it is what a user types to pick the profile. */
function nameIssues(source: YamlSource): ConfigIssue[] {
  const data = source.data;
  const name = typeof data === 'object' && data !== null ? (data as { name?: unknown }).name : undefined;
  const expected = basename(source.file, extname(source.file));
  if (typeof name !== 'string' || name === expected) return [];
  return [
    issueAt(source, ['name'], `"${expected}" (the file name without ${PROFILE_EXTENSION})`, `"${name}"`),
  ];
}

/** Builds the in-memory profile from schema-valid data. */
export function toProfile(raw: RawProfile, file: string): CarrierProfile {
  const sources = raw.sources.map(
    (entry): FactSource => ({
      id: entry.id,
      url: entry.url,
      checked: entry.checked,
      title: entry.title ?? null,
    }),
  );
  const byId = new Map(sources.map((entry) => [entry.id, entry]));
  const fact = (rawFact: RawFact): Fact => toFact(rawFact, byId);
  return {
    name: raw.name,
    carrier: raw.carrier,
    description: raw.description ?? null,
    file,
    sources,
    mediaRanges: raw.media.ranges.map((range) => ({
      ...fact(range),
      cidr: cidrOf(range.cidr),
      label: range.label ?? null,
    })),
    mediaPorts: raw.media.ports === undefined ? null : { ...fact(raw.media.ports), ...span(raw.media.ports) },
    retiredMedia: (raw.retiredMedia ?? []).map((range) => ({
      ...fact(range),
      cidr: cidrOf(range.cidr),
      label: range.label ?? null,
      ports: range.ports === undefined ? null : span(range.ports),
    })),
    signaling: raw.signaling.map((range) => ({
      ...fact(range),
      cidr: cidrOf(range.cidr),
      label: range.label ?? null,
      ports: range.ports.map((port) => ({ transport: port.transport, port: port.port })),
    })),
    srtp:
      raw.srtp === undefined
        ? null
        : {
            ...fact(raw.srtp),
            suites: [...raw.srtp.suites],
            mki: raw.srtp.mki,
            keyExchange: [...raw.srtp.keyExchange],
            requireTls: raw.srtp.requireTls,
          },
    iceExemptFromPortSpan: raw.iceExemptFromPortSpan ?? false,
  };
}

function toFact(raw: RawFact, sources: ReadonlyMap<string, FactSource>): Fact {
  return {
    source: sourceOf(raw.source, sources),
    seeAlso: (raw.seeAlso ?? []).map((id) => sourceOf(id, sources)),
    verified: raw.verified,
    note: raw.note ?? null,
    from: raw.from ?? null,
    until: raw.until ?? null,
  };
}

function span(raw: { readonly min: number; readonly max: number }): { min: number; max: number } {
  return { min: raw.min, max: raw.max };
}

/** The schema's sourceRef keyword has already checked the id; a miss here is a loader bug. */
function sourceOf(id: string, sources: ReadonlyMap<string, FactSource>): FactSource {
  const found = sources.get(id);
  if (found === undefined)
    throw new Error(`internal: source id "${id}" passed validation but is not declared`);
  return found;
}
