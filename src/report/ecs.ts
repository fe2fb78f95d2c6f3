/**
 * The log line: one JSON object per line with field names from the Elastic Common Schema (ECS 8.x),
 * so a SIEM maps it without a custom parser. Fields are nested objects, as ECS JSON documents are
 * (`{"event":{"kind":"alert"}}`, not `{"event.kind":"alert"}`): Elasticsearch, Logstash, Filebeat and
 * most SIEM JSON parsers read both, and nested is what ECS loggers write. A field with no value is left
 * out rather than written as null.
 *
 * Every line:           `@timestamp`, `log.level`, `message`, `ecs.version`, `event.kind`, `event.action`,
 *                       `observer.product: "trunkguard"`.
 * A finding:            event.kind `alert`, event.action `finding`, `event.code` (the finding code),
 *                       `event.severity` (EVENT_SEVERITY), `source.*`, `destination.*`, `network.*`,
 *                       `sip.*`, `trunkguard.severity|side|media_index|message_index|evidence`.
 * A call summary:       event.kind `event`, event.action `call-summary`, `event.start|end|duration`,
 *                       `sip.call_id|status_code`, `trunkguard.ended|verdict|severity|media...`.
 * Anything else:        event.kind `event` and an event.action naming it (`listening`, `ready`...).
 *
 * `sip.*` and `trunkguard.*` are not ECS field sets: ECS leaves room for custom fields, and these are
 * ours (snake_case, as ECS names are). Nothing here holds SDES key material: findings are redacted by
 * the judge, summaries carry suite names only, and formatEcsLine redacts any string that still looks
 * like a key before a line is written.
 */
import { isIP } from 'node:net';
import type { Severity } from '../policy/codes.js';
import type { Finding } from '../policy/finding.js';
import { mayHoldSdesKey, redactIfKeyed } from '../sdp/redact.js';
import { parseEndpoint } from '../sip/envelope.js';
import type { NegotiatedMedia } from './call-ledger.js';
import type { CallSummaryLine } from './live-calls.js';

/** The ECS version the field names follow. */
export const ECS_VERSION = '8.11.0';

/**
 * `event.severity` is a number in ECS ("the severity of the event, as the source defines it"), so a
 * SIEM can alert on `event.severity >= 7`. Ours, on a 0-10 scale with room between the words:
 * info 1, low 3, medium 5, high 7, critical 9. The word is in `trunkguard.severity`.
 */
export const EVENT_SEVERITY: Readonly<Record<Severity, number>> = {
  info: 1,
  low: 3,
  medium: 5,
  high: 7,
  critical: 9,
};

/** What a line is: `alert` for findings (something to look at), `event` for everything else. */
export type EventKind = 'alert' | 'event';

/** A nested fragment of a line: ECS objects (network, server, source, error...) and `trunkguard`. */
export interface EcsFields {
  readonly [name: string]: unknown;
}

/** One log line, before it is serialized. */
export interface EcsLine {
  readonly '@timestamp': string;
  readonly log: { readonly level: string };
  readonly message: string;
  readonly ecs: { readonly version: string };
  readonly event: { readonly kind: EventKind; readonly action: string; readonly [name: string]: unknown };
  readonly observer: { readonly product: 'trunkguard' };
  readonly [name: string]: unknown;
}

const ECS = { version: ECS_VERSION } as const;
const OBSERVER = { product: 'trunkguard' } as const;

/** The line for one finding, logged at warn; `@timestamp` is the time its message was seen. */
export function ecsFinding(finding: Finding): EcsLine {
  return {
    '@timestamp': finding.time,
    log: { level: 'warn' },
    message: finding.message,
    ecs: ECS,
    event: {
      kind: 'alert',
      action: 'finding',
      code: finding.code,
      severity: EVENT_SEVERITY[finding.severity],
    },
    observer: OBSERVER,
    ...compact({
      source: endpointFields(finding.src),
      destination: endpointFields(finding.dst),
      network: { transport: finding.transport, protocol: 'sip' },
      sip: compact({
        call_id: finding.callId,
        method: finding.method,
        status_code: finding.status,
        cseq: finding.cseq,
      }),
      trunkguard: compact({
        severity: finding.severity,
        side: finding.side,
        media_index: finding.mediaIndex,
        message_index: finding.messageIndex,
        evidence: finding.evidence,
      }),
    }),
  };
}

