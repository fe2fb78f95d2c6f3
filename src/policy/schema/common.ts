/**
 * Schema pieces shared by the profile and config schemas. Leaves carry `expected`, the words
 * an error uses for what would have been accepted; the keywords (cidr, portSpan, sourceRef...)
 * are defined in keywords.ts.
 */
import type { SchemaObject } from 'ajv';
import { IANA_CRYPTO_SUITES } from './crypto-suites.js';

export const cidrSchema = {
  type: 'string',
  cidr: true,
  expected: 'an IPv4 or IPv6 CIDR',
} as const satisfies SchemaObject;

export const dateSchema = {
  type: 'string',
  format: 'date',
  expected: 'a date written YYYY-MM-DD',
} as const satisfies SchemaObject;

export const portSchema = {
  type: 'integer',
  minimum: 1,
  maximum: 65535,
  expected: 'a port number 1-65535',
} as const satisfies SchemaObject;

export const textSchema = {
  type: 'string',
  minLength: 1,
  expected: 'a non-empty string',
} as const satisfies SchemaObject;

/** A lower-case name usable on a command line and as a reference: `twilio`, `twilio-ip-addresses`. */
export const nameSchema = {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9-]*$',
  expected: 'a lower-case name of letters, digits and dashes',
} as const satisfies SchemaObject;

export const suiteSchema = {
  enum: [...IANA_CRYPTO_SUITES],
  expected: 'a crypto suite name from the IANA SDP Security Descriptions registry',
} as const satisfies SchemaObject;

const portSpanProperties = { min: portSchema, max: portSchema };

/** `{min, max}` with min <= max. */
export const portSpanSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['min', 'max'],
  properties: portSpanProperties,
  portSpan: true,
} as const satisfies SchemaObject;

const sourceRefSchema = {
  type: 'string',
  sourceRef: true,
  expected: 'the id of an entry in sources',
} as const satisfies SchemaObject;

/** The fields every carrier fact carries: where it came from and how sure we are. */
const factProperties = {
  source: sourceRefSchema,
  seeAlso: { type: 'array', items: sourceRefSchema, uniqueItems: true },
  verified: { type: 'boolean', expected: 'true (the carrier says so) or false (inferred, copied, recalled)' },
  note: textSchema,
  from: dateSchema,
  until: dateSchema,
};

/**
 * A fact: its own properties plus source/verified/note/from/until. An unverified fact must
 * say why in `note`, so a reader can judge how far to trust it.
 */
export function factSchema(
  properties: Readonly<Record<string, SchemaObject>>,
  required: readonly string[],
  extra: SchemaObject = {},
): SchemaObject {
  return {
    type: 'object',
    additionalProperties: false,
    required: [...required, 'source', 'verified'],
    properties: { ...properties, ...factProperties },
    dateWindow: true,
    noteWhenUnverified: true,
    ...extra,
  };
}
