/**
 * A capture with a corrupt record part-way: every packet whose record is complete and lies before
 * it is judged, whatever the read chunks and the reader's pieces, TCP directions are ended there
 * as at the end of the file, the capture's counters are reported, and then the error (exit 2).
 * Nothing after the corrupt record is read: there is no resynchronisation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  type CaptureEvent,
  CaptureFormatError,
  CaptureReader,
  readCaptureFile,
} from '../../src/sources/pcap/capture-reader.js';
import { root, run } from '../e2e/cli.js';
import { ethernet, INVITE, ipv4, PcapngWriter, pcapFile, SYN, tcp, udp } from './pcap-bytes.js';

const T0 = 1_780_000_000; // 2026-05-28T20:26:40Z
const fixtures = join(root, 'test', 'fixtures', 'pcap');

interface JsonReport {
  readonly messages: number;
  readonly inputErrors: readonly string[];
  readonly captures?: readonly { readonly file: string }[];
}

/** A good capture with corrupt bytes appended, and the error they give. */
interface Corrupt {
  readonly bytes: Buffer;
  readonly error: string;
}

/** `good` (a pcap in the byte order of its magic) followed by a record header claiming 2 GiB. */
function corruptPcap(good: Buffer): Corrupt {
  const header = Buffer.alloc(16);
  if (good.readUInt32LE(0) === 0xa1b2c3d4) header.writeUInt32LE(0x7fffffff, 8);
  else header.writeUInt32BE(0x7fffffff, 8);
  return {
    bytes: Buffer.concat([good, header]),
    error: `pcap record at byte ${good.length} claims 2147483647 bytes: corrupt file`,
  };
}

/** `good` (a pcapng of one section) followed by a block whose length is not a multiple of 4. */
function corruptPcapng(good: Buffer): Corrupt {
  const le = good.readUInt32BE(8) === 0x4d3c2b1a;
  const head = Buffer.alloc(12);
  if (le) {
    head.writeUInt32LE(6, 0);
    head.writeUInt32LE(13, 4);
  } else {
    head.writeUInt32BE(6, 0);
    head.writeUInt32BE(13, 4);
  }
  return {
    bytes: Buffer.concat([good, head]),
    error: `pcapng block at byte ${good.length} has a bad length (13)`,
  };
}

const udpInvite = (i: number) => ethernet(ipv4(udp(5060, 5060, INVITE(`corrupt-${i}@x`))));
const ids = (count: number) => Array.from({ length: count }, (_, i) => `corrupt-${i}@x`);

/** N UDP INVITEs: about 32 KiB for 100, so they span more than one of the reader's 16 KiB pieces. */
function udpPcap(count: number): Buffer {
  return pcapFile(
    1,
    ids(count).map((_, i) => ({ seconds: T0, fraction: i * 1000, data: udpInvite(i) })),
  );
}

function udpPcapng(count: number): Buffer {
  const writer = new PcapngWriter(true).section().interface(1);
  for (let i = 0; i < count; i++) writer.packet(0, BigInt(T0) * 1_000_000n + BigInt(i * 1000), udpInvite(i));
  return writer.bytes();
}

const callIds = (events: readonly CaptureEvent[]) =>
  events.flatMap((event) =>
    event.kind === 'sip'
      ? [event.result.ok ? event.result.message.callId : `failed:${event.result.reason}`]
      : [],
  );

/** Reads a file with readCaptureFile until it ends or throws. */
async function readUntilError(
  file: string,
  chunkSize: number | undefined,
): Promise<{ events: CaptureEvent[]; error: unknown }> {
  const events: CaptureEvent[] = [];
  try {
    for await (const batch of readCaptureFile(file, chunkSize === undefined ? {} : { chunkSize })) {
      events.push(...batch);
    }
  } catch (error) {
    return { events, error };
  }
  return { events, error: null };
}

/**
 * What pushing `bytes` to a CaptureReader `chunk` bytes at a time gives: the call ids, then the
 * error; and whether a later call throws the same error again (once corrupt, it stays so).
 */
function pushInChunks(bytes: Buffer, chunk: number): { outcome: string; thrownAgain: boolean } {
  const reader = new CaptureReader();
  const events: CaptureEvent[] = [];
  try {
    for (let at = 0; at < bytes.length; at += chunk)
      events.push(...reader.push(bytes.subarray(at, at + chunk)));
    events.push(...reader.end());
  } catch (error) {
    let again: unknown = null;
    try {
      reader.end();
    } catch (later) {
      again = later;
    }
    const thrown = error instanceof CaptureFormatError ? error.message : String(error);
    return { outcome: `${callIds(events).join(' ')} | ${thrown}`, thrownAgain: again === error };
  }
  return { outcome: `${callIds(events).join(' ')} | no error`, thrownAgain: false };
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-corrupt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function judge(file: string): Promise<{ code: number; stderr: string; report: JsonReport }> {
  const result = await run(['check', '--format', 'json', file]);
  if (result.stdout === '') throw new Error(`no report (exit ${result.code}): ${result.stderr}`);
  return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout) as JsonReport };
}

