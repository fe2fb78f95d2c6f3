/**
 * `trunkguard check` as a user runs it: the compiled CLI in a child process, on the trace
 * fixtures in test/fixtures/traces (written by generate.mjs from readable scenarios).
 * Together the fixtures must make every finding code appear.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { JUDGED_CODES } from '../../src/policy/codes.js';
import type { Finding } from '../../src/policy/finding.js';
import type { MediaEndpointsSnapshot } from '../../src/report/media-endpoints.js';
import { type Run, root, run } from './cli.js';

const traces = join(root, 'test', 'fixtures', 'traces');

interface JsonReport {
  readonly profile: string;
  readonly messages: number;
  readonly findings: readonly Finding[];
  readonly calls: readonly { callId: string | null; verdict: string; messages: number }[];
}

async function judge(file: string, ...flags: string[]): Promise<{ run: Run; report: JsonReport }> {
  const result = await run(['check', '--format', 'json', ...flags, join(traces, file)]);
  return { run: result, report: JSON.parse(result.stdout) as JsonReport };
}

const codesOf = (report: JsonReport) => [...new Set(report.findings.map((finding) => finding.code))].sort();

/** What each scenario was written to show (see generate.mjs); exact sets, so extras fail too. */
const EXPECTED: Record<string, readonly string[]> = {
  'compliant.jsonl': [],
  'carrier-media-range.jsonl': [
    'deprecated-media-range',
    'ice-candidate-out-of-range',
    'ipv6-media-address',
    'media-ip-out-of-range',
    'media-port-out-of-range',
    'rtcp-ip-out-of-range',
    'rtcp-port-out-of-range',
  ],
  'srtp.jsonl': [
    'crypto-answer-mismatch',
    'crypto-key-reuse',
    'crypto-mki-unsupported',
    'null-crypto-suite',
    'sdes-over-insecure-transport',
    'srtcp-unencrypted',
    'srtp-missing-keys',
    'srtp-not-negotiated',
    'srtp-unauthenticated',
    'srtp-unencrypted',
    'unsupported-crypto-suite',
    'weak-crypto-suite',
  ],
  'dtls.jsonl': ['dtls-missing-fingerprint', 'dtls-weak-fingerprint'],
  'nat.jsonl': [
    'comedia-active',
    'media-address-mismatch',
    'private-media-address',
    'sdes-over-insecure-transport',
    'via-rport',
  ],
  'address-kinds.jsonl': ['fqdn-media-address', 'media-hold', 'multicast-media-address'],
  'sdp-syntax.jsonl': [
    'duplicate-connection-line',
    'malformed-sdp',
    'media-address-mismatch',
    'missing-connection-address',
  ],
  'late-offer.jsonl': ['crypto-answer-mismatch'],
  'sip-message.jsonl': [
    'content-length-mismatch',
    'duplicate-content-length',
    'malformed-message',
    'malformed-sdp',
    'scanner-user-agent',
    'sdes-over-insecure-transport',
    'udp-message-too-large',
  ],
};

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`check ${file} finds exactly ${expected.length === 0 ? 'nothing' : expected.join(', ')}`, async (t) => {
    const { run: result, report } = await judge(file);
    t.deepEqual(codesOf(report), [...expected].sort());
    t.is(report.profile, 'twilio');
    t.is(result.code, report.findings.some((f) => ['high', 'critical'].includes(f.severity)) ? 1 : 0);
  });
}

test('the fixtures together make every finding code appear', async (t) => {
  const files = readdirSync(traces).filter((file) => file.endsWith('.jsonl'));
  t.deepEqual(files.sort(), Object.keys(EXPECTED).sort(), 'every trace fixture has expectations');
  const seen = new Set<string>();
  for (const file of files) for (const code of codesOf((await judge(file)).report)) seen.add(code);
  t.deepEqual(
    JUDGED_CODES.filter((code) => !seen.has(code)),
    [],
  );
});

test('a finding carries the whole contract: call, side, media index, redacted evidence, envelope', async (t) => {
  const { report } = await judge('carrier-media-range.jsonl');
  const retired = report.findings.find((finding) => finding.code === 'deprecated-media-range');
  t.like(retired, {
    severity: 'high',
    side: 'carrier',
    callId: 'retired-range@pbx.example.com',
    cseq: '1 INVITE',
    method: null,
    status: 200,
    evidence: 'c=IN IP4 54.172.60.10',
    messageIndex: 6,
    src: '54.172.60.1:5061',
    dst: '203.0.113.10:5061',
    transport: 'tls',
  });
  t.regex(retired?.message ?? '', /54\.172\.60\.0\/23/);
  t.regex(retired?.time ?? '', /^2026-11-28T10:00:\d\d\.\d{3}Z$/);
  const port = report.findings.find((finding) => finding.code === 'media-port-out-of-range');
  t.is(port?.mediaIndex, 0);
  t.regex(port?.message ?? '', /8000/);
});

