/**
 * Calls as the proxy would report them to its observers, for the store, metrics and API tests:
 * real SIP text read by readDatagram, judged by the real Judge against the shipped Twilio profile
 * and the default policy, with LiveCalls deciding start and end exactly as SipProxy does
 * (callStarted and callEnded before the message's `judged`). The SDPs carry real SDES keys, so
 * tests can look for them in everything served.
 */
import { createHash } from 'node:crypto';
import { Judge, type JudgedMessage } from '../../src/policy/engine.js';
import type { Finding, Side } from '../../src/policy/finding.js';
import type { ProxyObserver } from '../../src/proxy/observer.js';
import { LiveCalls } from '../../src/report/live-calls.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { Envelope, Transport } from '../../src/sip/envelope.js';
import {
  CARRIER,
  CONFIG,
  IN_DIALOG_URI,
  PBX,
  REQUEST_URI,
  sdp,
  TO,
  TO_TAGGED,
  wire,
} from '../report/call-fixtures.js';

export { CARRIER, CONFIG, PBX };

/**
 * Every SDES key||salt (30 bytes, base64) a fixture SDP carried: none may appear in anything the
 * store or the API gives out. One key per call and side (a key seen in two calls is itself a finding).
 */
export const KEYS = new Set<string>();

export function keyFor(seed: string): string {
  const key = createHash('sha512').update(seed).digest().subarray(0, 30).toString('base64');
  KEYS.add(key);
  return key;
}

export function sdesSdp(origin: number, address: string, port: number, key: string): string {
  return sdp(origin, address, port, `1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`);
}

/** The PBX's offer for a call. */
export const offer = (callId: string) => sdesSdp(1, '198.51.100.20', 20000, keyFor(`pbx:${callId}`));
/** Twilio's answer: media inside 168.86.128.0/18, port inside 10000-60000. */
export const answer = (callId: string) => sdesSdp(2, '168.86.128.10', 12000, keyFor(`twilio:${callId}`));
/** An answer with media outside Twilio's published range: media-ip-out-of-range (high). */
export const answerOutOfRange = (callId: string) =>
  sdesSdp(3, '192.0.2.99', 12000, keyFor(`twilio:${callId}`));

/** One of the call's messages, as the customer PBX or Twilio would send it. */
export function message(startLine: string, cseq: string, callId: string, body = '', to = TO): Buffer {
  return wire(startLine, cseq, { callId, body, to });
}

export const invite = (callId: string, body = offer(callId)) =>
  message(`INVITE ${REQUEST_URI} SIP/2.0`, '1 INVITE', callId, body);
export const response = (status: string, cseq: string, callId: string, body = '') =>
  message(`SIP/2.0 ${status}`, cseq, callId, body, TO_TAGGED);
export const ack = (callId: string) =>
  message(`ACK ${IN_DIALOG_URI} SIP/2.0`, '1 ACK', callId, '', TO_TAGGED);
export const bye = (callId: string) =>
  message(`BYE ${IN_DIALOG_URI} SIP/2.0`, '2 BYE', callId, '', TO_TAGGED);

export interface SendOptions {
  readonly time?: string;
  readonly transport?: Transport;
  /** The leg it leaves on, when another transport: the judge's egress findings are reported. */
  readonly egress?: Transport;
  readonly forwarded?: boolean;
}

/** Feeds observers the way SipProxy does. */
export class ProxyDriver {
  readonly judge = new Judge(CONFIG);
  readonly #observers: readonly ProxyObserver[];
  readonly #calls: LiveCalls;
  #index = 0;
  #clock = Date.parse('2026-11-28T10:00:00.000Z');

  constructor(...observers: ProxyObserver[]) {
    this.#observers = observers;
    this.#calls = new LiveCalls(
      { maxCalls: 10_000, idleMs: 3_600_000, failOn: 'high' },
      (summary) => {
        for (const observer of observers) observer.callEnded?.(summary);
      },
      (callId) => {
        for (const observer of observers) observer.callStarted?.(callId);
      },
    );
  }

  /** Judges bytes from `side` and tells the observers; times advance 1 s per message unless given. */
  send(side: Side, bytes: Buffer, options: SendOptions = {}): JudgedMessage {
    this.#clock += 1000;
    const transport = options.transport ?? 'tls';
    const envelope: Envelope = {
      transport,
      src: side === 'carrier' ? CARRIER : PBX,
      dst: side === 'carrier' ? PBX : CARRIER,
      time: options.time ?? new Date(this.#clock).toISOString(),
    };
    const read = readDatagram(bytes);
    const judged = read.ok
      ? this.judge.judgeMessage(read.message, envelope, this.#index++, side)
      : this.judge.judgeUnreadable(read.reason, envelope, this.#index++, side);
    const egress: Finding[] =
      options.egress && options.egress !== transport
        ? this.judge.judgeEgress(judged, {
            ...envelope,
            transport: options.egress,
            src: envelope.dst,
            dst: side === 'carrier' ? PBX : CARRIER,
          })
        : [];
    this.#calls.record(judged, this.#clock);
    for (const observer of this.#observers) observer.judged?.(judged, egress, options.forwarded ?? true);
    return judged;
  }

  /**
   * A whole call: INVITE/offer, 100, 200/answer (media out of Twilio's range with `outOfRange`),
   * ACK, then BYE and its 200 unless `keepUp`.
   */
  call(callId: string, options: { outOfRange?: boolean; keepUp?: boolean } = {}): void {
    this.send('customer', invite(callId));
    this.send('carrier', response('100 Trying', '1 INVITE', callId));
    const body = options.outOfRange ? answerOutOfRange(callId) : answer(callId);
    this.send('carrier', response('200 OK', '1 INVITE', callId, body));
    this.send('customer', ack(callId));
    if (options.keepUp) return;
    this.send('customer', bye(callId));
    this.send('carrier', response('200 OK', '2 BYE', callId));
  }
}
