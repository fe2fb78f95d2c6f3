/**
 * LiveCalls: one summary per call when it ends, built from messages judged by the real Judge
 * against the shipped Twilio profile and the default policy. Ends: the BYE's final response
 * (bye), a failure to the initial INVITE (failed; 487 cancelled), idle (timeout), the cap
 * (evicted) and shutdown. Summaries never carry SDES keys.
 */
import test from 'ava';
import { Judge, type JudgedMessage } from '../../src/policy/engine.js';
import type { Side } from '../../src/policy/finding.js';
import type { NegotiatedMedia } from '../../src/report/call-ledger.js';
import { type CallSummaryLine, LiveCalls, type LiveCallsOptions } from '../../src/report/live-calls.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { Envelope } from '../../src/sip/envelope.js';
import {
  answer,
  CARRIER,
  CONFIG,
  IN_DIALOG_URI,
  invite as inviteWith,
  KEY_PBX,
  KEY_TWILIO,
  offer,
  PBX,
  REQUEST_URI,
  response,
  sdp,
  TO_TAGGED,
  wire,
} from './call-fixtures.js';

const OFFER = offer(KEY_PBX);
/** Twilio's answer: media inside 168.86.128.0/18, port inside 10000-60000. */
const ANSWER = answer(KEY_TWILIO);
/** An answer with media outside Twilio's published range (media-ip-out-of-range, high). */
const ANSWER_OUT_OF_RANGE = sdp(3, '192.0.2.99', 12000, `1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_TWILIO}`);

/** A judge and the call table it feeds; `send` judges a message and records it at `now`. */
function harness(options: Partial<LiveCallsOptions> = {}) {
  const judge = new Judge(CONFIG);
  const ended: CallSummaryLine[] = [];
  const calls = new LiveCalls({ maxCalls: 100, idleMs: 60_000, failOn: 'high', ...options }, (summary) =>
    ended.push(summary),
  );
  let index = 0;
  const send = (side: Side, bytes: Buffer, now: number, time = '2026-11-28T10:00:00.000Z'): JudgedMessage => {
    const result = readDatagram(bytes);
    if (!result.ok) throw new Error(`test message unreadable: ${result.reason}`);
    const envelope: Envelope = {
      transport: 'tls',
      src: side === 'carrier' ? CARRIER : PBX,
      dst: side === 'carrier' ? PBX : CARRIER,
      time,
    };
    const judged = judge.judgeMessage(result.message, envelope, index++);
    assertSide(judged, side);
    calls.record(judged, now);
    return judged;
  };
  return { calls, ended, send };
}

/** The judge reads the side from the source address: the fixtures must put it where intended. */
function assertSide(judged: JudgedMessage, side: Side): void {
  if (judged.side !== side) throw new Error(`judged as ${judged.side}, meant ${side}`);
}

const invite = (callId: string, body = OFFER) => inviteWith(callId, body);

const PBX_MEDIA: NegotiatedMedia = {
  side: 'customer',
  role: 'offer',
  mediaIndex: 0,
  type: 'audio',
  address: '198.51.100.20',
  port: 20000,
  rtcpPort: 20001,
  proto: 'RTP/SAVP',
  suites: ['AES_CM_128_HMAC_SHA1_80'],
  direction: 'sendrecv',
};
const TWILIO_MEDIA: NegotiatedMedia = {
  side: 'carrier',
  role: 'answer',
  mediaIndex: 0,
  type: 'audio',
  address: '168.86.128.10',
  port: 12000,
  rtcpPort: 12001,
  proto: 'RTP/SAVP',
  suites: ['AES_CM_128_HMAC_SHA1_80'],
  direction: 'sendrecv',
};

test('INVITE/SDP → 200/SDP → ACK → BYE → 200: one summary, ended bye, both sides media, no keys', (t) => {
  const { calls, ended, send } = harness();
  const callId = 'call-bye@pbx.example.com';
  send('customer', invite(callId), 1_000, '2026-11-28T10:00:00.000Z');
  send('carrier', response('200 OK', '1 INVITE', callId, ANSWER), 2_000, '2026-11-28T10:00:01.000Z');
  send(
    'customer',
    wire(`ACK ${IN_DIALOG_URI} SIP/2.0`, '1 ACK', { callId, to: TO_TAGGED }),
    3_000,
    '2026-11-28T10:00:02.000Z',
  );
  t.is(calls.size, 1);
  t.deepEqual(ended, [], 'still up after the ACK');
  send(
    'customer',
    wire(`BYE ${IN_DIALOG_URI} SIP/2.0`, '2 BYE', { callId, to: TO_TAGGED }),
    60_000,
    '2026-11-28T10:01:00.000Z',
  );
  t.deepEqual(ended, [], 'the BYE alone does not end it: its final response does');
  send('carrier', response('200 OK', '2 BYE', callId), 60_100, '2026-11-28T10:01:00.100Z');

  t.is(calls.size, 0);
  t.deepEqual(ended, [
    {
      callId,
      ended: 'bye',
      firstSeen: '2026-11-28T10:00:00.000Z',
      lastSeen: '2026-11-28T10:01:00.100Z',
      messages: 5,
      findings: 0,
      codes: [],
      worstSeverity: null,
      verdict: 'ok',
      finalStatus: 200,
      media: { carrier: [TWILIO_MEDIA], customer: [PBX_MEDIA] },
    },
  ]);
  const json = JSON.stringify(ended);
  t.false(json.includes('inline:'));
  t.false(json.includes(KEY_PBX));
  t.false(json.includes(KEY_TWILIO));
});

