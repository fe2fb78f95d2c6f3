/**
 * The negotiation log: one trace line per SDP-bearing message, keys replaced by their keyed hash,
 * read back by parseTraceLine and judged again by `trunkguard check`, which must still see a key
 * reused across calls. Rotation by size and by age (a clock of the test's), maxFiles, the secret.
 */
import { createHmac } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCheck } from '../../src/commands/check.js';
import type { Finding } from '../../src/policy/finding.js';
import type { NegotiationLogSettings } from '../../src/proxy/settings.js';
import { keyToken, loadHashSecret, NegotiationLog, traceLine } from '../../src/report/negotiation-log.js';
import { rotatedFiles } from '../../src/report/rotating-file.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import { readDatagram } from '../../src/sip/datagram.js';
import { parseTraceLine } from '../../src/sources/trace-record.js';
import {
  answer,
  IN_DIALOG_URI,
  invite,
  judging,
  KEY_PBX,
  KEY_TWILIO,
  offer,
  response,
  TO_TAGGED,
  wire,
} from './call-fixtures.js';

function settingsIn(dir: string, overrides: Partial<NegotiationLogSettings> = {}): NegotiationLogSettings {
  return {
    path: join(dir, 'negotiations.jsonl'),
    maxBytes: 10 * 1024 * 1024,
    maxAgeSeconds: 24 * 3600,
    maxFiles: 7,
    hashSecretFile: null,
    ...overrides,
  };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'trunkguard-negotiations-'));
const linesOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

/** What the log should write for `key`: `redacted-` and HMAC-SHA256 hex, as long as the key was. */
function expectedToken(secret: string, key: string): string {
  const hex = createHmac('sha256', secret).update(key).digest('hex');
  return `redacted-${hex.slice(0, Math.max(24, key.length - 9))}`;
}

/** Two calls from the PBX offering the same key; Twilio answers each with its own. */
function twoCallsReusingAKey(log: NegotiationLog) {
  const { send } = judging();
  const judged = [
    send('customer', invite('call-1@pbx.example.com', offer(KEY_PBX))),
    send('carrier', response('100 Trying', '1 INVITE', 'call-1@pbx.example.com')),
    send('carrier', response('200 OK', '1 INVITE', 'call-1@pbx.example.com', answer(KEY_TWILIO))),
    send(
      'customer',
      wire(`ACK ${IN_DIALOG_URI} SIP/2.0`, '1 ACK', { callId: 'call-1@pbx.example.com', to: TO_TAGGED }),
    ),
    send('customer', invite('call-2@pbx.example.com', offer(KEY_PBX, 3))),
    send(
      'carrier',
      response('200 OK', '1 INVITE', 'call-2@pbx.example.com', answer(KEY_TWILIO.replace('P', 'Q'), 4)),
    ),
  ];
  for (const message of judged) log.judged(message, [], true);
  return judged;
}

