/**
 * The negotiation log: every SIP message the proxy judged that carried an SDP body, one JSON line
 * each, in the trace format `trunkguard check` reads (src/sources/trace-record.ts), so a week of
 * negotiations can be judged again against a changed profile:
 *
 *   {"time":"2026-11-28T10:00:01.800Z","transport":"tls","src":"203.0.113.10:5061",
 *    "dst":"54.172.60.1:5061","sip":"INVITE sip:...\r\n...a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:redacted-5d2f...\r\n"}
 *
 * The message is the one that arrived (before our Via was spliced in), with its envelope. `sip_base64`
 * replaces `sip` when its bytes are not UTF-8.
 *
 * SDES keys are replaced by a keyed hash: `inline:<key>` → `inline:redacted-<hex>`, the hex being
 * HMAC-SHA256(secret, key) — at least its first 24 digits, and as many more as keep the key's length,
 * so Content-Length and the message size (udp-message-too-large) read the same on replay (a key shorter
 * than 33 characters, never a valid one, grows, and Content-Length is corrected by as much). A lifetime
 * and MKI after the key stay. The secret is read from `hashSecretFile`, or `<path>.secret` (created with
 * 32 random bytes, mode 0600, when missing): the same key gives the same hash across restarts and files,
 * so key reuse across a week of logs is still seen, and without the secret nobody can test a guessed key
 * against the log. The SDP reader takes `redacted-<hex>` as a key of unknown length whose digest is the
 * hash (src/sdp/crypto.ts).
 *
 * Writing is buffered (RotatingFile): judged() only builds the line; rotation by size or age, the newest
 * maxFiles rotated files kept. Nothing here throws into the proxy: a problem is logged once.
 */

import { isUtf8 } from 'node:buffer';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JudgedMessage } from '../policy/engine.js';
import type { Finding } from '../policy/finding.js';
import type { ProxyObserver } from '../proxy/observer.js';
import type { NegotiationLogSettings } from '../proxy/settings.js';
import { REDACTED_KEY_HEX, REDACTED_KEY_PREFIX } from '../sdp/key-digest.js';
import { replaceSdesKeys } from '../sdp/redact.js';
import { formatEndpoint } from '../sip/envelope.js';
import { logEvent, type ProxyLogger } from './logger.js';
import { RotatingFile } from './rotating-file.js';

/** Bytes of random secret written to a new `<path>.secret` (as hex). */
const SECRET_BYTES = 32;
/** A shorter secret is refused: it could be guessed, and with it every key tested against the log. */
const MIN_SECRET_LENGTH = 16;

export interface NegotiationLogOptions {
  /** Where problems are reported (once); null: stderr. */
  readonly logger?: ProxyLogger | null;
  /** The clock (ms since the epoch) for rotation by age and rotated names; default Date.now. */
  readonly now?: () => number;
  /** How often buffered lines are written; default 1 s. */
  readonly flushIntervalMs?: number;
}

export class NegotiationLog implements ProxyObserver {
  readonly path: string;
  readonly #secret: string;
  readonly #file: RotatingFile;
  readonly #logger: ProxyLogger | null;
  #failed = false;
  #written = 0;

