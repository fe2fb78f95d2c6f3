/**
 * The flood guard in an in-process proxy between real UDP sockets: a burst of requests from one
 * source gives one request-flood finding; with flood.block on, that source's later messages are
 * dropped unread while another source's still go through, a scanner User-Agent gets its source
 * blocked, and a block ends on time. Sources are distinct loopback addresses (127.0.0.0/8 is all
 * loopback on Linux); the carrier next hop is 127.0.0.1, which is exempt as a next hop.
 *
 * "Not forwarded" is shown without timing: one UDP socket is read in order, so once a later
 * request from another source has reached the carrier, every earlier one has been handled.
 */
import { createSocket, type Socket } from 'node:dgram';
import test, { type ExecutionContext } from 'ava';
import { DEFAULT_LIMITS, type FloodLimits } from '../../src/proxy/limits.js';
import { actionOf, codeOf, hop, type LogLine, type RunningProxy, startProxy, UdpPeer } from './in-process.js';
import { closed, pinged, tcpClient, until } from './stream-scene.js';

const FLOODER = '127.0.0.3';
const OTHER = '127.0.0.4';
const SCANNER = '127.0.0.5';

/** A UDP socket on one loopback address, to send from. */
async function sourceAt(t: ExecutionContext, host: string): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  t.teardown(() => socket.close());
  return { socket, port: socket.address().port };
}

function request(
  method: 'OPTIONS' | 'INVITE',
  host: string,
  port: number,
  callId: string,
  userAgent = 'pbx/1.0',
) {
  const sdp =
    method === 'INVITE'
      ? `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=-\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`
      : '';
  return Buffer.from(
    `${method} sip:+15550100@trunk.example.com SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${host}:${port};branch=z9hG4bK-${callId}\r\n` +
      'Max-Forwards: 70\r\n' +
      `From: <sip:pbx@${host}>;tag=f-${callId}\r\n` +
      'To: <sip:+15550100@trunk.example.com>\r\n' +
      `Call-ID: ${callId}\r\n` +
      `CSeq: 1 ${method}\r\n` +
      `Contact: <sip:pbx@${host}:${port}>\r\n` +
      `User-Agent: ${userAgent}\r\n` +
      (sdp ? 'Content-Type: application/sdp\r\n' : '') +
      `Content-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`,
    'latin1',
  );
}

async function scene(t: ExecutionContext, flood: Partial<FloodLimits>) {
  const carrier = await new UdpPeer().start();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'udp'), {
    limits: { ...DEFAULT_LIMITS, flood: { ...DEFAULT_LIMITS.flood, ...flood } },
  });
  t.teardown(async () => {
    carrier.close();
    await running.stop();
  });
  const send = (from: { socket: Socket }, bytes: Buffer) =>
    from.socket.send(bytes, running.udpPort, '127.0.0.1');
  return { carrier, running, send };
}

/** The Call-IDs of everything the carrier received until the request with `lastCallId` (bounded). */
async function receivedUntil(carrier: UdpPeer, lastCallId: string): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const { bytes } = await carrier.next(5000);
    const callId = /^Call-ID: (.+)\r$/m.exec(bytes.toString('latin1'))?.[1] ?? '?';
    seen.push(callId);
    if (callId === lastCallId) return seen;
  }
}