test('two calls reusing a key: the log holds no key, and check finds the reuse in it', async (t) => {
  const dir = tempDir();
  const settings = settingsIn(dir);
  const log = new NegotiationLog(settings);
  const judged = twoCallsReusingAKey(log);
  // The live judge saw it: the second INVITE reuses the first call's key.
  t.deepEqual(
    judged[4]!.findings.map((finding) => finding.code),
    ['crypto-key-reuse'],
  );
  await log.close();

  const text = readFileSync(settings.path, 'utf8');
  const lines = linesOf(settings.path);
  t.is(lines.length, 4, 'the INVITEs and the 200s: the messages with SDP');
  t.is(log.written, 4);
  for (const key of [KEY_PBX, KEY_TWILIO, KEY_TWILIO.replace('P', 'Q')]) t.false(text.includes(key));
  for (const line of lines) t.false(containsSdesKey((JSON.parse(line) as { sip: string }).sip));

  const secret = readFileSync(`${settings.path}.secret`, 'utf8').trim();
  const records = lines.map((line) => parseTraceLine(line));
  for (const [i, record] of records.entries()) {
    if (typeof record === 'string') return t.fail(`line ${i + 1}: ${record}`);
    const original = judged.filter((message) => message.sdps.length > 0)[i]!;
    t.deepEqual(record.envelope, original.envelope);
    const expected = original
      .message!.bytes.toString('utf8')
      .replaceAll(/inline:([^|\s;]+)/g, (_match, key: string) => `inline:${expectedToken(secret, key)}`);
    t.is(record.bytes.toString('utf8'), expected, 'the message as received, keys hashed');
    t.is(record.bytes.length, original.message!.bytes.length, 'same size: Content-Length still holds');
    t.true(readDatagram(record.bytes).ok);
  }
  const pbxToken = expectedToken(secret, KEY_PBX);
  t.is(text.split(`inline:${pbxToken}`).length - 1, 2, 'the same key gives the same hash in both calls');

  let out = '';
  const errors: string[] = [];
  const status = await runCheck([settings.path, '--profile', 'twilio', '--format', 'json'], {
    stdout: (chunk) => {
      out += chunk;
    },
    stderr: (line) => errors.push(line),
  });
  t.deepEqual(errors, []);
  const report = JSON.parse(out) as { messages: number; findings: Finding[] };
  t.is(report.messages, 4);
  t.deepEqual(
    report.findings.map((finding) => [finding.code, finding.callId]),
    [['crypto-key-reuse', 'call-2@pbx.example.com']],
    'the reuse, and no malformed or wrong-length key finding for the hashes',
  );
  t.is(status, 1, 'critical: at or above --fail-on high');
  for (const value of report.findings.flatMap((finding) => Object.values(finding))) {
    if (typeof value === 'string') t.false(containsSdesKey(value), value);
  }
  t.false(out.includes(pbxToken), 'findings show the a=crypto line redacted, not the hash');
});

test('the secret file is created with mode 0600, then reused: hashes are stable across restarts', async (t) => {
  const dir = tempDir();
  const settings = settingsIn(join(dir, 'logs'));
  const first = loadHashSecret(settings);
  const secretFile = `${settings.path}.secret`;
  t.regex(readFileSync(secretFile, 'utf8'), /^[0-9a-f]{64}\n$/);
  t.is(statSync(secretFile).mode & 0o777, 0o600);
  t.is(loadHashSecret(settings), first, 'read again, not replaced');

  const tokens: string[] = [];
  for (let run = 0; run < 2; run++) {
    const log = new NegotiationLog(settings);
    const { send } = judging();
    log.judged(send('customer', invite(`restart-${run}`, offer(KEY_PBX))), [], true);
    await log.close();
    tokens.push(/inline:(redacted-[0-9a-f]+)/.exec(linesOf(settings.path).at(-1) ?? '')?.[1] ?? '');
  }
  t.is(tokens[0], expectedToken(first, KEY_PBX));
  t.is(tokens[1], tokens[0]);
});

test('hashSecretFile: used when given, an error when missing or too short', (t) => {
  const dir = tempDir();
  const secretFile = join(dir, 'hash.key');
  writeFileSync(secretFile, '  0123456789abcdef0123456789abcdef  \n');
  chmodSync(secretFile, 0o600);
  const settings = settingsIn(dir, { hashSecretFile: secretFile });
  t.is(loadHashSecret(settings), '0123456789abcdef0123456789abcdef');
  t.throws(() => statSync(`${settings.path}.secret`), undefined, 'no default secret made');

  t.throws(() => new NegotiationLog(settingsIn(dir, { hashSecretFile: join(dir, 'missing.key') })), {
    message: `cannot read the negotiation log's hash secret ${join(dir, 'missing.key')}: ENOENT`,
  });
  writeFileSync(join(dir, 'short.key'), 'abc\n');
  t.throws(() => loadHashSecret(settingsIn(dir, { hashSecretFile: join(dir, 'short.key') })), {
    message: /must hold at least 16 characters/,
  });
});

