/**
 * npm run bench:judge — messages per second through the whole judge on one thread:
 * the SIP reader, multipart/SDP extraction, the SDP media model, every check and the
 * offer/answer table. Prints the figures with the machine's core count; no assertions
 * (machines are noisy: compare figures from one sitting).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Judge, type JudgeOptions } from '../src/policy/engine.js';
import { loadConfig } from '../src/policy/load-config.js';
import { readDatagram } from '../src/sip/datagram.js';
import type { Envelope } from '../src/sip/envelope.js';
import { parseTraceLine } from '../src/sources/trace-record.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test', 'fixtures');

const customer: Envelope = {
  transport: 'tls',
  src: { host: '203.0.113.10', port: 5061 },
  dst: { host: '54.172.60.1', port: 5061 },
  time: '2026-11-28T10:00:00.000Z',
};

/** A Twilio-bound INVITE with an SDES offer, as a PBX sends it; distinct Call-ID and key per copy. */
function invite(n: number): Buffer {
  const key = createHash('sha256').update(String(n)).digest().subarray(0, 30).toString('base64');
  const sdp = [
    'v=0',
    `o=- ${1000 + n} 1 IN IP4 203.0.113.10`,
    's=-',
    'c=IN IP4 203.0.113.10',
    't=0 0',
    'm=audio 20000 RTP/SAVP 0 8 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`,
    'a=sendrecv',
    '',
  ].join('\r\n');
  const head = [
    'INVITE sip:+14155550199@mytrunk.pstn.twilio.com SIP/2.0',
    `Via: SIP/2.0/TLS 203.0.113.10:5061;branch=z9hG4bK-${n}-a1b2c3;rport`,
    'Max-Forwards: 70',
    'From: "Alice" <sip:+14155550100@pbx.example.com>;tag=9fxced76sl',
    'To: <sip:+14155550199@mytrunk.pstn.twilio.com>',
    `Call-ID: ${n}-3848276298220188511@pbx.example.com`,
    'CSeq: 1 INVITE',
    'Contact: <sip:+14155550100@203.0.113.10:5061;transport=tls>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, REFER, NOTIFY',
    'Supported: replaces, timer, 100rel',
    'User-Agent: Asterisk PBX 20.5.0',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.from(head + sdp);
}

/** Every corpus message: RFC 4475 and RFC 5118 torture messages and the trace fixtures. */
function corpus(): { bytes: Buffer; envelope: Envelope }[] {
  const messages: { bytes: Buffer; envelope: Envelope }[] = [];
  for (const folder of ['rfc4475', 'rfc5118']) {
    for (const file of readdirSync(join(fixtures, folder)).filter((name) => name.endsWith('.dat'))) {
      messages.push({
        bytes: readFileSync(join(fixtures, folder, file)),
        envelope: { ...customer, transport: 'udp' },
      });
    }
  }
  for (const file of readdirSync(join(fixtures, 'traces')).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(fixtures, 'traces', file), 'utf8')
      .split('\n')
      .filter(Boolean)) {
      const record = parseTraceLine(line);
      if (typeof record !== 'string') messages.push(record);
    }
  }
  return messages;
}

/**
 * Messages per second through the judge, as the median of ROUNDS timed rounds (this machine's
 * figures move 20-40 % between runs: the median of one sitting is what to compare).
 */
function measure(
  label: string,
  messages: readonly { bytes: Buffer; envelope: Envelope }[],
  seconds: number,
  options: Partial<JudgeOptions> = {},
): number {
  const judge = new Judge(loadConfig(), options);
  let index = 0;
  const once = () => {
    const item = messages[index % messages.length]!;
    const result = readDatagram(item.bytes);
    if (result.ok) judge.judgeMessage(result.message, item.envelope, index);
    else judge.judgeUnreadable(result.reason, item.envelope, index);
    index++;
  };
  for (let i = 0; i < 20_000; i++) once(); // warm up the JIT
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round((seconds / ROUNDS) * 1e9));
    let now = start;
    let count = 0;
    while (now < deadline) {
      for (let i = 0; i < 1000; i++) once();
      count += 1000;
      now = process.hrtime.bigint();
    }
    rates.push(count / (Number(now - start) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const rate = rates[Math.floor(ROUNDS / 2)]!;
  const bytes = messages.reduce((sum, item) => sum + item.bytes.length, 0) / messages.length;
  const format = (value: number) => Math.round(value).toLocaleString('en-US');
  console.log(
    `${label.padEnd(44)} ${format(rate).padStart(9)} msg/s ${(1e6 / rate).toFixed(1).padStart(6)} µs/msg ` +
      `(rounds ${format(rates[0]!)}-${format(rates[ROUNDS - 1]!)}; ${messages.length} distinct, avg ${Math.round(bytes)} B)`,
  );
  return rate;
}

const ROUNDS = 5;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const cpu = cpus();
console.log(
  `trunkguard bench:judge: node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim()}), one thread, median of ${ROUNDS} rounds over ${seconds} s per figure`,
);
// Two working sets: 1,000 calls cycling (each INVITE after the first round repeats a call the
// table still holds), and, last, more distinct calls than the table holds (50,000): every INVITE
// is a new call that is never answered, so the table stays full of pending offers (a flood).
const invites = Array.from({ length: 1000 }, (_, n) => ({ bytes: invite(n), envelope: customer }));
const inviteRate = measure('INVITE with SDES SDP (reader+SDP+checks)', invites, seconds);
measure('same, with the sdp-transform cross-check', invites, seconds, { crossCheckSdp: true });
measure('mixed corpus (torture + trace fixtures)', corpus(), seconds);
const newCalls = Array.from({ length: 60_000 }, (_, n) => ({ bytes: invite(n), envelope: customer }));
const floodRate = measure('INVITEs never answered, table full (50,000)', newCalls, seconds);
console.log(
  `target: >= 50,000 INVITE-with-SDP per second on one core: ${inviteRate >= 50_000 ? 'met' : 'NOT met'} ` +
    `with a working table; ${floodRate >= 50_000 ? 'met' : 'NOT met'} with the table full of unanswered calls`,
);
