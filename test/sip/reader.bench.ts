/**
 * Throughput of the SIP reader on a typical ~1.3 KB INVITE with SDP (test/fixtures/sip/invite-sdp.dat).
 * Not a test: run `npx tsc -p . && node dist/test/sip/reader.bench.js`. Numbers vary ±15 % per run.
 */
import { readFileSync } from 'node:fs';
import { readDatagram } from '../../src/sip/datagram.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';

const root = new URL('../../../', import.meta.url);
const invite = readFileSync(new URL('test/fixtures/sip/invite-sdp.dat', root));

/**
 * Runs `run` `iterations` times after a warm-up; prints messages per wall-clock second and per
 * CPU second (the latter is what one core does, even on a busy machine).
 */
function measure(label: string, iterations: number, messagesPerRun: number, run: () => void): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) run(); // warm-up: let the JIT settle
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const messages = iterations * messagesPerRun;
  const format = (rate: number) => Math.round(rate).toLocaleString('en-US').padStart(10);
  console.log(
    `${label.padEnd(60)} ${format(messages / wall)} msg/s wall ${format(messages / cpuSeconds)} msg/s CPU`,
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
const stream = Buffer.concat(Array.from({ length: 20 }, () => invite));
const framer = new StreamFramer();
measure('StreamFramer.push, 20 INVITEs per 27 KB chunk', 50_000, 20, () => {
  sink += framer.push(stream).length;
});
console.log(sink > 0 ? '' : 'no result');