/** The line for one ended call, logged at info at `at`; `event.start`/`end` are its first and last message. */
export function ecsCallSummary(summary: CallSummaryLine, at: Date): EcsLine {
  const start = Date.parse(summary.firstSeen);
  const end = Date.parse(summary.lastSeen);
  return {
    '@timestamp': at.toISOString(),
    log: { level: 'info' },
    message: callSummaryMessage(summary),
    ecs: ECS,
    event: compact({
      kind: 'event',
      action: 'call-summary',
      severity: summary.worstSeverity === null ? null : EVENT_SEVERITY[summary.worstSeverity],
      start: summary.firstSeen,
      end: summary.lastSeen,
      // ECS: nanoseconds.
      duration: Number.isFinite(start) && Number.isFinite(end) ? (end - start) * 1_000_000 : null,
    }) as EcsLine['event'],
    observer: OBSERVER,
    network: { protocol: 'sip' },
    sip: compact({ call_id: summary.callId, status_code: summary.finalStatus }),
    trunkguard: compact({
      ended: summary.ended,
      verdict: summary.verdict,
      severity: summary.worstSeverity,
      message_count: summary.messages,
      finding_count: summary.findings,
      codes: summary.codes,
      media: {
        carrier: summary.media.carrier.map(mediaFields),
        customer: summary.media.customer.map(mediaFields),
      },
    }),
  };
}

/** `call <Call-ID> ended (bye): fail, 2 findings: crypto-key-reuse, media-ip-out-of-range` */
export function callSummaryMessage(summary: CallSummaryLine): string {
  const count = `${summary.findings} finding${summary.findings === 1 ? '' : 's'}`;
  const codes = summary.codes.length > 0 ? `: ${summary.codes.join(', ')}` : '';
  return `call ${summary.callId} ended (${summary.ended}): ${summary.verdict}, ${count}${codes}`;
}

/**
 * Any other line (listening, ready, stopped, errors...): `fields` are nested ECS objects merged in
 * (`event` fields join event.kind and event.action), with what ECS has no field for under `trunkguard`.
 */
export function ecsEvent(
  level: string,
  action: string,
  message: string,
  fields: EcsFields,
  at: Date,
): EcsLine {
  const { event, '@timestamp': _at, log: _log, message: _message, ...rest } = fields;
  return {
    '@timestamp': at.toISOString(),
    log: { level },
    message,
    ecs: ECS,
    event: { ...(isObject(event) ? event : {}), kind: 'event', action },
    observer: OBSERVER,
    ...compact(rest),
  };
}

/**
 * The line for what winston holds: `level`, `message` and the fields the log calls gave. Fields of a
 * line built here (an `event` object with an action) are kept as they are; anything else is a plain
 * winston call (`logger.info(text, { event: 'name', ... })`): its `event` becomes event.action and its
 * other fields go under `trunkguard`, so even such a line keeps the schema.
 */
export function ecsLineOf(info: Readonly<Record<string, unknown>>, now: () => Date): EcsLine {
  const { level, message, '@timestamp': at, ...fields } = info;
  const levelText = String(level);
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  const event = fields.event;
  if (isObject(event) && typeof event.action === 'string') {
    const kind: EventKind = event.kind === 'alert' ? 'alert' : 'event';
    return {
      '@timestamp': typeof at === 'string' ? at : now().toISOString(),
      log: { level: levelText },
      message: text,
      ecs: ECS,
      ...fields,
      event: { ...event, kind, action: event.action },
      observer: OBSERVER,
    };
  }
  const { event: action, ...rest } = fields;
  return ecsEvent(
    levelText,
    typeof action === 'string' && action !== '' ? action : 'log',
    text,
    Object.keys(rest).length > 0 ? { trunkguard: rest } : {},
    typeof at === 'string' && Number.isFinite(Date.parse(at)) ? new Date(at) : now(),
  );
}