/** A report with its file names and input errors left out: what was judged. */
const judged = (report: JsonReport) => ({
  ...report,
  inputErrors: [],
  captures: report.captures?.map(({ file: _, ...counts }) => counts),
});

/**
 * `check` of `good` and of `corrupt` (the same bytes and a corrupt tail): the same judgement and
 * counters, then the error on stderr with exit 2.
 */
async function checkBoth(
  t: import('ava').ExecutionContext,
  good: Buffer,
  corrupt: Corrupt,
  name: string,
): Promise<JsonReport> {
  const dir = tempDir(t);
  const goodFile = join(dir, `good-${name}`);
  const corruptFile = join(dir, name);
  writeFileSync(goodFile, good);
  writeFileSync(corruptFile, corrupt.bytes);
  const before = await judge(goodFile);
  t.deepEqual(before.report.inputErrors, []);
  const after = await judge(corruptFile);
  t.is(after.code, 2);
  t.deepEqual(after.report.inputErrors, [`${corruptFile}: ${corrupt.error}`]);
  t.is(after.stderr, `trunkguard check: ${corruptFile}: ${corrupt.error}\n`);
  t.deepEqual(judged(after.report), judged(before.report));
  t.is(after.report.captures?.[0]?.file, corruptFile);
  return after.report;
}

for (const [format, build, corruptOf] of [
  ['pcap', udpPcap, corruptPcap],
  ['pcapng', udpPcapng, corruptPcapng],
] as const) {
  test(`${format}: 100 UDP messages then a corrupt record: check judges all 100, then exit 2`, async (t) => {
    const good = build(100);
    t.true(good.length > 16 * 1024, "more than one of the reader's pieces");
    const report = await checkBoth(t, good, corruptOf(good), `udp.${format}`);
    t.is(report.messages, 100);
    t.like(report.captures?.[0], { sipMessages: 100, packets: 100, truncatedBytes: 0 });
  });

  test(`${format}: readCaptureFile gives the 100 messages before the corrupt record, whatever the chunk size`, async (t) => {
    const corrupt = corruptOf(build(100));
    const file = join(tempDir(t), `udp.${format}`);
    writeFileSync(file, corrupt.bytes);
    for (const chunkSize of [1, 7, 100, 50_000, undefined]) {
      const { events, error } = await readUntilError(file, chunkSize);
      t.deepEqual(callIds(events), ids(100), `chunks of ${chunkSize ?? 'the default size'}`);
      t.true(error instanceof CaptureFormatError);
      t.is((error as Error).message, corrupt.error);
    }
  });
}

test('every chunk boundary: the packets before a corrupt record, none after it', (t) => {
  const after = udpInvite(3);
  const pcap = corruptPcap(udpPcap(3));
  const nextRecord = pcapFile(1, [{ seconds: T0, fraction: 0, data: after }]).subarray(24);
  // A block of a good length naming an interface never described, then a good packet.
  const ng = udpPcapng(3);
  const unknown = new PcapngWriter(true).packet(7, 0n, udpInvite(9)).bytes();
  const cases: [string, Buffer, string][] = [
    ['pcap', Buffer.concat([pcap.bytes, nextRecord]), pcap.error],
    [
      'pcapng',
      Buffer.concat([ng, unknown, new PcapngWriter(true).packet(0, 0n, after).bytes()]),
      // The error names where the bad block starts.
      `pcapng packet at byte ${ng.length} names interface 7, never described`,
    ],
  ];
  for (const [format, bytes, message] of cases) {
    const expected = `${ids(3).join(' ')} | ${message}`;
    // Chunk sizes whose outcome differs (one assertion, not one per size).
    const differing: string[] = [];
    let notThrownAgain = 0;
    for (let chunk = 1; chunk <= bytes.length; chunk++) {
      const { outcome, thrownAgain } = pushInChunks(bytes, chunk);
      if (outcome !== expected) differing.push(`chunks of ${chunk}: ${outcome}`);
      if (!thrownAgain) notThrownAgain++;
    }
    t.deepEqual(differing.slice(0, 3), [], `${format}, ${differing.length} of ${bytes.length} chunk sizes`);
    t.is(notThrownAgain, 0, `${format}: chunk sizes after which end() did not throw the error again`);
  }
});

