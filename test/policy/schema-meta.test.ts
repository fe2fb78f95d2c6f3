/**
 * The loader compiles our schemas without checking them against the JSON Schema meta-schema
 * (that check cost every command ~25 ms of start-up), so it is done here: a schema that ajv would
 * have refused (a string `minimum`, a misspelt `type`) still fails CI.
 */

import { Ajv, type SchemaObject } from 'ajv';
import test from 'ava';
import { compileSchema } from '../../src/policy/load-validate.js';
import * as common from '../../src/policy/schema/common.js';
import * as configSchemas from '../../src/policy/schema/config-schema.js';
import * as profileSchemas from '../../src/policy/schema/profile-schema.js';

/** Every exported schema: the plain objects among the schema modules' exports. */
function exportedSchemas(): [string, SchemaObject][] {
  const exports: [string, unknown][] = Object.entries({ ...common, ...configSchemas, ...profileSchemas });
  return exports.filter(
    (entry): entry is [string, SchemaObject] =>
      typeof entry[1] === 'object' &&
      entry[1] !== null &&
      Object.getPrototypeOf(entry[1]) === Object.prototype,
  );
}

/** The meta-schema's complaints about a schema, one per line; '' when it conforms. */
function metaProblems(schema: SchemaObject): string {
  // A plain instance of its own: draft-07 meta-schema, no keywords of ours (unknown ones are allowed there).
  const ajv = new Ajv({ allErrors: true });
  return ajv.validateSchema(schema) ? '' : ajv.errorsText(ajv.errors, { separator: '\n' });
}

test('the schema modules export the config and profile schemas the loader compiles', (t) => {
  const names = exportedSchemas().map(([name]) => name);
  t.true(names.includes('configSchema'));
  t.true(names.includes('profileSchema'));
  t.true(names.includes('portSpanSchema'));
});

test('every exported schema conforms to the JSON Schema draft-07 meta-schema', (t) => {
  for (const [name, schema] of exportedSchemas()) t.is(metaProblems(schema), '', name);
});

test('the meta-schema check fails a broken schema', (t) => {
  t.regex(metaProblems({ ...common.portSchema, minimum: '1' }), /minimum must be number/);
  t.regex(metaProblems({ ...common.textSchema, type: 'text' }), /type/);
});

test('the loader still refuses an unknown keyword when it compiles a schema', (t) => {
  t.throws(() => compileSchema({ type: 'string', cidrr: true }), { message: /unknown keyword: "cidrr"/ });
});
