/**
 * JSON Schema for the config file, `config/trunkguard.yaml`. The top level is a set of
 * sections: the judge's (`profile`, `carrierPeers`, `policy`) and the proxy's (`proxy`, `log`,
 * `http`). Unknown sections are rejected.
 *
 * Addresses and next hops in `proxy:`, `http.listen`, `log.syslog.host` and the bearer token
 * are typed here; their shape (an IP to bind, `host[:port][;transport=...]`, RFC 6750 token
 * characters) is checked by the proxy's loader (src/proxy/load-proxy-settings.ts) with the same
 * parsers the command-line flags go through, and reported in the same
 * file:line: field: expected ..., got ... form. The token is checked there so that an error
 * never prints it.
 */
import type { SchemaObject } from 'ajv';
import type { RawLimits } from '../../proxy/limits.js';
import { ALL_CODES, SEVERITIES, type Severity } from '../codes.js';
import { cidrSchema, portSpanSchema, suiteSchema } from './common.js';

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

/** A whole number in a range (0 only where it means "off"), with the `expected` wording limits use. */
function count(minimum: number, maximum: number, what: string) {
  return { type: 'integer', minimum, maximum, expected: `${what} ${minimum}-${maximum}` } as const;
}

/** `proxy.limits`: what one message, one connection and one source may cost (src/proxy/limits.ts). */
export const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    message: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxHeaders: count(16, 65_535, 'a header count'),
        maxVias: count(2, 10_000, 'a Via count'),
        maxHeaderLineBytes: count(256, 1_048_576, 'a byte count'),
        maxMultipartDepth: count(1, 64, 'a nesting depth'),
        maxMultipartParts: count(1, 1024, 'a part count'),
        maxSdpLines: count(16, 1_000_000, 'a line count'),
        maxIceCandidates: count(1, 10_000, 'a candidate count'),
      },
    },
    connections: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max: count(1, 1_000_000, 'a connection count'),
        perSource: count(1, 1_000_000, 'a connection count'),
        idleSeconds: count(1, 86_400, 'a number of seconds'),
        messageSeconds: count(1, 3600, 'a number of seconds'),
        maxBufferedBytes: count(1024, 67_108_864, 'a byte count'),
      },
    },
    flood: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestsPerSecond: count(0, 1_000_000, 'a request rate (0: off)'),
        windowSeconds: count(1, 3600, 'a number of seconds'),
        block: { type: 'boolean' },
        blockSeconds: count(1, 604_800, 'a number of seconds'),
        exempt: { type: 'array', items: cidrSchema, uniqueItems: true },
        maxSources: count(100, 10_000_000, 'a source count'),
      },
    },
    reportSeconds: count(1, 3600, 'a number of seconds'),
  },
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
    recentCalls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxCalls: { type: 'integer', minimum: 1, maximum: 1_000_000, expected: 'a call count 1-1000000' },
        // 1 MiB to 4 GiB: the store's whole memory, ladders and findings included.
        maxBytes: {
          type: 'integer',
          minimum: 1_048_576,
          maximum: 4_294_967_296,
          expected: 'a byte count 1048576-4294967296 (1 MiB-4 GiB)',
        },
      },
    },
    limits: limitsSchema,
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
        // An OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are all strong); checked by Node at start.
        ciphers: { type: 'string', minLength: 1, expected: 'an OpenSSL cipher list' },
        handshakeSeconds: count(1, 300, 'a number of seconds'),
      },
    },
  },
} as const satisfies SchemaObject;

/** Minimum levels of the log outputs. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const logLevelSchema = {
  enum: [...LOG_LEVELS],
  expected: `one of ${LOG_LEVELS.join(', ')}`,
} as const satisfies SchemaObject;

/**
 * Syslog facility names as winston-syslog (glossy) spells them, codes 0-23 of RFC 5424 §6.2.1
 * (glossy writes code 4 `auth`, 9 `clock`, 10 `sec`, 13 `audit`, 14 `alert`; 15 has no name).
 */
export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'clock',
  'sec',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** A log file's size before it is rotated: 1 KiB (tests) to 1 TiB. */
const rotateBytesSchema = {
  type: 'integer',
  minimum: 1024,
  maximum: 1_099_511_627_776,
  expected: 'a byte count 1024-1099511627776 (1 KiB-1 TiB)',
} as const satisfies SchemaObject;

const rotateFilesSchema = {
  type: 'integer',
  minimum: 1,
  maximum: 1000,
  expected: 'a file count 1-1000',
} as const satisfies SchemaObject;

const CONSOLE_EXPECTED = 'false (no console output) or a mapping with a level, e.g. { level: info }';

/**
 * `console: false`, or a mapping. For anything else, one error saying what is accepted; for a
 * mapping with a bad field, that field's error, plus the alternatives' error at log.console
 * itself, which the proxy's loader drops as redundant.
 */
const consoleLogSchema = {
  expected: CONSOLE_EXPECTED,
  anyOf: [
    { const: false, expected: CONSOLE_EXPECTED },
    {
      type: 'object',
      additionalProperties: false,
      properties: { level: logLevelSchema },
      expected: CONSOLE_EXPECTED,
    },
  ],
} as const satisfies SchemaObject;

const fileLogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  expected: 'a mapping with a path (and level, maxBytes, maxFiles), e.g. { path: trunkguard.log }',
  properties: {
    path: { type: 'string', minLength: 1, expected: 'a path to the log file (relative to this config file)' },
    level: logLevelSchema,
    maxBytes: rotateBytesSchema,
    maxFiles: rotateFilesSchema,
  },
} as const satisfies SchemaObject;

export const syslogSchema = {
  type: 'object',
  additionalProperties: false,
  expected: 'a mapping with host, port, protocol, level, appName, facility (each optional)',
  properties: {
    host: { type: 'string', minLength: 1, expected: 'the host name or IP address of the syslog server' },
    port: { type: 'integer', minimum: 1, maximum: 65535, expected: 'a port number 1-65535' },
    protocol: { enum: ['udp', 'tcp'], expected: 'one of udp, tcp' },
    level: logLevelSchema,
    // RFC 5424 §6.2.5: APP-NAME = NILVALUE / 1*48PRINTUSASCII.
    appName: {
      type: 'string',
      pattern: '^[!-~]{1,48}$',
      expected: 'an app name of 1-48 printable ASCII characters without spaces (RFC 5424 APP-NAME)',
    },
    facility: {
      enum: [...SYSLOG_FACILITIES],
      expected: `a syslog facility: one of ${SYSLOG_FACILITIES.join(', ')}`,
    },
  },
} as const satisfies SchemaObject;

const negotiationLogSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  expected:
    'a mapping with a path (and maxBytes, maxAgeHours, maxFiles, hashSecretFile), ' +
    'e.g. { path: negotiations.jsonl }',
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      expected: 'a path to the negotiation log (relative to this config file)',
    },
    maxBytes: rotateBytesSchema,
    // A year: older traces belong in an archive, not a rotation.
    maxAgeHours: { type: 'integer', minimum: 1, maximum: 8760, expected: 'a number of hours 1-8760' },
    maxFiles: rotateFilesSchema,
    hashSecretFile: {
      type: 'string',
      minLength: 1,
      expected: 'a path to the file holding the SDES hashing secret (relative to this config file)',
    },
  },
} as const satisfies SchemaObject;

const logSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    console: consoleLogSchema,
    file: fileLogSchema,
    syslog: syslogSchema,
    negotiations: negotiationLogSchema,
  },
} as const satisfies SchemaObject;

/** RFC 6750 §2.1 b64token, at least 16 characters: what `Authorization: Bearer` can carry. */
export const HTTP_TOKEN_PATTERN = /^[A-Za-z0-9._~+/-]{16,}=*$/;
export const HTTP_TOKEN_EXPECTED =
  'a bearer token of at least 16 characters: letters, digits and - . _ ~ + / (RFC 6750), ' +
  'e.g. from `openssl rand -hex 32`';

const HTTP_LISTEN_EXPECTED = 'HOST:PORT to serve HTTP on, or a PORT alone for 127.0.0.1:PORT';

export const httpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // A string (checked by the loader) or a bare port number.
    listen: {
      expected: HTTP_LISTEN_EXPECTED,
      anyOf: [
        { type: 'string', minLength: 1, expected: HTTP_LISTEN_EXPECTED },
        { type: 'integer', minimum: 0, maximum: 65535, expected: HTTP_LISTEN_EXPECTED },
      ],
    },
    token: { type: 'string', expected: HTTP_TOKEN_EXPECTED },
    tokenFile: {
      type: 'string',
      minLength: 1,
      expected: 'a path to a file holding the bearer token (relative to this config file)',
    },
  },
} as const satisfies SchemaObject;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
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
    http: httpSchema,
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
    readonly recentCalls?: { readonly maxCalls?: number; readonly maxBytes?: number };
    readonly limits?: RawLimits;
    readonly tls?: {
      readonly cert?: string;
      readonly key?: string;
      readonly ca?: string;
      readonly verifyPeer?: boolean;
      readonly serverName?: string;
      readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
      readonly ciphers?: string;
      readonly handshakeSeconds?: number;
    };
  };
  readonly log?: {
    readonly console?: false | { readonly level?: LogLevelName };
    readonly file?: {
      readonly path: string;
      readonly level?: LogLevelName;
      readonly maxBytes?: number;
      readonly maxFiles?: number;
    };
    readonly syslog?: {
      readonly host?: string;
      readonly port?: number;
      readonly protocol?: 'udp' | 'tcp';
      readonly level?: LogLevelName;
      readonly appName?: string;
      readonly facility?: SyslogFacility;
    };
    readonly negotiations?: {
      readonly path: string;
      readonly maxBytes?: number;
      readonly maxAgeHours?: number;
      readonly maxFiles?: number;
      readonly hashSecretFile?: string;
    };
  };
  readonly http?: {
    /** A string passed parseHttpListen; a number is a port on 127.0.0.1. */
    readonly listen?: string | number;
    readonly token?: string;
    readonly tokenFile?: string;
  };
}

export type LogLevelName = (typeof LOG_LEVELS)[number];
export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];
