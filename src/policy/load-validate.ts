/**
 * Schema validation with errors a person can act on. ajv reports where a value is by JSON
 * pointer (`/media/ranges/0/cidr`) and what failed by keyword; this turns each error into
 * a ConfigIssue at the YAML line of that value (or of the key, for unknown fields; or of
 * the enclosing mapping, for missing ones), worded from the schema's `expected` annotation.
 */

import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import { type Cidr, parseCidr } from './cidr.js';
import { type ConfigIssue, didYouMean, throwIfAny } from './load-error.js';
import { describeValue, issueAt, type PathSegment, type YamlSource } from './load-yaml.js';
import { addKeywords } from './schema/keywords.js';

/** Compiles a schema with our keywords; allErrors so one load reports every problem. */
export function compileSchema<T>(schema: SchemaObject): ValidateFunction<T> {
  // No optimisation pass: each schema is compiled once per load and validates one document, so the
  // pass cost more start-up than it saved. Our schemas are not checked against the JSON Schema
  // meta-schema here (compiling that cost every command ~25 ms): test/policy/schema-meta.test.ts
  // does it once in CI, and strict mode still rejects unknown keywords at compile time.
  const ajv = addKeywords(
    new Ajv({
      allErrors: true,
      verbose: true,
      strict: true,
      validateSchema: false,
      meta: false,
      code: { optimize: false },
    }),
  );
  return ajv.compile<T>(schema);
}

/** The located problems with the source's data; none when it conforms to the schema. */
export function schemaIssues<T>(validator: ValidateFunction<T>, source: YamlSource): ConfigIssue[] {
  return validator(source.data) ? [] : errorIssues(validator.errors ?? [], source);
}

/**
 * The source's data, typed, once it conforms; otherwise throws a ConfigError listing the schema
 * problems together with `extra` (checks the caller made that the schema cannot, e.g. file names).
 */
export function validated<T>(
  validator: ValidateFunction<T>,
  source: YamlSource,
  extra: readonly ConfigIssue[] = [],
): T {
  const data = source.data;
  const ok = validator(data);
  throwIfAny([...(ok ? [] : errorIssues(validator.errors ?? [], source)), ...extra]);
  if (!ok) throw new Error(`internal: the schema rejected ${source.file} without a reportable error`);
  return data;
}

function errorIssues(errors: readonly ErrorObject[], source: YamlSource): ConfigIssue[] {
  return dedupe(errors.flatMap((error) => toIssue(error, source)));
}

function toIssue(error: ErrorObject, source: YamlSource): ConfigIssue[] {
  const path = pointerToPath(error.instancePath, source.data);
  const params: Record<string, unknown> = error.params;
  // propertyNames only repeats the error its subschema (enum) already reported for the key.
  if (error.keyword === 'propertyNames') return [];
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    const field = params.missingProperty;
    const expected = propertyExpected(error.parentSchema, field) ?? 'a value';
    return [issueAt(source, [...path, field], expected, 'nothing (the field is missing)')];
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    const field = params.additionalProperty;
    const { expected, got } = unknownField(error.parentSchema, field);
    return [issueAt(source, [...path, field], expected, got, true)];
  }
  if (error.propertyName !== undefined) {
    // An error inside propertyNames: the key itself is wrong.
    const field = error.propertyName;
    const expected = annotation(error.parentSchema) ?? defaultExpected(error);
    return [issueAt(source, [...path, field], expected, JSON.stringify(field), true)];
  }
  if (typeof params.expected === 'string') {
    // Our keywords (keywords.ts) word their own errors.
    const got = typeof params.got === 'string' ? params.got : describeValue(error.data);
    return [issueAt(source, path, params.expected, got)];
  }
  const expected = annotation(error.parentSchema) ?? defaultExpected(error);
  return [issueAt(source, path, expected, describeValue(error.data))];
}

/** One issue per field: the first ajv reported (a type error before anything derived from it). */
function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (seen.has(issue.field)) return false;
    seen.add(issue.field);
    return true;
  });
}

/** `/media/ranges/0/cidr` to `['media', 'ranges', 0, 'cidr']` (indices only where the data is a list). */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const text = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(text) ? Number(text) : text;
    path.push(segment);
    node = child(node, segment);
  }
  return path;
}

function child(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node) && typeof segment === 'number') return node[segment];
  if (typeof node === 'object' && node !== null && typeof segment === 'string') {
    return (node as Record<string, unknown>)[segment];
  }
  return undefined;
}

function annotation(schema: unknown): string | null {
  const value = record(schema)?.expected;
  return typeof value === 'string' ? value : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** How a missing property is worded: its annotation, else its type. */
function propertyExpected(parentSchema: unknown, field: string): string | null {
  const property = record(record(parentSchema)?.properties)?.[field];
  return annotation(property) ?? typeWords(record(property)?.type);
}

/** An unknown field is worded with the fields that exist, and reserved names say so. */
function unknownField(parentSchema: unknown, field: string): { expected: string; got: string } {
  const schema = record(parentSchema);
  const names = Object.keys(record(schema?.properties) ?? {});
  const reserved = Array.isArray(schema?.reserved) ? schema.reserved.map(String) : [];
  return {
    expected: `one of the known fields (${names.join(', ')})`,
    got: reserved.includes(field)
      ? `"${field}", which is reserved for a later release and not supported yet`
      : `unknown field "${field}"${didYouMean(field, names)}`,
  };
}

function typeWords(type: unknown): string | null {
  switch (type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    default:
      return null;
  }
}

/** Fallback wording from the keyword and its params, for leaves without an annotation. */
function defaultExpected(error: ErrorObject): string {
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'type':
      return typeWords(params.type) ?? `a ${String(params.type)}`;
    case 'enum':
      return `one of ${Array.isArray(params.allowedValues) ? params.allowedValues.join(', ') : '?'}`;
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'minimum':
      return `a number at least ${String(params.limit)}`;
    case 'maximum':
      return `a number at most ${String(params.limit)}`;
    case 'minItems':
      return `a list of at least ${String(params.limit)} item(s)`;
    case 'minLength':
      return 'a non-empty string';
    case 'uniqueItems':
      return `a list without repeats (items [${String(params.j)}] and [${String(params.i)}] are equal)`;
    case 'pattern':
      return `a string matching ${String(params.pattern)}`;
    case 'format':
      return `a ${String(params.format)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** A CIDR the schema's cidr keyword has accepted; a failure here is a loader bug. */
export function cidrOf(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(`internal: CIDR passed validation but ${parsed}`);
  return parsed;
}