test('late offer: the answer in the ACK is judged against the offer in the 200', async (t) => {
  const { report } = await judge('late-offer.jsonl');
  const mismatch = report.findings.find((finding) => finding.code === 'crypto-answer-mismatch');
  t.like(mismatch, { side: 'customer', method: 'ACK', messageIndex: 2 });
  // The OPTIONS 200 carries a capability SDP on a private address and plain RTP: not judged as a session.
  t.false(report.findings.some((finding) => finding.messageIndex === 4));
});

test('--fail-on sets the exit status; calls get verdicts against it', async (t) => {
  const strict = await judge('address-kinds.jsonl', '--fail-on', 'info');
  t.is(strict.run.code, 1);
  t.true(strict.report.calls.every((call) => call.verdict === 'fail'));
  const lenient = await judge('dtls.jsonl', '--fail-on', 'critical');
  t.is(lenient.run.code, 0);
  t.is(lenient.report.calls[0]?.verdict, 'warn');
});

test('--profile and severity overrides from --config change the verdict', async (t) => {
  // Under the Telnyx profile, Twilio's media range is out of range (Telnyx publishes its own).
  const telnyx = await judge('compliant.jsonl', '--profile', 'telnyx');
  t.is(telnyx.report.profile, 'telnyx');
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'profile: twilio\npolicy:\n  severity:\n    deprecated-media-range: critical\n');
  const { report } = await judge('carrier-media-range.jsonl', '--config', config);
  t.is(report.findings.find((finding) => finding.code === 'deprecated-media-range')?.severity, 'critical');
});

test('text report groups findings by call and ends with the verdict', async (t) => {
  const result = await run(['check', join(traces, 'carrier-media-range.jsonl')]);
  t.is(result.code, 1);
  t.regex(result.stdout, /^trunkguard check: profile twilio/);
  t.regex(result.stdout, /Call retired-range@pbx\.example\.com {2}FAIL/);
  t.regex(result.stdout, /HIGH +deprecated-media-range/);
  t.regex(result.stdout, /FAIL: \d+ findings at or above high\.\n$/);
});

test('no SDES key from the input appears in any output, text or JSON', async (t) => {
  const keys = new Set<string>();
  for (const file of Object.keys(EXPECTED)) {
    for (const match of readFileSync(join(traces, file), 'utf8').matchAll(/inline:([A-Za-z0-9+/=]{8,})/g))
      keys.add(match[1] ?? '');
  }
  t.true(keys.size > 20);
  for (const file of Object.keys(EXPECTED)) {
    for (const format of ['text', 'json']) {
      const result = await run(['check', '--format', format, join(traces, file)]);
      const output = result.stdout + result.stderr;
      t.true(output.length > 0);
      for (const key of keys) t.false(output.includes(key), `${file} ${format} output leaks a key`);
    }
  }
});