/** Waits (bounded) until a log line matches. */
async function lineWhere(running: RunningProxy, match: (line: LogLine) => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = running.lines.find(match);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Stops the proxy and waits for its `stopped` line: log lines reach the sink asynchronously, in
 * order, so every line of the messages handled so far is in by then.
 */
async function settled(running: RunningProxy): Promise<void> {
  await running.stop();
  await lineWhere(running, (line) => actionOf(line) === 'stopped');
}

const floodFindings = (running: RunningProxy) =>
  running.lines.filter((line) => actionOf(line) === 'finding' && codeOf(line) === 'request-flood');

test('a burst over the rate gives one request-flood finding, and with block off every request is forwarded', async (t) => {
  const { carrier, running, send } = await scene(t, { requestsPerSecond: 5, windowSeconds: 1 });
  const flooder = await sourceAt(t, FLOODER);
  const ids = Array.from({ length: 30 }, (_, i) => `burst-${i}@${FLOODER}`);
  for (const id of ids) send(flooder, request('OPTIONS', FLOODER, flooder.port, id));
  t.deepEqual(await receivedUntil(carrier, ids.at(-1) ?? ''), ids, 'all 30 forwarded');
  await settled(running);
  const findings = floodFindings(running);
  t.is(findings.length, 1, JSON.stringify(findings));
  t.like(findings[0], {
    // The sixth request took the source over 5 in 1 s.
    sip: { call_id: ids[5], method: 'OPTIONS' },
    source: { ip: FLOODER },
    trunkguard: {
      severity: 'high',
      side: 'customer',
      evidence: `6 requests in 1 s from ${FLOODER} (limit 5/s)`,
    },
  });
  t.is(running.proxy.limitHits.totals.get('request-flood'), 1);
  t.is(running.proxy.limitHits.totals.get('blocked-source'), undefined);
  t.false(running.lines.some((line) => actionOf(line) === 'source-blocked'));
});

test('INVITEs from the carrier next hop address are never counted', async (t) => {
  const { carrier, running, send } = await scene(t, { requestsPerSecond: 5, windowSeconds: 1, block: true });
  const nextHop = await sourceAt(t, '127.0.0.1');
  const ids = Array.from({ length: 30 }, (_, i) => `hop-${i}@127.0.0.1`);
  for (const id of ids) send(nextHop, request('INVITE', '127.0.0.1', nextHop.port, id));
  t.is((await receivedUntil(carrier, ids.at(-1) ?? '')).length, 30);
  await settled(running);
  t.deepEqual(floodFindings(running), []);
});

test('with block on, a flooding source is dropped unread and another source still goes through', async (t) => {
  const { carrier, running, send } = await scene(t, { requestsPerSecond: 5, windowSeconds: 1, block: true });
  const flooder = await sourceAt(t, FLOODER);
  const other = await sourceAt(t, OTHER);
  const ids = Array.from({ length: 40 }, (_, i) => `invite-${i}@${FLOODER}`);
  for (const id of ids) send(flooder, request('INVITE', FLOODER, flooder.port, id));
  send(other, request('INVITE', OTHER, other.port, `fresh@${OTHER}`));
  const forwarded = await receivedUntil(carrier, `fresh@${OTHER}`);
  // Up to the one that tipped it (the sixth): those were read before the block started.
  t.deepEqual(forwarded, [...ids.slice(0, 6), `fresh@${OTHER}`]);
  t.is(running.proxy.blockedSources, 1);
  await settled(running);
  t.is(floodFindings(running).length, 1);
  const blocked = running.lines.filter((line) => actionOf(line) === 'source-blocked');
  t.is(blocked.length, 1);
  t.like(blocked[0], { source: { ip: FLOODER }, trunkguard: { reason: 'request-flood' } });
  t.is(running.proxy.limitHits.totals.get('blocked-source'), 34);
  // Dropped messages are counted, not logged one by one: one limit-hit line for the interval.
  const hitLines = running.lines.filter(
    (line) => actionOf(line) === 'limit-hit' && line.trunkguard?.limit === 'blocked-source',
  );
  t.is(hitLines.length, 1);
  // Not answered either: nothing came back to the flooder.
  t.is(running.proxy.counters.answered, 0);
});

test('with block on, a scanner User-Agent gets its source blocked', async (t) => {
  const { carrier, running, send } = await scene(t, { block: true });
  const scanner = await sourceAt(t, SCANNER);
  const other = await sourceAt(t, OTHER);
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `scan-1@${SCANNER}`, 'friendly-scanner'));
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `scan-2@${SCANNER}`, 'pbx/1.0'));
  send(other, request('OPTIONS', OTHER, other.port, `ok@${OTHER}`));
  t.deepEqual(await receivedUntil(carrier, `ok@${OTHER}`), [`scan-1@${SCANNER}`, `ok@${OTHER}`]);
  await settled(running);
  const blocked = running.lines.filter((line) => actionOf(line) === 'source-blocked');
  t.like(blocked, [{ source: { ip: SCANNER }, trunkguard: { reason: 'scanner-user-agent' } }]);
  t.is(running.proxy.limitHits.totals.get('blocked-source'), 1);
});