test('findings are counted with their codes, worst severity and the verdict against failOn', (t) => {
  for (const [failOn, verdict] of [
    ['high', 'fail'],
    ['critical', 'warn'],
  ] as const) {
    const { ended, send } = harness({ failOn });
    const callId = `call-findings-${failOn}`;
    send('customer', invite(callId), 0);
    const answered = send('carrier', response('200 OK', '1 INVITE', callId, ANSWER_OUT_OF_RANGE), 1);
    t.deepEqual(
      answered.findings.map((finding) => finding.code),
      ['media-ip-out-of-range'],
    );
    send('customer', wire(`BYE ${IN_DIALOG_URI} SIP/2.0`, '2 BYE', { callId, to: TO_TAGGED }), 2);
    send('carrier', response('200 OK', '2 BYE', callId), 3);
    t.is(ended.length, 1);
    const summary = ended[0]!;
    t.is(summary.ended, 'bye');
    t.is(summary.messages, 4);
    t.is(summary.findings, 1);
    t.deepEqual(summary.codes, ['media-ip-out-of-range']);
    t.is(summary.worstSeverity, 'high');
    t.is(summary.verdict, verdict, failOn);
    t.is(summary.media.carrier[0]?.address, '192.0.2.99');
    t.false(JSON.stringify(summary).includes('inline:'));
  }
});

test('INVITE → 486: the call failed (RFC 3261 §13.2.2.3), with the final status', (t) => {
  const { calls, ended, send } = harness();
  send('customer', invite('call-busy'), 0);
  send('carrier', response('100 Trying', '1 INVITE', 'call-busy'), 1);
  t.deepEqual(ended, []);
  send('carrier', response('486 Busy Here', '1 INVITE', 'call-busy'), 2);
  t.is(calls.size, 0);
  t.is(ended.length, 1);
  t.is(ended[0]?.callId, 'call-busy');
  t.is(ended[0]?.ended, 'failed');
  t.is(ended[0]?.finalStatus, 486);
  t.is(ended[0]?.messages, 3);
  t.deepEqual(ended[0]?.media, { carrier: [], customer: [PBX_MEDIA] });
  // The ACK for the 486 comes after the end: it starts nothing and ends nothing.
  send('customer', wire(`ACK ${REQUEST_URI} SIP/2.0`, '1 ACK', { callId: 'call-busy', to: TO_TAGGED }), 3);
  t.is(calls.size, 0);
  t.is(ended.length, 1);
});

test('INVITE → CANCEL → 200 (CANCEL) → 487: the call was cancelled', (t) => {
  const { calls, ended, send } = harness();
  send('customer', invite('call-cancel'), 0);
  send('carrier', response('180 Ringing', '1 INVITE', 'call-cancel'), 1);
  send('customer', wire(`CANCEL ${REQUEST_URI} SIP/2.0`, '1 CANCEL', { callId: 'call-cancel' }), 2);
  send('carrier', response('200 OK', '1 CANCEL', 'call-cancel'), 3);
  t.deepEqual(ended, [], 'the 200 to the CANCEL does not end the call');
  send('carrier', response('487 Request Terminated', '1 INVITE', 'call-cancel'), 4);
  t.is(calls.size, 0);
  t.is(ended.length, 1);
  t.is(ended[0]?.ended, 'cancelled');
  t.is(ended[0]?.finalStatus, 487);
  t.is(ended[0]?.messages, 5);
});

