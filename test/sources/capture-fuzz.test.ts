/**
 * Damaged captures (fast-check): real captures from tcpdump and dumpcap with bytes changed, cut
 * short or inserted, fed in arbitrary pieces. The reader never throws anything but a
 * CaptureFormatError (check turns it into an input error; anything else would end the process
 * with a stack), and what it gives does not depend on where the pieces fall.
 * CAPTURE_FUZZ_RUNS=100000 runs it longer (a check made to read a UDP header past a 2-byte datagram
 * was found after 7,316 runs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { Judge } from '../../src/policy/engine.js';
import { defaultPolicy } from '../../src/policy/load-config.js';
import { loadProfileByName } from '../../src/policy/load-profile.js';
import {
  type CaptureEvent,
  CaptureFormatError,
  CaptureReader,
  CorruptCaptureError,
} from '../../src/sources/pcap/capture-reader.js';
import { root } from '../e2e/cli.js';

const fixtures = join(root, 'test', 'fixtures', 'pcap');
const captures = [
  'sipp-udp-lo.pcap',
  'sipp-tcp-lo.pcap',
  'sipp-tcp-any.pcap',
  'sipp-tcp-lo.pcapng',
  'sipp-udp-any.pcapng',
  'tls-lo.pcap',
].map((name) => readFileSync(join(fixtures, name)));

/**
 * Where each frame starts in a capture: random damage mostly lands in payload text, so half of it
 * is aimed at the first bytes of a frame (the link, IP, UDP and TCP headers the reader parses).
 */
function frameStarts(capture: Buffer): number[] {
  const starts: number[] = [];
  if (capture.readUInt32BE(0) === 0x0a0d0d0a) {
    const le = capture.readUInt32BE(8) === 0x4d3c2b1a;
    for (let at = 0; at + 12 <= capture.length; ) {
      const type = le ? capture.readUInt32LE(at) : capture.readUInt32BE(at);
      const length = le ? capture.readUInt32LE(at + 4) : capture.readUInt32BE(at + 4);
      if (type === 6) starts.push(at + 28); // EPB: the frame follows 28 bytes of block header
      if (length < 12) break;
      at += length;
    }
  } else {
    const le = capture.readUInt32LE(0) === 0xa1b2c3d4 || capture.readUInt32LE(0) === 0xa1b23c4d;
    for (let at = 24; at + 16 <= capture.length; ) {
      starts.push(at + 16);
      at += 16 + (le ? capture.readUInt32LE(at + 8) : capture.readUInt32BE(at + 8));
    }
  }
  return starts;
}
const starts = new Map<Buffer, number[]>(captures.map((capture) => [capture, frameStarts(capture)]));

type Damage =
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'header'; readonly frame: number; readonly offset: number; readonly value: number }
  /** A 16-bit field (a length, a port, an offset) set to a small number. */
  | { readonly kind: 'header16'; readonly frame: number; readonly offset: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'cut'; readonly at: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('header' as const),
      frame: fc.nat(),
      offset: fc.nat(80),
      value: fc.oneof(fc.nat(255), fc.constantFrom(0, 1, 5, 6, 8, 17, 20, 0x40, 0x45, 0x60, 0x81, 0xff)),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('header16' as const),
      frame: fc.nat(),
      offset: fc.nat(78),
      value: fc.nat(64),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
);

function damaged(capture: Buffer, damages: readonly Damage[]): Buffer {
  let bytes = Buffer.from(capture);
  const frames = starts.get(capture) ?? [];
  for (const change of damages) {
    if (change.kind === 'header' || change.kind === 'header16') {
      // Offsets in the undamaged capture: an earlier insert or cut shifts them, which is fine.
      const at = (frames[change.frame % Math.max(frames.length, 1)] ?? 0) + change.offset;
      if (change.kind === 'header' && at < bytes.length) bytes[at] = change.value;
      if (change.kind === 'header16' && at + 2 <= bytes.length) bytes.writeUInt16BE(change.value, at);
      continue;
    }
    const at = change.at % (bytes.length + 1);
    if (change.kind === 'set') {
      if (at < bytes.length) bytes[at] = change.value;
    } else if (change.kind === 'insert') {
      bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

const CONFIG = { profile: loadProfileByName('twilio'), policy: defaultPolicy() };

/**
 * What the reader gives for `bytes` fed in pieces of the given sizes (cycled), as comparable text;
 * with `judged`, each message also goes through the judge as `check` has it (the codes it finds).
 */
function read(bytes: Buffer, pieces: readonly number[], judged = false): string[] {
  const reader = new CaptureReader();
  const judge = judged ? new Judge(CONFIG, { crossCheckSdp: true }) : null;
  const out: string[] = [];
  const take = (events: readonly CaptureEvent[]) => {
    for (const event of events) {
      if (event.kind !== 'sip') {
        out.push(`${event.kind} ${event.time}`);
        continue;
      }
      const { result, envelope } = event;
      const said = result.ok ? result.message.callId : `unread: ${result.reason}`;
      if (judge === null) {
        out.push(`${envelope.transport} ${envelope.time} ${said}`);
        continue;
      }
      const { findings } = result.ok
        ? judge.judgeMessage(result.message, envelope, out.length)
        : judge.judgeUnreadable(result.reason, envelope, out.length);
      out.push(
        `${envelope.transport} ${envelope.time} ${said} ${findings.map((finding) => finding.code).join(',')}`,
      );
    }
  };
  try {
    let at = 0;
    for (let k = 0; at < bytes.length; k++) {
      const size = pieces[k % pieces.length] ?? bytes.length;
      take(reader.push(Buffer.from(bytes.subarray(at, at + size))));
      at += size;
    }
    take(reader.end());
    out.push(`stats ${JSON.stringify(reader.stats)}`);
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    // The counters of what was read before the corrupt record: piece-independent too.
    const stats = error instanceof CorruptCaptureError ? JSON.stringify(error.stats) : 'none';
    out.push(`error ${error.message} stats ${stats}`);
  }
  return out;
}

const RUNS = Number(process.env.CAPTURE_FUZZ_RUNS ?? 10000);

/** Damaged captures read whole and in arbitrary pieces (and judged, with `judged`) give the same. */
function assertPieceIndependent(judged: boolean, numRuns: number): void {
  fc.assert(
    fc.property(
      fc.constantFrom(...captures),
      fc.array(damage, { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 4 }),
      (capture, damages, pieces) => {
        const bytes = damaged(capture, damages);
        const whole = read(bytes, [bytes.length || 1], judged);
        const inPieces = read(bytes, pieces, judged);
        if (JSON.stringify(whole) !== JSON.stringify(inPieces)) {
          throw new Error(
            `pieces ${pieces.join(',')} read differently:\n${whole.join('\n')}\n---\n${inPieces.join('\n')}`,
          );
        }
      },
    ),
    { numRuns },
  );
}

test('damaged captures give a CaptureFormatError or events, never another exception', (t) => {
  assertPieceIndependent(false, RUNS);
  t.pass();
});

test('damaged captures through the judge: findings, never an exception, whatever the pieces', (t) => {
  assertPieceIndependent(true, RUNS / 5);
  t.pass();
});
