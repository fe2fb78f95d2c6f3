/**
 * `trunkguard hep` fed by a HEP sender no one here wrote: Kamailio's siptrace module mirrors
 * every SIP message of a relay (test/fixtures/kamailio/siptrace.cfg) as HEPv3 over UDP while
 * SIPp calls pass through it. The UAS (the carrier, 127.0.0.2, a carrierPeer in
 * test/fixtures/hep/hep-e2e.yaml) answers with media on 203.0.113.50, outside Twilio's ranges:
 * the collector must log media-ip-out-of-range findings and a call summary per call, and
 * /api/calls must list the calls.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { KAMAILIO_FIXTURES } from './harness/kamailio.js';
import { CUSTOMER_MEDIA, OUT_OF_RANGE_MEDIA } from './harness/media.js';
import { freePort, waitForSocket } from './harness/ports.js';
import { startProcess } from './harness/processes.js';
import { actionOf, CLI, codeOf, fieldOf, type LogLine, parseLogLine, REPO_ROOT } from './harness/proxy.js';
import { headerOf, runSipp, startSippUas, UAC_SCENARIO } from './harness/sipp.js';

const HEP_CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'hep', 'hep-e2e.yaml');
const UAS_HOST = '127.0.0.2';

test('kamailio siptrace → trunkguard hep: findings, call summaries and /api/calls', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-hep-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // The collector: HEP on a UDP port the kernel picks, read from its `listening` line.
  const hep = startProcess(
    process.execPath,
    [CLI, 'hep', '--listen', 'udp:127.0.0.1:0', '--config', HEP_CONFIG, '--http', '127.0.0.1:0'],
    { cwd: REPO_ROOT, name: 'trunkguard hep', t },
  );
  // On failure, the counts by action first (they survive a truncated CI log), then the tail.
  t.teardown(() => {
    if (t.passed) return;
    const counts = new Map<string, number>();
    for (const line of lines())
      counts.set(String(actionOf(line)), (counts.get(String(actionOf(line))) ?? 0) + 1);
    t.log(`hep actions: ${JSON.stringify(Object.fromEntries(counts))}`);
    t.log(`hep output (last 30 lines):\n${hep.tail(30)}`);
  });
  const lines = () => hep.lines.map(parseLogLine).filter((line): line is LogLine => line !== null);
  const events = (action: string) => lines().filter((line) => actionOf(line) === action);
  await hep.waitForLine((line) => actionOf(parseLogLine(line)) === 'ready', 10_000);
  const hepPort = fieldOf(events('listening')[0], 'server.port');
  const httpHost = fieldOf(events('http-listening')[0], 'server.address');
  const httpPort = fieldOf(events('http-listening')[0], 'server.port');
  if (typeof hepPort !== 'number' || typeof httpPort !== 'number') throw new Error('no ports logged');

  // The carrier: a SIPp UAS on 127.0.0.2 answering from outside Twilio's media ranges.
  const uasPort = await freePort(UAS_HOST);
  const uas = await startSippUas({
    localIp: UAS_HOST,
    localPort: uasPort,
    transport: 'u1',
    calls: 2,
    keys: OUT_OF_RANGE_MEDIA,
    traceDir: dir,
    t,
  });

  // The capture agent: Kamailio relaying to the UAS and mirroring everything to the collector.
  const kamailioPort = await freePort();
  const runDir = join(dir, 'kamailio-run');
  mkdirSync(runDir);
  const kamailio = startProcess(
    process.env.KAMAILIO ?? '/usr/sbin/kamailio',
    [
      '-DD',
      '-E',
      '-f',
      join(KAMAILIO_FIXTURES, 'siptrace.cfg'),
      '-Y',
      runDir,
      '-P',
      join(dir, 'kamailio.pid'),
      '-m',
      '64',
      '-M',
      '8',
      '-x',
      'tlsf',
      '-l',
      `udp:127.0.0.1:${kamailioPort}`,
      '-A',
      `UAS_ADDR="sip:${UAS_HOST}:${uasPort};transport=udp"`,
      '-A',
      `HEP_URI="sip:127.0.0.1:${hepPort}"`,
    ],
    { cwd: KAMAILIO_FIXTURES, name: 'kamailio', t },
  );
  t.teardown(() => {
    if (!t.passed) t.log(`kamailio output (last 12 lines):\n${kamailio.tail(12)}`);
  });
  await waitForSocket({
    protocol: 'udp',
    host: '127.0.0.1',
    port: kamailioPort,
    pids: () => [kamailio.pid],
    timeoutMs: 15_000,
    stillWorthWaiting: () => {
      if (kamailio.exitStatus !== null) throw new Error(`kamailio exited:\n${kamailio.tail()}`);
    },
  });

  const uac = await runSipp({
    scenario: UAC_SCENARIO,
    remote: `127.0.0.1:${kamailioPort}`,
    localPort: await freePort(),
    transport: 'u1',
    calls: 2,
    rate: 10,
    keys: CUSTOMER_MEDIA,
    timeoutMs: 15_000,
    traceDir: dir,
    name: 'uac',
    t,
  });
  t.is(uac.code, 0, uac.errors);
  const uasResult = await uas.result(10_000);
  t.is(uasResult.code, 0, `UAS: ${uasResult.errors}`);
  const callIds = [
    ...new Set(
      uac.messages
        .filter((message) => message.direction === 'sent' && message.method === 'INVITE')
        .map((message) => headerOf(message, 'Call-ID') ?? ''),
    ),
  ].sort();
  t.is(callIds.length, 2);

  // Both calls end with the BYE's 200: one summary each, failed for the carrier's media address.
  await hep.waitForLine(() => events('call-summary').length >= 2, 20_000);
  const summaries = events('call-summary');
  t.deepEqual(summaries.map((line) => fieldOf(line, 'sip.call_id')).sort(), callIds);
  for (const summary of summaries) {
    t.is(fieldOf(summary, 'trunkguard.verdict'), 'fail');
    t.true((fieldOf(summary, 'trunkguard.codes') as string[]).includes('media-ip-out-of-range'));
  }
  const outOfRange = events('finding').filter((line) => codeOf(line) === 'media-ip-out-of-range');
  t.deepEqual([...new Set(outOfRange.map((line) => fieldOf(line, 'sip.call_id')))].sort(), callIds);
  for (const finding of outOfRange) {
    t.is(fieldOf(finding, 'source.ip'), UAS_HOST);
    t.is(fieldOf(finding, 'network.transport'), 'udp');
  }
  t.deepEqual(
    events('hep-malformed').map((line) => line.message),
    [],
  );

  // The API shows the HEP-fed calls as it shows the proxy's.
  const response = await fetch(`http://${httpHost}:${httpPort}/api/calls`);
  t.is(response.status, 200);
  const body = (await response.json()) as { calls: { callId: string; verdict: string }[] };
  t.deepEqual(body.calls.map((call) => call.callId).sort(), callIds);
  const metrics = await (await fetch(`http://${httpHost}:${httpPort}/metrics`)).text();
  t.regex(metrics, /media-ip-out-of-range/);

  // SIGTERM: the collector stops cleanly (exit 0).
  await kamailio.stop();
  const exit = await hep.stop();
  t.is(exit.code, 0, `collector exit: ${JSON.stringify(exit)}`);
});