test('an established call survives a failed re-INVITE (491), then ends with its BYE', (t) => {
  const { calls, ended, send } = harness();
  const callId = 'call-reinvite';
  send('customer', invite(callId), 0);
  send('carrier', response('200 OK', '1 INVITE', callId, ANSWER), 1);
  send('customer', wire(`ACK ${IN_DIALOG_URI} SIP/2.0`, '1 ACK', { callId, to: TO_TAGGED }), 2);
  const reinvite = wire(`INVITE ${IN_DIALOG_URI} SIP/2.0`, '2 INVITE', {
    callId,
    to: TO_TAGGED,
    body: sdp(1, '198.51.100.20', 20002, KEY_PBX).replace('o=- 1 1', 'o=- 1 2'),
  });
  send('customer', reinvite, 3);
  send('carrier', response('491 Request Pending', '2 INVITE', callId), 4);
  t.deepEqual(ended, [], 'RFC 3261 §14.1: a failed re-INVITE leaves the session as it was');
  t.is(calls.size, 1);
  send('carrier', response('487 Request Terminated', '2 INVITE', callId), 5);
  t.deepEqual(ended, [], 'nor does a 487 to a re-INVITE');
  send('customer', wire(`BYE ${IN_DIALOG_URI} SIP/2.0`, '3 BYE', { callId, to: TO_TAGGED }), 6);
  send('carrier', response('200 OK', '3 BYE', callId), 7);
  t.is(ended.length, 1);
  t.is(ended[0]?.ended, 'bye');
  t.is(ended[0]?.finalStatus, 200);
  t.is(ended[0]?.messages, 8);
});

test('messages that start no call: a response, an in-dialog request, an OPTIONS', (t) => {
  const { calls, ended, send } = harness();
  send('carrier', response('200 OK', '1 INVITE', 'stray-1', ANSWER), 0);
  send('customer', wire(`BYE ${IN_DIALOG_URI} SIP/2.0`, '2 BYE', { callId: 'stray-2', to: TO_TAGGED }), 1);
  send('customer', wire(`OPTIONS ${REQUEST_URI} SIP/2.0`, '1 OPTIONS', { callId: 'stray-3' }), 2);
  t.is(calls.size, 0);
  calls.endAll();
  t.deepEqual(ended, []);
});

test('sweep(): a call idle for idleMs ends with timeout; a recent one stays', (t) => {
  const { calls, ended, send } = harness({ idleMs: 30_000 });
  send('customer', invite('call-idle'), 1_000, '2026-11-28T10:00:01.000Z');
  send('carrier', response('200 OK', '1 INVITE', 'call-idle', ANSWER), 2_000, '2026-11-28T10:00:02.000Z');
  send('customer', invite('call-busy-later'), 20_000);
  calls.sweep(31_999);
  t.deepEqual(ended, [], 'idle 29.999 s');
  calls.sweep(32_001);
  t.is(ended.length, 1);
  t.is(ended[0]?.callId, 'call-idle');
  t.is(ended[0]?.ended, 'timeout');
  t.is(ended[0]?.finalStatus, null);
  t.is(ended[0]?.lastSeen, '2026-11-28T10:00:02.000Z');
  t.deepEqual(ended[0]?.media, { carrier: [TWILIO_MEDIA], customer: [PBX_MEDIA] });
  t.is(calls.size, 1);
  calls.sweep(50_001);
  t.is(ended.length, 2);
  t.is(ended[1]?.callId, 'call-busy-later');
  t.is(ended[1]?.ended, 'timeout');
  t.is(calls.size, 0);
});

test('sweep(): activity moves a call back in line, so the older idle call goes first', (t) => {
  const { calls, ended, send } = harness({ idleMs: 10_000 });
  send('customer', invite('first'), 0);
  send('customer', invite('second'), 1_000);
  send('carrier', response('180 Ringing', '1 INVITE', 'first'), 5_000);
  calls.sweep(11_500);
  t.deepEqual(
    ended.map((summary) => [summary.callId, summary.ended]),
    [['second', 'timeout']],
  );
  t.is(calls.size, 1);
});

test('the cap: past maxCalls the least recently active call is summarized as evicted', (t) => {
  const { calls, ended, send } = harness({ maxCalls: 2 });
  send('customer', invite('c1'), 0);
  send('customer', invite('c2'), 1);
  send('carrier', response('180 Ringing', '1 INVITE', 'c1'), 2);
  t.deepEqual(ended, []);
  send('customer', invite('c3'), 3);
  t.is(calls.size, 2);
  t.is(ended.length, 1);
  t.is(ended[0]?.callId, 'c2', 'c1 was active more recently');
  t.is(ended[0]?.ended, 'evicted');
  t.is(ended[0]?.messages, 1);
  t.is(ended[0]?.finalStatus, null);
});

test('endAll(): every open call ends with shutdown, in recency order', (t) => {
  const { calls, ended, send } = harness();
  send('customer', invite('s1'), 0);
  send('customer', invite('s2'), 1);
  send('carrier', response('200 OK', '1 INVITE', 's1', ANSWER), 2);
  calls.endAll();
  t.deepEqual(
    ended.map((summary) => [summary.callId, summary.ended, summary.messages]),
    [
      ['s2', 'shutdown', 1],
      ['s1', 'shutdown', 2],
    ],
  );
  t.is(calls.size, 0);
  calls.endAll();
  t.is(ended.length, 2, 'nothing left to end');
});
