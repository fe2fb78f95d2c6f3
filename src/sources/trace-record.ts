/**
 * The JSON Lines trace: one SIP message per line, with its envelope. It is what
 * `trunkguard check` reads, and the format the proxy's negotiation log is to write, so a past week of
 * negotiations can be judged again against a changed profile.
 *
 *   {"time":"2026-11-28T10:00:00.000Z","transport":"udp","src":"54.172.60.1:5060",
 *    "dst":"203.0.113.10:5060","sip":"INVITE sip:+1555...@pbx SIP/2.0\r\n..."}
 *
 * `sip_base64` replaces `sip` for messages whose bytes are not UTF-8 (binary multipart parts).
 */
import { type Envelope, parseEndpoint, TRANSPORTS, type Transport } from '../sip/envelope.js';

export interface TraceRecord {
  readonly bytes: Buffer;
  readonly envelope: Envelope;
}

/** Parses one trace line; returns the record or the reason it is unusable. */
export function parseTraceLine(line: string): TraceRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const record = value as Record<string, unknown>;

  const transport = record.transport;
  if (typeof transport !== 'string' || !TRANSPORTS.includes(transport as Transport)) {
    return `"transport" must be one of ${TRANSPORTS.join(', ')}`;
  }
  const src = typeof record.src === 'string' ? parseEndpoint(record.src) : null;
  if (!src) return '"src" must be "ip:port"';
  const dst = typeof record.dst === 'string' ? parseEndpoint(record.dst) : null;
  if (!dst) return '"dst" must be "ip:port"';
  const time = record.time;
  if (typeof time !== 'string' || !Number.isFinite(Date.parse(time)))
    return '"time" must be an ISO-8601 time';

  let bytes: Buffer;
  if (typeof record.sip === 'string') {
    bytes = Buffer.from(record.sip, 'utf8');
  } else if (typeof record.sip_base64 === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(record.sip_base64)) return '"sip_base64" is not base64';
    bytes = Buffer.from(record.sip_base64, 'base64');
  } else {
    return 'a "sip" (text) or "sip_base64" field is required';
  }
  return { bytes, envelope: { transport: transport as Transport, src, dst, time } };
}