  /** Reads (or creates) the hash secret: a missing or unreadable one is a start-up error, thrown. */
  constructor(settings: NegotiationLogSettings, options: NegotiationLogOptions = {}) {
    this.path = settings.path;
    this.#secret = loadHashSecret(settings);
    this.#logger = options.logger ?? null;
    this.#file = new RotatingFile({
      path: settings.path,
      maxBytes: settings.maxBytes,
      maxAgeMs: settings.maxAgeSeconds * 1000,
      maxFiles: settings.maxFiles,
      // Whole SIP messages: numbers, names, addresses. Readable by the proxy's user only.
      mode: 0o600,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      ...(options.now === undefined ? {} : { now: options.now }),
      onProblem: (message) => this.#problem(message),
      onRecovered: (message) => this.#report('info', 'negotiation-log-recovered', message),
    });
  }

  /** Messages written (queued) so far. */
  get written(): number {
    return this.#written;
  }

  /** Lines dropped so far (the disk failed or fell behind). */
  get dropped(): number {
    return this.#file.dropped;
  }

  judged(judged: JudgedMessage, _egress: readonly Finding[], _forwarded: boolean): void {
    if (judged.sdps.length === 0 || judged.message === null) return;
    try {
      const line = traceLine(judged, (key) => keyToken(this.#secret, key));
      if (line === null) return;
      this.#file.write(line);
      this.#written++;
    } catch (error) {
      this.#problem(`cannot write a message: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Writes what is buffered (and rotates by age). */
  flush(): Promise<void> {
    return this.#file.flush();
  }

  /** Writes what is buffered and closes the file (the proxy calls it on SIGTERM). Never rejects. */
  close(): Promise<void> {
    return this.#file.close().catch(() => undefined);
  }

  #problem(message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#report('error', 'negotiation-log-failed', message);
  }

  #report(level: 'error' | 'info', action: string, message: string): void {
    if (level === 'info') this.#failed = false;
    const text = `negotiation log: ${message}`;
    const logger = this.#logger;
    if (logger?.writable) logEvent(logger, level, action, text, { file: { path: this.path } });
    else process.stderr.write(`trunkguard: ${text}\n`);
  }
}

/**
 * The trace line for one judged message, keys replaced by `hashKey(key)`; null when the message could
 * not be read. The Content-Length of the message is corrected when the body's length changed.
 */
export function traceLine(judged: JudgedMessage, hashKey: (key: string) => string): string | null {
  const message = judged.message;
  if (message === null) return null;
  const bytes = message.bytes;
  // latin1: one character per byte, so any bytes survive the round trip and lengths are bytes.
  const head = bytes.toString('latin1', 0, message.bodyOffset);
  const body = bytes.toString('latin1', message.bodyOffset);
  const redactedBody = replaceSdesKeys(body, hashKey);
  const delta = redactedBody.length - body.length;
  const redactedHead = adjustContentLength(replaceSdesKeys(head, hashKey), delta);
  const out = Buffer.from(redactedHead + redactedBody, 'latin1');
  const envelope = judged.envelope;
  return JSON.stringify({
    time: envelope.time,
    transport: envelope.transport,
    src: formatEndpoint(envelope.src),
    dst: formatEndpoint(envelope.dst),
    ...(isUtf8(out) ? { sip: out.toString('utf8') } : { sip_base64: out.toString('base64') }),
  });
}

/**
 * `redacted-` and the hex of HMAC-SHA256(secret, key): at least REDACTED_KEY_HEX digits, more (the hash
 * repeated when the key is longer than 73 characters) to keep the key's length.
 */
export function keyToken(secret: string, key: string): string {
  const hex = createHmac('sha256', secret).update(key, 'latin1').digest('hex');
  const length = Math.max(REDACTED_KEY_HEX, key.length - REDACTED_KEY_PREFIX.length);
  return REDACTED_KEY_PREFIX + hex.repeat(Math.ceil(length / hex.length)).slice(0, length);
}

/** Every Content-Length header value of a message head moved by `delta` (RFC 3261 §20.14, compact `l`). */
function adjustContentLength(head: string, delta: number): string {
  if (delta === 0) return head;
  return head.replace(
    /^((?:content-length|l)[ \t]*:[ \t]*)(\d+)/gim,
    (_match, name: string, value: string) => `${name}${Math.max(0, Number(value) + delta)}`,
  );
}

/**
 * The secret keys are hashed with: `hashSecretFile` as given (it must exist), or `<path>.secret`, created
 * when missing with 32 random bytes as hex and mode 0600 (written aside and linked in place, so a crash
 * never leaves an empty secret and two starts never make two). Surrounding whitespace is not part of it.
 */
export function loadHashSecret(settings: NegotiationLogSettings): string {
  const path = settings.hashSecretFile ?? `${settings.path}.secret`;
  if (settings.hashSecretFile === null) createSecretIfMissing(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the negotiation log's hash secret ${path}: ${errorCode(error)}`);
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `the negotiation log's hash secret ${path} must hold at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return secret;
}

function createSecretIfMissing(path: string): void {
  if (existsSync(path)) return;
  const aside = `${path}.${process.pid}.new`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(aside, { force: true });
    writeFileSync(aside, `${randomBytes(SECRET_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw new Error(`cannot create the negotiation log's hash secret ${path}: ${errorCode(error)}`);
  } finally {
    rmSync(aside, { force: true });
  }
}

function errorCode(error: unknown): string {
  return (
    (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : String(error))
  );
}
