/**
 * npm run bench:pcap — `trunkguard check` on a large capture beside tshark on the same file.
 *
 * The capture is made once and cached (in the temp dir, trunkguard-bench-pcap/): SIPp calls over
 * loopback (UDP, one socket each side) recorded by tcpdump (classic pcap), or by dumpcap (pcapng,
 * what tshark records) with BENCH_TOOL=dumpcap. BENCH_CALLS (default 30000) and BENCH_RATE
 * (calls/s, default 1000) set its size; delete the cache directory to make it again.
 * Then it times, each as a child process under /usr/bin/time -v (wall time, peak RSS):
 *   trunkguard check FILE --format json > file
 *   tshark -r FILE -o sdp.establish_conversation:FALSE -Y sip -T fields -e sip.Call-ID
 * and prints messages/s and the ratio. No assertions: compare figures from one sitting.
 * Then the bounded-memory check: the same `check` under a small V8 heap cap (BENCH_HEAP_MB,
 * default 150) must finish with the same report, byte for byte.
 * Last, what more cores could give: the capture split by Call-ID into BENCH_SHARDS files (default
 * 2, 0 to skip; a dispatcher hashing Call-IDs would hand each core the same), all judged at once.
 * Their wall time bounds any multi-core `check` from below: it has no dispatcher, no merged report
 * and no state shared across calls to pay for.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapFileParser } from '../src/sources/pcap/pcap-file.js';
import { PcapngFileParser } from '../src/sources/pcap/pcapng-file.js';
import { recordSippCalls } from '../test/fixtures/pcap/record.js';
import { type Record as PcapRecord, pcapFile } from '../test/sources/pcap-bytes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist', 'src', 'cli.js');
const calls = Number(process.env.BENCH_CALLS ?? 30_000);
const rate = Number(process.env.BENCH_RATE ?? 1000);
// tcpdump writes classic pcap; dumpcap (tshark's capture engine) writes pcapng.
const tool = process.env.BENCH_TOOL === 'dumpcap' ? 'dumpcap' : 'tcpdump';
const cache = join(tmpdir(), 'trunkguard-bench-pcap');
const capture = join(cache, `sipp-udp-${calls}.${tool === 'dumpcap' ? 'pcapng' : 'pcap'}`);

interface Timed {
  readonly seconds: number;
  readonly peakKiB: number;
  readonly code: number | null;
}

/** Runs cmd under /usr/bin/time -v, stdout to `out`; wall time and peak RSS from its report. */
function timed(cmd: string, args: readonly string[], out: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const report = `${out}.time`;
    const child = spawn('/usr/bin/time', ['-v', '-o', report, cmd, ...args], {
      stdio: ['ignore', openSync(out, 'w'), 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const text = readFileSync(report, 'utf8');
      const wall = /Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
      const seconds = wall
        ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])
        : Number.NaN;
      const peakKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1] ?? Number.NaN);
      resolve({ seconds, peakKiB, code });
    });
  });
}

mkdirSync(cache, { recursive: true });
if (!existsSync(capture)) {
  console.log(`recording ${calls} SIPp calls at ${rate}/s over loopback with ${tool} into ${capture} ...`);
  const partial = `${capture}.partial`;
  rmSync(partial, { force: true });
  const recording = await recordSippCalls({
    file: partial,
    tool,
    iface: 'lo',
    transport: 'u1',
    calls,
    rate,
    timeoutMs: Math.ceil((calls / rate) * 1000) + 30_000,
  });
  console.log(
    `  SIPp: ${recording.uac.stats.successful} calls succeeded, ${recording.uac.stats.failed} failed`,
  );
  renameSync(partial, capture);
}
const size = statSync(capture).size;
console.log(`capture: ${capture} (${(size / 1024 / 1024).toFixed(1)} MiB)`);

