/**
 * Secrets never leave (DESIGN.md principle 6): SIPp calls whose offers and answers carry SDES
 * keys pass through the proxy with every output on — console, a rotated file, syslog to a local
 * listener, the negotiation log, the HTTP API and /metrics — and no output holds any of the keys,
 * whole or in part. The negotiation log holds the keyed hash instead, so a replay can still see
 * key reuse.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CUSTOMER_MEDIA, TWILIO_MEDIA, withSdes } from './harness/media.js';
import { freePort } from './harness/ports.js';
import { startProxyProcess } from './harness/proxy.js';
import { runSipp, startSippUas, UAC_SCENARIO } from './harness/sipp.js';

/** Two keys per side: 30 bytes of key||salt each, base64 (RFC 4568 §6.1). */
const UAC_KEY = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcyAoc2VuZA';
const UAS_KEY = 'PS1uQCVeeCFCanVmcjkzdTRDMT5PIUgzdkVbNDEx';

/** Any 12-character run of a key is a leak too (a clipped evidence line, a partial echo). */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const key of [UAC_KEY, UAS_KEY]) {
    for (let i = 0; i + 12 <= key.length; i++) {
      if (text.includes(key.slice(i, i + 12))) {
        found.push(`${key.slice(0, 8)}… (from offset ${i})`);
        break;
      }
    }
  }
  return found;
}

test('no SDES key in the console, log file, syslog, negotiation log, API or metrics after keyed calls', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-no-leak-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // A local syslog server (UDP): what the proxy sends there is read back below.
  const syslog = createSocket('udp4');
  const datagrams: string[] = [];
  syslog.on('message', (bytes) => datagrams.push(bytes.toString('utf8')));
  await new Promise<void>((resolve) => syslog.bind(0, '127.0.0.1', resolve));
  t.teardown(() => syslog.close());

  const config = join(dir, 'trunkguard.yaml');
  writeFileSync(
    config,
    [
      'profile: twilio',
      'policy:',
      '  srtp: optional',
      '  trustedNetworks: [127.0.0.0/8]',
      'http:',
      '  listen: "127.0.0.1:0"',
      'log:',
      '  console: { level: debug }',
      `  file: { path: ${join(dir, 'trunkguard.log')}, level: debug, maxBytes: 4096, maxFiles: 50 }`,
      `  syslog: { host: 127.0.0.1, port: ${syslog.address().port}, protocol: udp, level: debug }`,
      `  negotiations: { path: ${join(dir, 'negotiations.jsonl')} }`,
      '',
    ].join('\n'),
  );

  const uas = await startSippUas({
    localPort: await freePort(),
    calls: 2,
    keys: withSdes(TWILIO_MEDIA, UAS_KEY),
    traceDir: dir,
    t,
  });
  const proxy = await startProxyProcess({
    config,
    listen: ['udp:127.0.0.1:0'],
    carrier: `${uas.address};transport=udp`,
    t,
  });
  // The HTTP API starts after the SIP listeners (after `ready`): wait for its line.
  const [http] = (await proxy.waitForEvents('http-listening', 1, 10_000)) as { server?: { port?: number } }[];
  const base = `http://127.0.0.1:${http?.server?.port ?? 0}`;
  const uac = await runSipp({
    scenario: UAC_SCENARIO,
    remote: `127.0.0.1:${proxy.udpPort}`,
    localPort: await freePort(),
    calls: 2,
    rate: 10,
    keys: withSdes(CUSTOMER_MEDIA, UAC_KEY),
    traceDir: dir,
    t,
  });
  t.is(uac.code, 0, uac.errors);
  // The keys were on the wire, through the proxy: the peers saw them.
  t.true(uac.messages.some((message) => message.text.includes(UAC_KEY)));
  await proxy.waitForEvents('call-summary', 2, 10_000);
  // Keys over UDP are a finding on both sides: the proxy had the keys in hand and reported on them.
  const sdes = proxy
    .events('finding')
    .filter((line) => JSON.stringify(line).includes('sdes-over-insecure-transport'));
  t.true(sdes.length >= 2, 'sdes-over-insecure-transport on both sides');

  const api: string[] = [];
  for (const path of [
    '/healthz',
    '/metrics',
    '/api/calls',
    '/api/findings?limit=500',
    '/api/profiles',
    '/api/status',
  ]) {
    const response = await fetch(`${base}${path}`);
    t.is(response.status, 200, path);
    api.push(await response.text());
  }
  const calls = JSON.parse(api[2] ?? '{}') as { calls?: { callId: string }[] };
  t.is(calls.calls?.length, 2);
  for (const call of calls.calls ?? []) {
    const response = await fetch(`${base}/api/calls/${encodeURIComponent(call.callId)}`);
    t.is(response.status, 200);
    api.push(await response.text());
  }

  // SIGTERM: everything flushed.
  await proxy.proc.stop();
  const files = readdirSync(dir).filter((name) => name.startsWith('trunkguard.log'));
  t.true(files.length >= 2, `the 4 KiB file log rotated (files: ${files.join(', ')})`);
  const fileLog = files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
  const negotiations = readdirSync(dir)
    .filter((name) => name.startsWith('negotiations.jsonl') && !name.endsWith('.secret'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');

  const outputs: Record<string, string> = {
    console: proxy.proc.lines.join('\n'),
    file: fileLog,
    syslog: datagrams.join('\n'),
    negotiations,
    api: api.join('\n'),
  };
  for (const [name, text] of Object.entries(outputs)) {
    t.true(text.length > 0, `${name} is empty: nothing was checked`);
    t.deepEqual(leaks(text), [], `${name} holds key material`);
  }
  // Every output saw the calls: the checks above read real content.
  t.true(outputs.syslog?.includes('sdes-over-insecure-transport'));
  t.true(outputs.file?.includes('sdes-over-insecure-transport'));
  // The negotiation log kept every SDP-bearing message with its keys as keyed hashes.
  t.regex(negotiations, /inline:redacted-[0-9a-f]{24}/);
  t.is((negotiations.match(/inline:redacted-/g) ?? []).length >= 4, true);
});
