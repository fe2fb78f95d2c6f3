/**
 * Fixture access for the SIP reader tests. Tests run compiled from dist/test/sip/, so the
 * repository root is three levels up from this file; fixtures are read from test/fixtures/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ReadResult, SipMessage } from '../../src/sip/message.js';
import { parseTraceLine, type TraceRecord } from '../../src/sources/trace-record.js';

export const REPO_ROOT = new URL('../../../', import.meta.url);

/** The bytes of `test/fixtures/<path>`. */
export function fixture(path: string): Buffer {
  return readFileSync(new URL(`test/fixtures/${path}`, REPO_ROOT));
}

export function fixtureText(path: string): string {
  return fixture(path).toString('utf8');
}

/** `.dat` file names in `test/fixtures/<dir>`, sorted. */
export function datFiles(dir: string): string[] {
  return readdirSync(new URL(`test/fixtures/${dir}/`, REPO_ROOT))
    .filter((name) => name.endsWith('.dat'))
    .sort();
}

/** The message of an ok result; throws with the reason otherwise (tests only). */
export function messageOf(result: ReadResult): SipMessage {
  if (!result.ok) throw new Error(`expected a message, got: ${result.reason}`);
  return result.message;
}

/** Builds a CRLF message from lines and a body, with a correct Content-Length unless given. */
export function sipMessage(
  startLine: string,
  headers: readonly string[],
  body = '',
  contentLength?: number,
): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  const length = contentLength ?? bodyBytes.length;
  const head = [startLine, ...headers, `Content-Length: ${length}`].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), bodyBytes]);
}

export const BASIC_HEADERS = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
] as const;

export const SIMPLE_SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';

/** Every message of the trace fixtures (`test/fixtures/traces/*.jsonl`), with its envelope, in file order. */
export function traceRecords(): TraceRecord[] {
  const folder = new URL('test/fixtures/traces/', REPO_ROOT);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(new URL(name, folder), 'utf8').split('\n'))
    .flatMap((line) => {
      const record = line.trim() === '' ? null : parseTraceLine(line);
      return record === null || typeof record === 'string' ? [] : [record];
    });
}
