/**
 * JSON Schema for the config file, `config/trunkguard.yaml`. The top level is a set of
 * sections; later releases add `proxy:`, `http:` and `log:` as properties here. Until then
 * those names are rejected like any unknown section (accepting them unchecked would let a
 * file pass today and fail after an upgrade), but the error says they are reserved.
 */
import type { SchemaObject } from 'ajv';
import { ALL_CODES, SEVERITIES } from '../codes.js';
import { cidrSchema, portSpanSchema, suiteSchema } from './common.js';

/** Top-level sections planned for later releases. */
export const RESERVED_SECTIONS = ['proxy', 'http', 'log'] as const;

const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    srtp: { enum: ['required', 'optional', 'forbidden'], expected: 'one of required, optional, forbidden' },
    sdesRequiresTls: { type: 'boolean' },
    trustedNetworks: { type: 'array', items: cidrSchema, uniqueItems: true },
    allowedSuites: { type: 'array', minItems: 1, uniqueItems: true, items: suiteSchema },
    customerPorts: portSpanSchema,
    severity: {
      type: 'object',
      propertyNames: { enum: [...ALL_CODES], expected: 'a finding code (see README, Finding codes)' },
      additionalProperties: {
        enum: [...SEVERITIES],
        expected: `a severity: one of ${SEVERITIES.join(', ')}`,
      },
    },
    // 576: the datagram every IPv4 host must accept (RFC 791); 65507: the largest UDP payload over IPv4.
    udpMaxBytes: { type: 'integer', minimum: 576, maximum: 65507, expected: 'a byte count 576-65507' },
    scannerUserAgents: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', minLength: 1, expected: 'a non-empty User-Agent substring' },
    },
  },
} as const satisfies SchemaObject;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  reserved: [...RESERVED_SECTIONS],
  properties: {
    profile: {
      type: 'string',
      minLength: 1,
      expected: 'a profile name from rules/ (e.g. twilio) or a path to a profile .yaml file',
    },
    carrierPeers: { type: 'array', items: cidrSchema, uniqueItems: true },
    policy: policySchema,
  },
} as const satisfies SchemaObject;

/** The config file as plain data once the schema accepted it. */
export interface RawConfig {
  readonly profile?: string;
  readonly carrierPeers?: readonly string[];
  readonly policy?: {
    readonly srtp?: 'required' | 'optional' | 'forbidden';
    readonly sdesRequiresTls?: boolean;
    readonly trustedNetworks?: readonly string[];
    readonly allowedSuites?: readonly string[];
    readonly customerPorts?: { readonly min: number; readonly max: number };
    readonly severity?: Readonly<Record<string, string>>;
    readonly udpMaxBytes?: number;
    readonly scannerUserAgents?: readonly string[];
  };
}
