/**
 * readCaptureFile on a capture larger than a read chunk: its events come in batches (a file
 * chunk is fed to the reader in small pieces), in capture order, the same events a single
 * CaptureReader.push of the whole file gives, and packets of one millisecond share one time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type CaptureEvent, CaptureReader, readCaptureFile } from '../../src/sources/pcap/capture-reader.js';
import { ethernet, INVITE, ipv4, OK, pcapFile, udp } from './pcap-bytes.js';

const T0 = 1_780_000_000; // 2026-05-28T20:26:40Z

/** 400 calls (INVITE, 200), four packets per millisecond: about 200 KiB. */
function capture(): Buffer {
  const records = [];
  for (let i = 0; i < 800; i++) {
    const callId = `call-${i >> 1}@x`;
    const payload = i % 2 === 0 ? INVITE(callId) : OK(callId);
    records.push({
      seconds: T0,
      fraction: Math.floor(i / 4) * 1000 + (i % 4),
      data: ethernet(ipv4(udp(5060, 5060, payload))),
    });
  }
  return pcapFile(1, records);
}

const summary = (events: readonly CaptureEvent[]) =>
  events.map((event) =>
    event.kind === 'sip'
      ? `${event.envelope.time} ${event.result.ok ? event.result.message.callId : event.result.reason}`
      : event.kind,
  );

test('a capture read from a file comes in batches, in order, as the whole file pushed at once', async (t) => {
  const bytes = capture();
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-batches-'));
  try {
    const file = join(dir, 'calls.pcap');
    writeFileSync(file, bytes);
    const whole = new CaptureReader();
    const expected = [...whole.push(bytes), ...whole.end()];
    t.is(expected.length, 800);

    // A chunk size that is not a multiple of the reader's feed, so records straddle both edges.
    const batches = readCaptureFile(file, { chunkSize: 50_000 });
    const got: CaptureEvent[] = [];
    let count = 0;
    for (;;) {
      const next = await batches.next();
      if (next.done) {
        t.deepEqual(next.value, whole.stats);
        break;
      }
      t.true(next.value.length > 0, 'no empty batch');
      got.push(...next.value);
      count++;
    }
    t.true(count > 4, `${count} batches: bytes are fed in pieces smaller than a chunk`);
    t.deepEqual(summary(got), summary(expected));
    const times = got.flatMap((event) => (event.kind === 'sip' ? [event.envelope.time] : []));
    t.is(times[0], '2026-05-28T20:26:40.000Z');
    t.is(times[3], '2026-05-28T20:26:40.000Z', 'four packets in one millisecond');
    t.is(times[4], '2026-05-28T20:26:40.001Z');
    t.is(times[799], '2026-05-28T20:26:40.199Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