test('raw SIP input: messages framed by Content-Length, envelope from the flags', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
  const file = join(dir, 'answer.sip');
  const body =
    'v=0\r\no=- 1 1 IN IP4 54.172.60.10\r\ns=-\r\nc=IN IP4 54.172.60.10\r\nt=0 0\r\nm=audio 15000 RTP/AVP 0\r\n';
  const message =
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.10;branch=z9hG4bK-raw\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n' +
    `Call-ID: raw@test\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  writeFileSync(file, message + message.replace('raw@test', 'raw2@test'));
  const carrier = await run([
    'check',
    '--format',
    'json',
    '--src',
    '54.172.60.1:5060',
    '--dst',
    '203.0.113.10:5060',
    file,
  ]);
  const report = JSON.parse(carrier.stdout) as JsonReport;
  t.is(report.messages, 2);
  t.true(
    report.findings.every((finding) => finding.side === 'carrier' && finding.src === '54.172.60.1:5060'),
  );
  t.true(codesOf(report).includes('deprecated-media-range'));
  // Without --src the same bytes are customer side: carrier range checks stay silent.
  const customer = JSON.parse((await run(['check', '--format', 'json', file])).stdout) as JsonReport;
  t.false(codesOf(customer).includes('deprecated-media-range'));
  t.true(codesOf(customer).includes('srtp-not-negotiated'));
});

test('--format json: mediaEndpoints lists the carrier media prefixes, inside or outside the published range', async (t) => {
  const { run: result, report } = await judge('carrier-media-range.jsonl');
  t.is(result.code, 1);
  const { mediaEndpoints } = report as JsonReport & { mediaEndpoints: MediaEndpointsSnapshot };
  t.like(mediaEndpoints, { profile: 'twilio', published: ['168.86.128.0/18'], outside: 2, overflow: 0 });
  t.deepEqual(
    mediaEndpoints.prefixes.map((entry) => [
      entry.prefix,
      entry.inPublishedRange,
      entry.outside,
      entry.calls,
      entry.messages,
      entry.ports,
      entry.firstSeen,
    ]),
    [
      ['168.86.140.0/24', '168.86.128.0/18', false, 1, 1, { '14000-14999': 1 }, '2026-11-28T10:00:00.600Z'],
      ['198.51.100.0/24', null, true, 1, 1, { '8000-8999': 1 }, '2026-11-28T10:00:00.280Z'],
      // IPv6 under Twilio's IPv4-only ranges: not judged (ipv6-media-address says so).
      ['2001:db8::/48', null, false, 1, 1, { '14000-14999': 1 }, '2026-11-28T10:00:00.600Z'],
      ['54.172.60.0/24', null, true, 1, 1, { '15000-15999': 1 }, '2026-11-28T10:00:00.440Z'],
    ],
  );
  // The text report has the same in a short section.
  const text = await run(['check', join(traces, 'carrier-media-range.jsonl')]);
  t.regex(text.stdout, /Media endpoints the carrier used \(published media ranges: 168\.86\.128\.0\/18\):/);
  t.regex(
    text.stdout,
    /198\.51\.100\.0\/24 +OUTSIDE the published ranges, 1 call, 1 message, ports 8000-8999 \(1\)/,
  );
  t.regex(text.stdout, /168\.86\.140\.0\/24 +inside 168\.86\.128\.0\/18/);
});

test('usage errors and unreadable input exit 2 with a one-line reason', async (t) => {
  const missing = await run(['check', join(traces, 'nope.jsonl')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope\.jsonl: no such file/);
  const badFlag = await run(['check', '--fail-on', 'severe', join(traces, 'compliant.jsonl')]);
  t.is(badFlag.code, 2);
  t.regex(badFlag.stderr, /--fail-on must be/);
  const noFile = await run(['check']);
  t.is(noFile.code, 2);
  const badProfile = await run(['check', '--profile', 'twillio', join(traces, 'compliant.jsonl')]);
  t.is(badProfile.code, 2);
  t.regex(badProfile.stderr, /twillio/);
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
  const pcap = join(dir, 'capture.pcap');
  // A capture whose first record claims 2 GiB: corrupt (an empty capture is read, and exits 0).
  writeFileSync(
    pcap,
    Buffer.from(
      'd4c3b2a1020004000000000000000000ffff000001000000' + '0000000000000000ffffff7f00000000',
      'hex',
    ),
  );
  const capture = await run(['check', pcap]);
  t.is(capture.code, 2);
  t.regex(capture.stderr, /capture\.pcap: pcap record at byte 24 claims 2147483647 bytes: corrupt file\n$/);
});

test('an unknown command, even one named like a property every object has, is said to be unknown', async (t) => {
  for (const name of ['chek', 'constructor', 'toString', '__proto__']) {
    const result = await run([name]);
    t.is(result.code, 2, name);
    t.true(
      result.stderr.startsWith(`trunkguard: unknown command "${name}"\nUsage: trunkguard <command>`),
      name,
    );
  }
  const pcap = await run(['pcap']);
  t.is(pcap.code, 2);
  t.regex(pcap.stderr, /^trunkguard: captures are judged by "trunkguard check FILE\.pcap"/);
});

test('a bad trace line is reported with its line number; the rest is still judged', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-'));
  const file = join(dir, 'mixed.jsonl');
  const good = readFileSync(join(traces, 'carrier-media-range.jsonl'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(file, [good[0], '{"time": "yesterday"', ...good.slice(1)].join('\n'));
  const result = await run(['check', '--format', 'json', file]);
  t.is(result.code, 2);
  t.regex(result.stderr, /mixed\.jsonl:2: not valid JSON/);
  const report = JSON.parse(result.stdout) as JsonReport;
  t.is(report.messages, good.length);
  t.true(codesOf(report).includes('deprecated-media-range'));
});
