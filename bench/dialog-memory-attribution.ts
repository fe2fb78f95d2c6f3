/**
 * What each open call costs in memory, per structure: `node --expose-gc
 * dist/bench/dialog-memory-attribution.js [calls]` (default 50,000). Drives the real objects with
 * the calls bench:dialogs places (INVITE with an SDES offer, 100, 180, 200 with an SDES answer,
 * ACK, never BYE): the Judge (offer/answer table and recent keys), LiveCalls and
 * TransactionOrigins, each in a phase of its own, and prints the V8 heap used per call each
 * phase adds after a forced GC. No assertions: a measuring aid.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { Judge, type JudgedMessage } from '../src/policy/engine.js';
import { loadConfig } from '../src/policy/load-config.js';
import { ourBranch } from '../src/proxy/branch.js';
import type { ReturnPath } from '../src/proxy/return-path.js';
import { TransactionOrigins } from '../src/proxy/transaction-origins.js';
import { LiveCalls } from '../src/report/live-calls.js';
import { readDatagram } from '../src/sip/datagram.js';
import type { Endpoint, Envelope } from '../src/sip/envelope.js';
import type { SipMessage } from '../src/sip/message.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const calls = Number(process.argv[2] ?? 50_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function key(n: number, side: string): string {
  return createHash('sha256').update(`${side}${n}`).digest().subarray(0, 30).toString('base64');
}

function sdp(n: number, ip: string, port: number, side: string): string {
  return [
    'v=0',
    `o=${side} 53655765 2353687637 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} RTP/SAVP 0 8 101`,
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key(n, side)}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** The messages of call n, as SIPp's uac-no-bye.xml and uas.xml send them. */
function callMessages(n: number): { bytes: Buffer; side: 'customer' | 'carrier' }[] {
  const callId = `${n}-4242@127.0.0.1`;
  const via = `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-4242-${n}-0`;
  const from = `From: "trunkguard e2e" <sip:customer@127.0.0.1:5070>;tag=4242SIPpTag00${n}`;
  const to = 'To: <sip:service@127.0.0.1:5060>';
  const offer = sdp(n, '127.0.0.1', 6000, 'customer');
  const answer = sdp(n, '168.86.128.10', 10000 + (n % 10000), 'carrier');
  const lines = (...l: string[]) => Buffer.from(`${l.join('\r\n')}`);
  const response = (status: string, body: string | null) =>
    lines(
      `SIP/2.0 ${status}`,
      via,
      from,
      status.startsWith('100') ? to : `${to};tag=4242SIPpTag01${n}`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      'Contact: <sip:127.0.0.1:5080;transport=UDP>',
      ...(body
        ? ['Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`, '', body]
        : ['Content-Length: 0', '', '']),
    );
  return [
    {
      side: 'customer',
      bytes: lines(
        'INVITE sip:service@127.0.0.1:5060;transport=UDP SIP/2.0',
        via,
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        'Contact: <sip:customer@127.0.0.1:5070;transport=UDP>',
        'Max-Forwards: 70',
        'Subject: trunkguard e2e',
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(offer)}`,
        '',
        offer,
      ),
    },
    { side: 'carrier', bytes: response('100 Trying', null) },
    { side: 'carrier', bytes: response('180 Ringing', null) },
    { side: 'carrier', bytes: response('200 OK', answer) },
    {
      side: 'customer',
      bytes: lines(
        'ACK sip:127.0.0.1:5080;transport=UDP SIP/2.0',
        `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-4242-${n}-5`,
        from,
        `${to};tag=4242SIPpTag01${n}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 ACK',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ),
    },
  ];
}

/** With TRUNKGUARD_SNAPSHOT_DIR set, a heap snapshot there after the phase. */
function snapshot(phase: string): void {
  const dir = process.env.TRUNKGUARD_SNAPSHOT_DIR;
  if (dir !== undefined) writeHeapSnapshot(join(dir, `${phase}.heapsnapshot`));
}

const listener: Endpoint = { host: '127.0.0.1', port: 5060 };

/** Drives every call through `each` (the message, as read, and the judge's verdict). */
function drive(
  judge: Judge,
  each: (message: SipMessage, judged: JudgedMessage, remote: Endpoint) => void,
): void {
  let index = 0;
  for (let n = 0; n < calls; n++) {
    for (const { bytes, side } of callMessages(n)) {
      const read = readDatagram(bytes);
      if (!read.ok) throw new Error(`unreadable: ${read.reason}`);
      // As the UDP transport gives it: a fresh address string per datagram.
      const remote: Endpoint = {
        host: `127.0.0.${side === 'customer' ? 1 : 2}`,
        port: side === 'customer' ? 5070 : 5080,
      };
      const envelope: Envelope = {
        transport: 'udp',
        src: remote,
        dst: listener,
        time: new Date().toISOString(),
      };
      const judged = judge.judgeMessage(read.message, envelope, index++, side);
      each(read.message, judged, remote);
    }
  }
}

const config = loadConfig(join(root, 'bench', 'proxy-bench-dialogs.yaml'));
const table = { dialogs: { maxCalls: calls * 2 } };

const rows: [string, number][] = [];
let base = heapUsed();
snapshot('start');

// 1. The judge's offer/answer table alone (no recent keys), then the recent keys (capped at 20,000).
const tableOnly = new Judge(config, { ...table, maxRecentKeys: 0 });
drive(tableOnly, () => {});
let now = heapUsed();
rows.push([`offer/answer table (${tableOnly.dialogs.size} calls)`, now - base]);
snapshot('table');
base = heapUsed();
const judge = new Judge(config, table);
drive(judge, () => {});
now = heapUsed();
rows.push(['recent keys (20,000 at most: 2 per call)', now - base - rows[0]![1]]);

// 2. LiveCalls, fed by a judge whose table is kept small (its cost is row 1's).
base = heapUsed();
const live = new LiveCalls({ maxCalls: calls * 2, idleMs: 3_600_000, failOn: 'high' }, () => {});
const scratch = new Judge(config, { dialogs: { maxCalls: 100 }, maxRecentKeys: 100 });
drive(scratch, (_message, judged) => live.record(judged, Date.now()));
now = heapUsed();
rows.push([`LiveCalls (${live.size} calls)`, now - base]);
snapshot('live-calls');

// 3. TransactionOrigins: every INVITE's branch and return path, kept 200 s.
base = heapUsed();
const origins = new TransactionOrigins(calls * 2);
drive(scratch, (message, _judged, remote) => {
  if (message.kind !== 'request' || message.method === 'ACK') return;
  const path: ReturnPath = {
    transport: 'udp',
    remote,
    local: listener,
    listener: 0,
    connection: null,
    arrived: performance.now(),
  };
  origins.remember(
    ourBranch(message).branch,
    message.cseq?.method ?? '',
    { path, side: 'customer' },
    Date.now(),
  );
});
now = heapUsed();
rows.push([`TransactionOrigins (${origins.size} INVITE transactions)`, now - base]);

const total = rows.reduce((sum, [, bytes]) => sum + bytes, 0);
console.log(`V8 heap used per open call, ${calls.toLocaleString('en')} calls (node ${process.version}):`);
for (const [name, bytes] of rows)
  console.log(
    `  ${name.padEnd(62)} ${Math.round(bytes / calls)
      .toString()
      .padStart(6)} B`,
  );
console.log(
  `  ${'total'.padEnd(62)} ${Math.round(total / calls)
    .toString()
    .padStart(6)} B`,
);
// Keep everything alive until the last reading.
void [tableOnly, judge, live, origins].length;
