/**
 * `trunkguard check` on real captures of SIPp calls over loopback (test/fixtures/pcap, see its
 * README): tcpdump and dumpcap, pcap and pcapng, Ethernet and Linux cooked framing, UDP and TCP.
 * Each capture must give the calls SIPp placed, and the same calls and findings as the trace of
 * the same messages taken from SIPp's own message log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Finding } from '../../src/policy/finding.js';
import { root, run } from '../e2e/cli.js';

const fixtures = join(root, 'test', 'fixtures', 'pcap');

interface JsonReport {
  readonly messages: number;
  readonly findings: readonly Finding[];
  readonly calls: readonly { callId: string | null; verdict: string; messages: number }[];
  readonly inputErrors: readonly string[];
  readonly encryptedFlows: readonly string[];
  readonly captures?: readonly { sipMessages: number; encryptedFlows: number; packets: number }[];
}

async function judge(file: string): Promise<JsonReport> {
  const result = await run(['check', '--format', 'json', join(fixtures, file)]);
  if (result.stdout === '') throw new Error(`no report (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as JsonReport;
}

/** What a report says per call, envelope aside: its verdict, message count and finding codes. */
function perCall(report: JsonReport) {
  return report.calls.map((call) => ({
    callId: call.callId,
    verdict: call.verdict,
    messages: call.messages,
    codes: [...new Set(report.findings.filter((f) => f.callId === call.callId).map((f) => f.code))].sort(),
  }));
}

const CAPTURES: readonly [string, string, 'udp' | 'tcp'][] = [
  ['sipp-udp-lo.pcap', 'sipp-udp-lo.jsonl', 'udp'],
  ['sipp-tcp-lo.pcap', 'sipp-tcp-lo.jsonl', 'tcp'],
  ['sipp-tcp-any.pcap', 'sipp-tcp-any.jsonl', 'tcp'],
  ['sipp-udp-any.pcapng', 'sipp-udp-any.jsonl', 'udp'],
  ['sipp-tcp-lo.pcapng', 'sipp-tcp-lo-ng.jsonl', 'tcp'],
];

for (const [capture, trace, transport] of CAPTURES) {
  test(`check ${capture}: SIPp's 2 calls, as from the trace of the same messages`, async (t) => {
    const fromCapture = await judge(capture);
    t.deepEqual(fromCapture.inputErrors, []);
    t.is(fromCapture.messages, 14);
    t.is(fromCapture.calls.length, 2);
    t.true(
      fromCapture.calls.every(
        (call) => call.messages === 7 && /^\d+-\d+@127\.0\.0\.1$/.test(call.callId ?? ''),
      ),
    );
    t.true(fromCapture.findings.every((finding) => finding.transport === transport));
    t.true(fromCapture.findings.some((finding) => finding.code === 'srtp-not-negotiated'));
    const fromTrace = await judge(trace);
    t.deepEqual(perCall(fromCapture), perCall(fromTrace));
    t.deepEqual(fromCapture.encryptedFlows, []);
    t.is(fromCapture.captures?.[0]?.sipMessages, 14);
    t.is(fromTrace.captures, undefined, 'a trace is no capture');
  });
}

test('a TLS connection in a capture is reported as one encrypted flow, in JSON and text', async (t) => {
  const report = await judge('tls-lo.pcap');
  t.is(report.messages, 0);
  t.is(report.encryptedFlows.length, 1);
  t.regex(report.encryptedFlows[0] ?? '', /^127\.0\.0\.1:\d+->127\.0\.0\.1:24555$/);
  // The reader's counters say what every frame was: nothing is skipped silently.
  t.like(report.captures?.[0], {
    sipMessages: 0,
    encryptedFlows: 1,
    packets: 17,
    nonIp: 0,
    truncatedBytes: 0,
  });
  const text = await run(['check', join(fixtures, 'tls-lo.pcap')]);
  t.is(text.code, 0);
  t.regex(
    text.stdout,
    /\nCapture \S+tls-lo\.pcap: 0 SIP message\(s\) in 17 packet\(s\); not judged: 1 TLS flow\.\n/,
  );
  t.regex(
    text.stdout,
    /1 TLS flow\(s\) could not be judged \(encrypted\): 127\.0\.0\.1:\d+->127\.0\.0\.1:24555\n$/,
  );
  t.is(text.stderr, '', 'no progress line when stderr is not a TTY');
});

test('a corrupt capture is an input error: exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-pcap-'));
  const file = join(dir, 'corrupt.pcap');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt32LE(1, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(0x7fffffff, 8);
  writeFileSync(file, Buffer.concat([header, record]));
  const result = await run(['check', '--format', 'json', file]);
  t.is(result.code, 2);
  const report = JSON.parse(result.stdout) as JsonReport;
  t.regex(report.inputErrors[0] ?? '', /corrupt\.pcap: pcap record at byte 24 claims 2147483647 bytes/);
});
