/**
 * SIP messages of SRTP calls between a customer PBX and Twilio, judged by the real Judge against the
 * shipped Twilio profile: the one fixture the log, negotiation log, live-calls, store, metrics and
 * API tests share.
 */
import { Judge, type JudgedMessage } from '../../src/policy/engine.js';
import type { Side } from '../../src/policy/finding.js';
import { defaultPolicy } from '../../src/policy/load-config.js';
import { loadProfileByName } from '../../src/policy/load-profile.js';
import type { JudgeConfig } from '../../src/policy/profile.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { Envelope, Transport } from '../../src/sip/envelope.js';

export const CONFIG: JudgeConfig = { profile: loadProfileByName('twilio'), policy: defaultPolicy() };

/** A Twilio signaling edge (ashburn, 54.172.60.0/30) and the customer's PBX. */
export const CARRIER = { host: '54.172.60.1', port: 5061 };
export const PBX = { host: '198.51.100.20', port: 5061 };

/** 30-byte AES_CM_128 key||salt values, 40 base64 characters. */
export const KEY_PBX = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
export const KEY_TWILIO = 'PS1uQCRwY2ttdTBuUV5kYGpRLlp0a2ZXXkw4aHQy';

export function sdp(origin: number, address: string, port: number, crypto: string): string {
  return [
    'v=0',
    `o=- ${origin} 1 IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/SAVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    `a=crypto:${crypto}`,
    'a=sendrecv',
    '',
  ].join('\r\n');
}

export const offer = (key: string, origin = 1) =>
  sdp(origin, '198.51.100.20', 20000, `1 AES_CM_128_HMAC_SHA1_80 inline:${key}`);
export const answer = (key: string, origin = 2) =>
  sdp(origin, '168.86.128.10', 12000, `1 AES_CM_128_HMAC_SHA1_80 inline:${key}`);

export const TO = '<sip:+14155550199@trunk.pstn.twilio.com>';
export const TO_TAGGED = `${TO};tag=tw-1`;
export const REQUEST_URI = 'sip:+14155550199@trunk.pstn.twilio.com';
export const IN_DIALOG_URI = 'sip:+14155550199@54.172.60.1:5061;transport=tls';

export interface Parts {
  readonly callId: string;
  readonly to?: string;
  readonly body?: string;
  readonly extraHeaders?: readonly string[];
}

/** One of the call's messages, as the customer PBX or Twilio would send it. */
export function wire(startLine: string, cseq: string, parts: Parts): Buffer {
  const body = parts.body ?? '';
  const lines = [
    startLine,
    'Via: SIP/2.0/TLS 198.51.100.20:5061;branch=z9hG4bK-pbx-1',
    'Max-Forwards: 70',
    'From: <sip:+14155550100@pbx.example.com>;tag=pbx1',
    `To: ${parts.to ?? TO}`,
    `Call-ID: ${parts.callId}`,
    `CSeq: ${cseq}`,
    'Contact: <sip:+14155550100@198.51.100.20:5061;transport=tls>',
    ...(parts.extraHeaders ?? []),
  ];
  if (body !== '') lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export const invite = (callId: string, body: string, extraHeaders: readonly string[] = []) =>
  wire(`INVITE ${REQUEST_URI} SIP/2.0`, '1 INVITE', { callId, body, extraHeaders });
export const response = (status: string, cseq: string, callId: string, body = '') =>
  wire(`SIP/2.0 ${status}`, cseq, { callId, to: TO_TAGGED, body });

/** A judge as the proxy has one; `send` judges a message from one side at a time. */
export function judging(transport: Transport = 'tls') {
  const judge = new Judge(CONFIG);
  let index = 0;
  let second = 0;
  const send = (side: Side, bytes: Buffer): JudgedMessage => {
    const result = readDatagram(bytes);
    if (!result.ok) throw new Error(`test message unreadable: ${result.reason}`);
    const envelope: Envelope = {
      transport,
      src: side === 'carrier' ? CARRIER : PBX,
      dst: side === 'carrier' ? PBX : CARRIER,
      time: new Date(Date.UTC(2026, 10, 28, 10, 0, second++)).toISOString(),
    };
    const judged = judge.judgeMessage(result.message, envelope, index++);
    if (judged.side !== side) throw new Error(`judged as ${judged.side}, meant ${side}`);
    return judged;
  };
  return { judge, send };
}