test('TCP: a message complete before the corrupt record is judged, one cut short is reported as at the end of the file', async (t) => {
  const first = INVITE('tcp-1@x');
  const second = INVITE('tcp-2@x');
  const segment = (seq: number, flags: number, payload: Buffer) =>
    ethernet(ipv4(tcp(40000, 5060, seq, flags, payload), { protocol: 6 }));
  const good = pcapFile(1, [
    { seconds: T0, fraction: 0, data: segment(1000, SYN, Buffer.alloc(0)) },
    { seconds: T0, fraction: 1000, data: segment(1001, 0, first) },
    { seconds: T0, fraction: 2000, data: segment(1001 + first.length, 0, second.subarray(0, 100)) },
  ]);
  const report = await checkBoth(t, good, corruptPcap(good), 'tcp.pcap');
  // The whole INVITE, and the one cut short (unreadable: truncated), as when the file ends there.
  t.is(report.messages, 2);
  t.like(report.captures?.[0], { sipMessages: 2, packets: 3 });
});

for (const capture of ['sipp-tcp-lo.pcap', 'sipp-udp-lo.pcap', 'sipp-tcp-lo.pcapng']) {
  test(`SIPp's ${capture} with a corrupt record appended: its 14 messages are judged, then exit 2`, async (t) => {
    const good = readFileSync(join(fixtures, capture));
    const corrupt = capture.endsWith('.pcapng') ? corruptPcapng(good) : corruptPcap(good);
    const report = await checkBoth(t, good, corrupt, capture);
    t.is(report.messages, 14);
  });
}

test('text report: the capture line, then the error on stderr', async (t) => {
  const corrupt = corruptPcap(udpPcap(100));
  const file = join(tempDir(t), 'udp.pcap');
  writeFileSync(file, corrupt.bytes);
  const result = await run(['check', file]);
  t.is(result.code, 2);
  t.true(
    result.stdout.includes(`\nCapture ${file}: 100 SIP message(s) in 100 packet(s).\n`),
    'the counters of what was read',
  );
  t.is(result.stderr, `trunkguard check: ${file}: ${corrupt.error}\n`);
});

/*
 * Found by test/sources/capture-fuzz.test.ts: a damaged if_tsresol (0: one unit per second) made a
 * packet's time pass the last moment a Date holds, and the reader threw a RangeError out of
 * Date.toISOString, which check would have reported as an internal error with a stack.
 */
test('pcapng: a time past what a Date holds is a corrupt file, named at its block, not a crash', async (t) => {
  const good = udpPcapng(2);
  const late = new PcapngWriter(true)
    .section()
    .interface(1, 0)
    .packet(0, 10n ** 13n, udpInvite(5))
    .bytes();
  const error = `pcapng packet at byte ${good.length + new PcapngWriter(true).section().interface(1, 0).bytes().length} is time-stamped after the year 275760 (its interface counts 1 units per second): corrupt file`;
  for (const chunk of [1, 13, 4096])
    t.is(pushInChunks(Buffer.concat([good, late]), chunk).outcome, `${ids(2).join(' ')} | ${error}`);
  const file = join(tempDir(t), 'late.pcapng');
  writeFileSync(file, Buffer.concat([good, late]));
  const { code, stderr, report } = await judge(file);
  t.is(code, 2);
  t.is(report.messages, 2);
  t.is(stderr, `trunkguard check: ${file}: ${error}\n`);
});

/*
 * The limit is a Date's last millisecond, not its last second: a packet in the last second but past
 * its first millisecond (if_tsresol 3: milliseconds) passed a whole-second check and threw a
 * RangeError out of Date.toISOString.
 */
test('pcapng: a time in the last second a Date holds but past its last millisecond is a corrupt file', (t) => {
  const last = 8_640_000_000_000_000n; // ms: +275760-09-13T00:00:00.000Z, the last a Date holds
  const capture = (ms: bigint) =>
    new PcapngWriter(true).section().interface(1, 3).packet(0, ms, udpInvite(7)).bytes();
  const at = new PcapngWriter(true).section().interface(1, 3).bytes().length;
  for (const chunk of [1, 4096]) {
    t.is(
      pushInChunks(capture(last + 1n), chunk).outcome,
      ` | pcapng packet at byte ${at} is time-stamped after the year 275760 (its interface counts 1000 units per second): corrupt file`,
    );
  }
  const reader = new CaptureReader();
  const events = [...reader.push(capture(last)), ...reader.end()];
  t.deepEqual(
    events.map((event) => (event.kind === 'sip' ? event.envelope.time : event.kind)),
    ['+275760-09-13T00:00:00.000Z'],
  );
});