const ours = await timed(
  process.execPath,
  [cli, 'check', '--format', 'json', capture],
  join(cache, 'check.json'),
);
const report = JSON.parse(readFileSync(join(cache, 'check.json'), 'utf8')) as {
  messages: number;
  calls: unknown[];
};
const theirs = await timed(
  'tshark',
  ['-r', capture, '-o', 'sdp.establish_conversation:FALSE', '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'],
  join(cache, 'tshark.txt'),
);
const tsharkMessages = readFileSync(join(cache, 'tshark.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '').length;

const line = (name: string, t: Timed, messages: number) =>
  `${name.padEnd(10)} ${messages} messages in ${t.seconds.toFixed(2)} s = ${Math.round(messages / t.seconds)} messages/s, ` +
  `peak RSS ${(t.peakKiB / 1024).toFixed(0)} MiB (exit ${t.code})`;
console.log(`${line('trunkguard', ours, report.messages)}, ${report.calls.length} calls judged`);
console.log(line('tshark', theirs, tsharkMessages));
console.log(`trunkguard/tshark speed ratio: ${(theirs.seconds / ours.seconds).toFixed(2)}x`);

// Bounded memory: the report is streamed, so a small heap must give the same report. V8 grows its
// heap lazily, which is most of the peak RSS above; the cap shows what the judging really holds.
const heapMb = Number(process.env.BENCH_HEAP_MB ?? 150);
const capped = await timed(
  process.execPath,
  [`--max-old-space-size=${heapMb}`, cli, 'check', '--format', 'json', capture],
  join(cache, 'check-capped.json'),
);
const same = readFileSync(join(cache, 'check-capped.json')).equals(readFileSync(join(cache, 'check.json')));
console.log(
  `${line(`trunkguard, V8 heap capped at ${heapMb} MB`, capped, report.messages)}: ` +
    (same ? 'the same report' : 'A DIFFERENT REPORT (or it ran out of memory)'),
);
if (!same) process.exitCode = 1;

const shards = Number(process.env.BENCH_SHARDS ?? 2);
if (shards >= 2) {
  const files = splitByCallId(capture, shards);
  const started = performance.now();
  const runs = await Promise.all(
    files.map((file, k) =>
      timed(process.execPath, [cli, 'check', '--format', 'json', file], join(cache, `check-shard-${k}.json`)),
    ),
  );
  const wall = (performance.now() - started) / 1000;
  const judged = files
    .map(
      (_, k) =>
        (JSON.parse(readFileSync(join(cache, `check-shard-${k}.json`), 'utf8')) as { messages: number })
          .messages,
    )
    .reduce((a, b) => a + b, 0);
  const peak = runs.reduce((sum, run) => sum + run.peakKiB, 0);
  console.log(
    `${shards} shards by Call-ID judged at once: ${judged} messages in ${wall.toFixed(2)} s = ` +
      `${Math.round(judged / wall)} messages/s, summed peak RSS ${(peak / 1024).toFixed(0)} MiB ` +
      `(${runs.map((run) => `${run.seconds.toFixed(2)} s`).join(', ')}): ` +
      `${(ours.seconds / wall).toFixed(2)}x one process, ${(theirs.seconds / wall).toFixed(2)}x tshark`,
  );
}

/**
 * The capture's frames dealt into `count` pcap files by a hash of their Call-ID (made once, cached).
 * The bench capture is SIP over UDP, so each frame carries one whole message and its Call-ID.
 */
function splitByCallId(file: string, count: number): string[] {
  const files = Array.from({ length: count }, (_, k) => `${file}.shard-${k + 1}-of-${count}.pcap`);
  if (files.every((shard) => existsSync(shard))) return files;
  const bytes = readFileSync(file);
  const parser = bytes.readUInt32BE(0) === 0x0a0d0d0a ? new PcapngFileParser() : new PcapFileParser();
  const packets = parser.push(bytes);
  if (parser.failure !== null) throw parser.failure;
  const shardRecords = files.map((): PcapRecord[] => []);
  for (const packet of packets) {
    const callId = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r]*)/i.exec(packet.data.toString('latin1'))?.[1] ?? '';
    let hash = 0;
    for (let i = 0; i < callId.length; i++) hash = (Math.imul(hash, 31) + callId.charCodeAt(i)) | 0;
    shardRecords[(hash >>> 0) % count]?.push({
      seconds: packet.seconds,
      fraction: packet.nanos,
      data: packet.data,
    });
  }
  // Nanosecond pcap, little-endian, one link type: a loopback recording has one interface.
  const linkType = packets[0]?.linkType ?? 1;
  files.forEach((shard, k) => {
    writeFileSync(`${shard}.partial`, pcapFile(linkType, shardRecords[k] ?? [], { ns: true }));
    renameSync(`${shard}.partial`, shard);
  });
  return files;
}