test('keyToken: redacted- and the HMAC hex, at least 24 digits, as long as the key', (t) => {
  const secret = 'test-secret-0123456789';
  const hex = createHmac('sha256', secret).update(KEY_PBX).digest('hex');
  t.is(keyToken(secret, KEY_PBX), `redacted-${hex.slice(0, 31)}`);
  t.is(keyToken(secret, KEY_PBX).length, KEY_PBX.length);
  t.is(
    keyToken(secret, 'short'),
    `redacted-${createHmac('sha256', secret).update('short').digest('hex').slice(0, 24)}`,
  );
  const long = 'A'.repeat(100);
  const longHex = createHmac('sha256', secret).update(long).digest('hex');
  t.is(keyToken(secret, long), `redacted-${(longHex + longHex).slice(0, 91)}`);
  t.not(keyToken('another-secret-0123456789', KEY_PBX), keyToken(secret, KEY_PBX));
});

test('a key that grows (shorter than a hash) moves Content-Length by as much; lifetime and MKI stay', (t) => {
  const { send } = judging();
  const body = offer('c2hvcnQ=|2^20|1:4');
  const judged = send('customer', invite('short-key', body));
  const line = traceLine(judged, (key) => keyToken('test-secret-0123456789', key));
  const record = parseTraceLine(line ?? '');
  if (typeof record === 'string') return t.fail(record);
  const text = record.bytes.toString('utf8');
  const token = keyToken('test-secret-0123456789', 'c2hvcnQ=');
  t.true(text.includes(`inline:${token}|2^20|1:4\r\n`));
  const grown = token.length - 'c2hvcnQ='.length;
  t.true(text.includes(`Content-Length: ${Buffer.byteLength(body) + grown}\r\n`));
  const reread = readDatagram(record.bytes);
  t.true(reread.ok && reread.message.problems.length === 0, 'Content-Length matches the body');
});

test('bytes that are not UTF-8 are written as sip_base64, keys replaced all the same', (t) => {
  const { send } = judging();
  const text = invite('latin1', offer(KEY_PBX), ['Subject: cafX']).toString('latin1');
  const bytes = Buffer.from(text.replace('cafX', 'caf\xe9'), 'latin1');
  const judged = send('customer', bytes);
  const line = traceLine(judged, (key) => keyToken('test-secret-0123456789', key)) ?? '';
  const value = JSON.parse(line) as Record<string, string>;
  t.deepEqual(Object.keys(value), ['time', 'transport', 'src', 'dst', 'sip_base64']);
  const record = parseTraceLine(line);
  if (typeof record === 'string') return t.fail(record);
  t.is(record.bytes.length, bytes.length);
  t.true(record.bytes.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9])));
  t.false(record.bytes.toString('latin1').includes(KEY_PBX));
  t.true(record.bytes.toString('latin1').includes(`inline:${keyToken('test-secret-0123456789', KEY_PBX)}`));
});

test('messages without SDP and unreadable ones are not written', async (t) => {
  const dir = tempDir();
  const settings = settingsIn(dir);
  const log = new NegotiationLog(settings);
  const { send, judge } = judging();
  log.judged(send('customer', invite('no-sdp', '')), [], true);
  log.judged(
    judge.judgeUnreadable(
      'garbage',
      {
        transport: 'udp',
        src: { host: '192.0.2.1', port: 5060 },
        dst: { host: '192.0.2.2', port: 5060 },
        time: '2026-11-28T10:00:00.000Z',
      },
      9,
    ),
    [],
    false,
  );
  await log.close();
  t.is(log.written, 0);
  t.throws(() => statSync(settings.path), undefined, 'no file for nothing');
});

/** A log whose clock the test moves, writing `count` INVITEs. */
function clockedLog(settings: NegotiationLogSettings) {
  let now = Date.UTC(2026, 10, 28, 10, 0, 0);
  const log = new NegotiationLog(settings, { now: () => now, flushIntervalMs: 60_000 });
  const { send } = judging();
  let n = 0;
  const write = async (count: number) => {
    for (let i = 0; i < count; i++)
      log.judged(send('customer', invite(`call-${n++}`, offer(KEY_PBX))), [], true);
    await log.flush();
  };
  return { log, write, advance: (ms: number) => (now += ms), callIds: () => n };
}