/**
 * True when ecsLineOf would give the line back as it is, field for field and in the same order: a line
 * built here (ecsFinding, ecsCallSummary, ecsEvent) with no top-level `level` (winston's own field)
 * nor an `observer` of its own. Such a line is formatted as it is, without the round trip.
 */
export function isBuiltLine(line: EcsLine): boolean {
  return (
    typeof line['@timestamp'] === 'string' &&
    typeof line.message === 'string' &&
    line.observer === OBSERVER &&
    line.ecs === ECS &&
    !Object.hasOwn(line, 'level') &&
    typeof line.event.action === 'string' &&
    (line.event.kind === 'alert' || line.event.kind === 'event')
  );
}

/**
 * The line as written: JSON on one line, every character outside ASCII escaped (`\u00e9`), so the
 * line is the same bytes in any encoding and a syslog MSG needs no BOM (RFC 5424 §6.4). A string that
 * may hold an SDES key is redacted first (defence in depth: nothing should reach here with one).
 */
export function formatEcsLine(line: EcsLine): string {
  let json = JSON.stringify(line);
  // Cheap test first; only what could be a key (base64 after `inline:`, not the judge's
  // `inline:[redacted]` nor a keyed `inline:redacted-<hex>`) costs the second pass.
  if (mayHoldSdesKey(json) && MAYBE_KEY.test(json)) json = JSON.stringify(redactStrings(line));
  // Most lines are ASCII already: test before paying for a replace over the whole line.
  return HAS_NOT_ASCII.test(json) ? json.replace(NOT_ASCII, escapeChar) : json;
}

// ---- pieces ----------------------------------------------------------------------------------------

/**
 * ECS `source`/`destination`: address always, ip when it is one (domain when it is not), port.
 * Remembered per text (frozen, shared by the lines): a proxy sees the same few peers on every message.
 */
export function endpointFields(text: string): EcsFields | null {
  if (text === '') return null;
  let fields = ENDPOINT_FIELDS.get(text);
  if (fields === undefined) {
    // Bounded: many distinct sources (a scan) start the memory over rather than grow it.
    if (ENDPOINT_FIELDS.size >= MAX_ENDPOINT_FIELDS) ENDPOINT_FIELDS.clear();
    fields = Object.freeze(parsedEndpointFields(text));
    ENDPOINT_FIELDS.set(text, fields);
  }
  return fields;
}

const ENDPOINT_FIELDS = new Map<string, EcsFields>();
const MAX_ENDPOINT_FIELDS = 1024;

function parsedEndpointFields(text: string): EcsFields {
  const endpoint = parseEndpoint(text, 0);
  if (endpoint === null) return { address: text };
  const ip = isIP(endpoint.host) !== 0;
  return {
    address: endpoint.host,
    ...(ip ? { ip: endpoint.host } : { domain: endpoint.host }),
    port: endpoint.port,
  };
}

function mediaFields(media: NegotiatedMedia): EcsFields {
  return compact({
    side: media.side,
    role: media.role,
    media_index: media.mediaIndex,
    type: media.type,
    address: media.address,
    port: media.port,
    rtcp_port: media.rtcpPort,
    proto: media.proto,
    suites: media.suites,
    direction: media.direction,
  });
}

/** The object without its null and undefined fields, nor its empty objects. */
function compact(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // for-in, not Object.entries: no array per field on a path taken several times per line.
  for (const name in fields) {
    const value = fields[name];
    if (value === null || value === undefined) continue;
    if (isObject(value) && !Array.isArray(value) && isEmpty(value)) continue;
    out[name] = value;
  }
  return out;
}

function isEmpty(value: object): boolean {
  for (const _ in value) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactIfKeyed(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) out[name] = redactStrings(field);
    return out;
  }
  return value;
}

const NOT_ASCII = /[\u007f-\uffff]/g;
const HAS_NOT_ASCII = /[\u007f-\uffff]/;
const MAYBE_KEY = /inline:(?!redacted-[0-9a-f])[A-Za-z0-9+/]{4}/i;

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
