/**
 * JSON Schema for the config file, `config/trunkguard.yaml`. The top level is a set of
 * sections: the judge's (`profile`, `carrierPeers`, `policy`) and the proxy's (`proxy`, `log`).
 * A later release adds `http:`; until then that name is rejected like any unknown section
 * (accepting it unchecked would let a file pass today and fail after an upgrade), but the
 * error says it is reserved.
 *
 * Addresses and next hops in `proxy:` are typed here as non-empty strings; their shape
 * (an IP to bind, `host[:port][;transport=...]`) is checked by the proxy's loader
 * (src/proxy/load-proxy-settings.ts) with the same parser the command-line flags go through,
 * and reported in the same file:line: field: expected ..., got ... form.
 */
import type { SchemaObject } from 'ajv';
import { ALL_CODES, SEVERITIES, type Severity } from '../codes.js';
import { cidrSchema, portSpanSchema, suiteSchema } from './common.js';

/** Top-level sections planned for later releases. */
export const RESERVED_SECTIONS = ['http'] as const;

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

const transportSchema = {
  enum: ['udp', 'tcp', 'tls'],
  expected: 'one of udp, tcp, tls',
} as const satisfies SchemaObject;

export const listenerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['transport', 'host', 'port'],
  properties: {
    transport: transportSchema,
    host: {
      type: 'string',
      minLength: 1,
      expected: 'an IPv4 or IPv6 address to bind (0.0.0.0 or :: for every interface)',
    },
    // 0 lets the system pick a free port (tests); the bound port is logged at start.
    port: { type: 'integer', minimum: 0, maximum: 65535, expected: 'a port number 0-65535' },
    side: { enum: ['auto', 'carrier', 'customer'], expected: 'one of auto, carrier, customer' },
    advertise: {
      type: 'string',
      minLength: 1,
      expected: 'host[:port] to write in Via and Record-Route',
    },
  },
} as const satisfies SchemaObject;

export const nextHopSchema = {
  type: 'string',
  minLength: 1,
  expected: 'a next hop written host[:port][;transport=udp|tcp|tls]',
} as const satisfies SchemaObject;

export const pemFileSchema = {
  type: 'string',
  minLength: 1,
  expected: 'a path to a PEM file (relative to this config file)',
} as const satisfies SchemaObject;

export const proxySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: { type: 'array', minItems: 1, items: listenerSchema },
    carrier: nextHopSchema,
    customer: nextHopSchema,
    recordRoute: { type: 'boolean' },
    enforce: {
      enum: ['off', ...SEVERITIES],
      expected: `off or a severity: one of ${SEVERITIES.join(', ')}`,
    },
    // 1024: room for an INVITE with a small SDP; 1 MiB: far above any real SIP message.
    maxMessageBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 1_048_576,
      expected: 'a byte count 1024-1048576',
    },
    dialogs: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxCalls: { type: 'integer', minimum: 1, maximum: 10_000_000, expected: 'a call count 1-10000000' },
        // A week: calls longer than that are not calls.
        ttlSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 604_800,
          expected: 'a number of seconds 1-604800',
        },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cert: pemFileSchema,
        key: pemFileSchema,
        ca: pemFileSchema,
        verifyPeer: { type: 'boolean' },
        serverName: {
          type: 'string',
          minLength: 1,
          expected: 'a host name for SNI and the certificate check',
        },
        minVersion: { enum: ['TLSv1.2', 'TLSv1.3'], expected: 'one of TLSv1.2, TLSv1.3' },
      },
    },
  },
} as const satisfies SchemaObject;

const logSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    console: { type: 'boolean' },
    file: { type: 'string', minLength: 1, expected: 'a path to a log file (relative to this config file)' },
    level: { enum: ['error', 'warn', 'info', 'debug'], expected: 'one of error, warn, info, debug' },
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
    proxy: proxySchema,
    log: logSchema,
  },
} as const satisfies SchemaObject;

/** A `proxy.listen` item once the schema accepted it. */
export interface RawListener {
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly host: string;
  readonly port: number;
  readonly side?: 'auto' | 'carrier' | 'customer';
  readonly advertise?: string;
}

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
  readonly proxy?: {
    readonly listen?: readonly RawListener[];
    readonly carrier?: string;
    readonly customer?: string;
    readonly recordRoute?: boolean;
    readonly enforce?: 'off' | Severity;
    readonly maxMessageBytes?: number;
    readonly dialogs?: { readonly maxCalls?: number; readonly ttlSeconds?: number };
    readonly tls?: {
      readonly cert?: string;
      readonly key?: string;
      readonly ca?: string;
      readonly verifyPeer?: boolean;
      readonly serverName?: string;
      readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
    };
  };
  readonly log?: {
    readonly console?: boolean;
    readonly file?: string;
    readonly level?: 'error' | 'warn' | 'info' | 'debug';
  };
}