const callIdsIn = (file: string) =>
  linesOf(file).map((line) => /Call-ID: ([^\r]+)/.exec((JSON.parse(line) as { sip: string }).sip)?.[1]);

test('rotation by size: no file past maxBytes, every line kept in order, named by UTC time', async (t) => {
  const dir = tempDir();
  const one = traceLine(judging().send('customer', invite('call-0', offer(KEY_PBX))), (key) =>
    keyToken('x'.repeat(16), key),
  )!;
  const lineBytes = Buffer.byteLength(one) + 1;
  const settings = settingsIn(dir, { maxBytes: lineBytes * 3 + 10, maxFiles: 100 });
  const { log, write, advance } = clockedLog(settings);
  await write(4);
  advance(1500);
  await write(4);
  await log.close();
  const rotated = await rotatedFiles(settings.path);
  t.deepEqual(
    rotated.map((file) => file.slice(settings.path.length)),
    ['.20261128T100000.000Z', '.20261128T100001.500Z'],
  );
  for (const file of [...rotated, settings.path]) t.true(statSync(file).size <= settings.maxBytes, file);
  t.deepEqual(
    [...rotated, settings.path].flatMap(callIdsIn),
    Array.from({ length: 8 }, (_, i) => `call-${i}`),
  );
  t.deepEqual(callIdsIn(rotated[0]!), ['call-0', 'call-1', 'call-2']);
});

test('rotation by age, even with nothing to write; maxFiles keeps the newest rotated files', async (t) => {
  const dir = tempDir();
  const settings = settingsIn(dir, { maxAgeSeconds: 3600, maxFiles: 2 });
  const { log, write, advance } = clockedLog(settings);
  await write(1);
  advance(3_599_000);
  await write(1);
  t.deepEqual(await rotatedFiles(settings.path), [], 'not yet an hour old');
  advance(1000);
  await log.flush();
  t.deepEqual(
    (await rotatedFiles(settings.path)).map((file) => file.slice(settings.path.length)),
    ['.20261128T110000.000Z'],
    'an hour old: rotated by the flush alone',
  );
  for (let hour = 0; hour < 3; hour++) {
    await write(1);
    advance(3_600_000);
    await log.flush();
  }
  await write(1);
  await log.close();
  const rotated = await rotatedFiles(settings.path);
  t.deepEqual(
    rotated.map((file) => file.slice(settings.path.length)),
    ['.20261128T130000.000Z', '.20261128T140000.000Z'],
  );
  t.deepEqual(rotated.flatMap(callIdsIn), ['call-3', 'call-4']);
  t.deepEqual(callIdsIn(settings.path), ['call-5']);
  t.deepEqual(readFileSync(`${settings.path}.secret`, 'utf8').length, 65, 'the secret is not a rotated file');
});

test('an unwritable path never throws into the proxy: reported once, lines counted as dropped', async (t) => {
  const dir = tempDir();
  const settings = settingsIn(dir, { hashSecretFile: join(dir, 'key') });
  writeFileSync(join(dir, 'key'), 'k'.repeat(32));
  mkdirSync(settings.path); // a directory where the file should be
  const log = new NegotiationLog(settings);
  const { send } = judging();
  const stderr = process.stderr.write;
  const written: string[] = [];
  process.stderr.write = ((chunk: string) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    t.notThrows(() => log.judged(send('customer', invite('a', offer(KEY_PBX))), [], true));
    await log.flush();
    log.judged(send('customer', invite('b', offer(KEY_PBX))), [], true);
    await log.close();
  } finally {
    process.stderr.write = stderr;
  }
  t.is(log.dropped, 2);
  t.is(written.length, 1, written.join(''));
  t.regex(written[0] ?? '', /^trunkguard: negotiation log: .*negotiations\.jsonl: .*EISDIR/);
});