test('with block off, a scanner is reported and not blocked', async (t) => {
  const { carrier, running, send } = await scene(t, { block: false });
  const scanner = await sourceAt(t, SCANNER);
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `scan-1@${SCANNER}`, 'friendly-scanner'));
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `scan-2@${SCANNER}`, 'friendly-scanner'));
  t.is((await receivedUntil(carrier, `scan-2@${SCANNER}`)).length, 2);
  await settled(running);
  // Reported (repeats of one code from one source are logged once per interval), both forwarded, no block.
  t.true(running.lines.some((line) => codeOf(line) === 'scanner-user-agent'));
  t.false(running.lines.some((line) => actionOf(line) === 'source-blocked'));
});

test('a block ends after blockSeconds: source-unblocked once, then the source is forwarded again', async (t) => {
  const { carrier, running, send } = await scene(t, { block: true, blockSeconds: 1 });
  const scanner = await sourceAt(t, SCANNER);
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `scan@${SCANNER}`, 'friendly-scanner'));
  t.deepEqual(await receivedUntil(carrier, `scan@${SCANNER}`), [`scan@${SCANNER}`]);
  await lineWhere(running, (line) => actionOf(line) === 'source-blocked');
  const unblocked = await lineWhere(running, (line) => actionOf(line) === 'source-unblocked');
  t.like(unblocked, {
    source: { ip: SCANNER },
    trunkguard: { reason: 'scanner-user-agent', ended: 'expired' },
  });
  send(scanner, request('OPTIONS', SCANNER, scanner.port, `later@${SCANNER}`));
  t.deepEqual(await receivedUntil(carrier, `later@${SCANNER}`), [`later@${SCANNER}`]);
  t.is(running.lines.filter((line) => actionOf(line) === 'source-unblocked').length, 1);
  t.is(running.proxy.blockedSources, 0);
});

test('past flood.maxSources the least recently seen sources are forgotten, and that is counted, not silent', async (t) => {
  const { carrier, running, send } = await scene(t, { requestsPerSecond: 1000, maxSources: 3 });
  for (let i = 1; i <= 5; i++) {
    const from = await sourceAt(t, `127.0.3.${i}`);
    send(from, request('OPTIONS', `127.0.3.${i}`, from.port, `spray-${i}`));
    await receivedUntil(carrier, `spray-${i}`);
  }
  // The sweep (every 50 ms in these tests) counts what the table forgot since the last one: both
  // at once, or one each when a sweep falls between the fourth and the fifth source (the second
  // is then counted, and logged as suppressed when the limit's log interval ends).
  const line = await lineWhere(
    running,
    (candidate) => actionOf(candidate) === 'limit-hit' && candidate.trunkguard?.limit === 'flood-sources',
  );
  t.regex(
    line.message ?? '',
    /^limit flood-sources hit: [12] sources forgotten by the request-rate table \(flood\.maxSources 3\)$/,
  );
  await until('both forgotten sources counted', () =>
    running.proxy.limitHits.totals.get('flood-sources') === 2 ? true : undefined,
  );
  t.is(running.proxy.limitHits.totals.get('flood-sources'), 2);
});

test('with block on, a blocked source loses its TCP connections and new ones are refused at accept', async (t) => {
  const { carrier, running, send } = await scene(t, { requestsPerSecond: 5, windowSeconds: 1, block: true });
  const host = '127.0.0.9';
  const before = await tcpClient(t, running.tcpPort, host);
  t.true(await pinged(before), 'the connection is served before the block');
  const flooder = await sourceAt(t, host);
  const ids = Array.from({ length: 10 }, (_, i) => `tcp-flood-${i}@${host}`);
  for (const id of ids) send(flooder, request('OPTIONS', host, flooder.port, id));
  await receivedUntil(carrier, ids[5] ?? '');
  await closed(before, 3000);
  const after = await tcpClient(t, running.tcpPort, host);
  await closed(after, 3000);
  t.true(await pinged(await tcpClient(t, running.tcpPort, '127.0.0.10')), 'another source still connects');
  t.true((running.proxy.limitHits.totals.get('blocked-source') ?? 0) >= 1);
});
