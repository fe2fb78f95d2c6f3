/**
 * JSON Schema for a carrier profile, `rules/<name>.yaml`. The shape mirrors CarrierProfile
 * (profile.ts) except that facts name their source by id, and CIDRs are text until loaded.
 */
import type { SchemaObject } from 'ajv';
import {
  cidrSchema,
  dateSchema,
  factSchema,
  nameSchema,
  portSchema,
  portSpanSchema,
  suiteSchema,
  textSchema,
} from './common.js';

const sourceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'url', 'checked'],
  properties: {
    id: nameSchema,
    url: { type: 'string', format: 'http-url', expected: 'an http(s) URL' },
    checked: dateSchema,
    title: textSchema,
  },
} as const satisfies SchemaObject;

const mediaRangeSchema = factSchema({ cidr: cidrSchema, label: textSchema }, ['cidr']);

const mediaPortsSchema = factSchema({ min: portSchema, max: portSchema }, ['min', 'max'], { portSpan: true });

const retiredMediaSchema = factSchema({ cidr: cidrSchema, label: textSchema, ports: portSpanSchema }, [
  'cidr',
  'until',
]);

const signalingPortSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['transport', 'port'],
  properties: {
    transport: { enum: ['udp', 'tcp', 'tls'], expected: 'one of udp, tcp, tls' },
    port: portSchema,
  },
} as const satisfies SchemaObject;

const signalingSchema = factSchema(
  {
    cidr: cidrSchema,
    label: textSchema,
    // Empty when the carrier does not publish its signaling ports.
    ports: { type: 'array', items: signalingPortSchema, uniqueItems: true },
  },
  ['cidr', 'ports'],
);

const srtpSchema = factSchema(
  {
    // Empty when the carrier does not publish its suites.
    suites: { type: 'array', items: suiteSchema, uniqueItems: true },
    mki: { type: 'boolean' },
    keyExchange: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['sdes', 'dtls'], expected: 'one of sdes, dtls' },
    },
    requireTls: { type: 'boolean' },
  },
  ['suites', 'mki', 'keyExchange', 'requireTls'],
);

export const profileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'carrier', 'sources', 'media', 'signaling'],
  properties: {
    name: nameSchema,
    carrier: textSchema,
    description: textSchema,
    sources: { type: 'array', minItems: 1, items: sourceSchema, uniqueBy: 'id' },
    media: {
      type: 'object',
      additionalProperties: false,
      // `ranges: []` states that the carrier publishes none; leaving it out would be ambiguous.
      required: ['ranges'],
      properties: {
        ranges: { type: 'array', items: mediaRangeSchema, uniqueBy: 'cidr' },
        ports: mediaPortsSchema,
      },
    },
    retiredMedia: { type: 'array', items: retiredMediaSchema, uniqueBy: 'cidr' },
    signaling: { type: 'array', items: signalingSchema, uniqueBy: 'cidr' },
    srtp: srtpSchema,
    iceExemptFromPortSpan: { type: 'boolean' },
  },
} as const satisfies SchemaObject;

/** The profile file as plain data once the schema accepted it. */
export interface RawFact {
  readonly source: string;
  readonly seeAlso?: readonly string[];
  readonly verified: boolean;
  readonly note?: string;
  readonly from?: string;
  readonly until?: string;
}

export interface RawSpan {
  readonly min: number;
  readonly max: number;
}

export interface RawProfile {
  readonly name: string;
  readonly carrier: string;
  readonly description?: string;
  readonly sources: readonly { id: string; url: string; checked: string; title?: string }[];
  readonly media: {
    readonly ranges: readonly (RawFact & { cidr: string; label?: string })[];
    readonly ports?: RawFact & RawSpan;
  };
  readonly retiredMedia?: readonly (RawFact & { cidr: string; label?: string; ports?: RawSpan })[];
  readonly signaling: readonly (RawFact & {
    cidr: string;
    label?: string;
    ports: readonly { transport: 'udp' | 'tcp' | 'tls'; port: number }[];
  })[];
  readonly srtp?: RawFact & {
    suites: readonly string[];
    mki: boolean;
    keyExchange: readonly ('sdes' | 'dtls')[];
    requireTls: boolean;
  };
  readonly iceExemptFromPortSpan?: boolean;
}
