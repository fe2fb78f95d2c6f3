/**
 * Throughput of the SIP reader on a typical ~1.3 KB INVITE with SDP (test/fixtures/sip/invite-sdp.dat).
 * Not a test: run `npx tsc -p . && node dist/test/sip/reader.bench.js`. Numbers vary ±15 % per run.
 * The "judge sequence" line is the reader's budget: readDatagram, Call-ID, CSeq, top Via,
 * Content-Type, problems, User-Agent, Server and sdpBodies, over 1000 distinct INVITEs.
 */
import { readFileSync } from 'node:fs';
import { readDatagram } from '../../src/sip/datagram.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';

const root = new URL('../../../', import.meta.url);
const invite = readFileSync(new URL('test/fixtures/sip/invite-sdp.dat', root));

/**
 * Runs `run` `iterations` times after a warm-up, in ROUNDS rounds; prints the best round's
 * messages per wall-clock second and per CPU second (the latter is what one core does, even on
 * a busy machine), and CPU microseconds per message. The best round is the least disturbed one.
 */
const ROUNDS = 5;
function measure(label: string, iterations: number, messagesPerRun: number, run: () => void): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) run(); // warm-up: let the JIT settle
  const perRound = Math.ceil(iterations / ROUNDS);
  let bestWall = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) run();
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    bestWall = Math.min(bestWall, wall);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
  }
  const messages = perRound * messagesPerRun;
  const format = (rate: number) => Math.round(rate).toLocaleString('en-US').padStart(10);
  const micros = ((bestCpu / messages) * 1e6).toFixed(2).padStart(6);
  console.log(
    `${label.padEnd(60)} ${format(messages / bestWall)} msg/s wall ${format(messages / bestCpu)} msg/s CPU ${micros} µs CPU/msg`,
  );
}

let sink = 0;
console.log(`INVITE with SDP: ${invite.length} bytes`);
measure('readDatagram (frame + start line + header index)', 1_000_000, 1, () => {
  const result = readDatagram(invite);
  if (result.ok) sink += result.message.body.length;
});
measure('readDatagram + Call-ID, CSeq, top Via, Content-Type', 1_000_000, 1, () => {
  const result = readDatagram(invite);
  if (result.ok) {
    const message = result.message;
    sink += (message.callId?.length ?? 0) + (message.cseq?.number ?? 0) + (message.topVia?.port ?? 0);
    sink += message.contentType?.length ?? 0;
  }
});
measure('readDatagram + the above + problems (grammar checks)', 300_000, 1, () => {
  const result = readDatagram(invite);
  if (result.ok) {
    const message = result.message;
    sink += (message.callId?.length ?? 0) + (message.cseq?.number ?? 0) + (message.topVia?.port ?? 0);
    sink += message.problems.length;
  }
});
measure('readDatagram + problems + sdpBodies', 300_000, 1, () => {
  const result = readDatagram(invite);
  if (result.ok) sink += result.message.problems.length + sdpBodies(result.message).bodies.length;
});

/**
 * 1000 distinct copies of the INVITE (Call-ID and top Via branch differ, same length), so that
 * nothing cached per message or per string is reused across iterations.
 */
const COPIES = 1000;
const distinct = (() => {
  const text = invite.toString('latin1');
  const callId = /^Call-ID: ([^@\r]+)/m.exec(text)?.[1] ?? '';
  const branch = /;branch=(z9hG4bK[^;\r]+)/.exec(text)?.[1] ?? '';
  if (callId === '' || branch === '') throw new Error('fixture changed: no Call-ID or branch');
  return Array.from({ length: COPIES }, (_unused, n) => {
    const tag = n.toString(16).padStart(6, '0');
    const copy = text
      .replace(callId, callId.slice(0, -tag.length) + tag)
      .replace(branch, branch.slice(0, -tag.length) + tag);
    return Buffer.from(copy, 'latin1');
  });
})();
let next = 0;
/** What the judge does per message: the target sequence of the reader's performance budget. */
function judgeSequence(buf: Buffer): void {
  const result = readDatagram(buf);
  if (!result.ok) return;
  const message = result.message;
  sink += (message.callId?.length ?? 0) + (message.cseq?.number ?? 0) + (message.topVia?.port ?? 0);
  sink += (message.contentType?.length ?? 0) + message.problems.length;
  sink += (message.header('user-agent')?.length ?? 0) + (message.header('server')?.length ?? 0);
  sink += sdpBodies(message).bodies.length;
}
measure('distinct INVITEs: readDatagram only', 1_000_000, 1, () => {
  const result = readDatagram(distinct[next++ % COPIES] as Buffer);
  if (result.ok) sink += result.message.bodyOffset;
});
measure('distinct INVITEs: judge sequence (read+ids+problems+UA+sdp)', 500_000, 1, () => {
  judgeSequence(distinct[next++ % COPIES] as Buffer);
});

const stream = Buffer.concat(Array.from({ length: 20 }, () => invite));
const framer = new StreamFramer();
measure('StreamFramer.push, 20 INVITEs per 27 KB chunk', 50_000, 20, () => {
  sink += framer.push(stream).length;
});
console.log(sink > 0 ? '' : 'no result');
