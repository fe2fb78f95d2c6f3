/**
 * proxy.limits.message in an in-process proxy between real sockets: a request with too many Vias
 * is dropped unanswered (an answer would copy every Via back, RFC 3261 §8.2.6.2), one with too
 * many header fields gets 513 (§21.5.7), an ACK is never answered, an INVITE whose SDP is past a
 * limit is forwarded unchanged with one malformed-sdp finding; every hit is counted (the metric)
 * and logged once per interval, and the next message goes through.
 *
 * "Not forwarded" and "not answered" are shown without timing: the proxy reads one UDP socket in
 * order, so once a later request has reached the carrier, every earlier one has been handled.
 */
import { connect } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { DEFAULT_LIMITS, DEFAULT_MESSAGE_LIMITS } from '../../src/proxy/limits.js';
import { Metrics } from '../../src/report/metrics.js';
import {
  actionOf,
  codeOf,
  fieldOf,
  hop,
  type LogLine,
  StreamCollector,
  startProxy,
  UdpPeer,
} from './in-process.js';

const MESSAGE_LIMITS = { ...DEFAULT_MESSAGE_LIMITS, maxHeaders: 30, maxVias: 5, maxSdpLines: 20 };

/** A proxy with small message limits and a Metrics observer, between a UDP customer and carrier. */
async function scene(t: ExecutionContext) {
  const carrier = await new UdpPeer().start();
  const customer = await new UdpPeer().start();
  const metrics = new Metrics({ defaultMetrics: false });
  const running = await startProxy(
    hop('127.0.0.1', carrier.port, 'udp'),
    { limits: { ...DEFAULT_LIMITS, message: MESSAGE_LIMITS } },
    {},
    null,
    { observers: [metrics] },
  );
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  const send = (bytes: Buffer) => customer.send(bytes, running.udpPort);
  return {
    carrier,
    customer,
    proxy: running.proxy,
    metrics,
    lines: running.lines,
    send,
    tcpPort: running.tcpPort,
  };
}

interface RequestParts {
  readonly method?: string;
  readonly callId: string;
  readonly vias?: number;
  readonly extraHeaders?: number;
  readonly sdp?: string;
  readonly viaPort?: number;
}

function request({
  method = 'INVITE',
  callId,
  vias = 1,
  extraHeaders = 0,
  sdp = '',
  viaPort = 5060,
}: RequestParts) {
  const head = [
    `${method} sip:+15550100@trunk.example.com SIP/2.0`,
    ...Array.from(
      { length: vias },
      (_, i) => `Via: SIP/2.0/UDP 127.0.0.1:${i === 0 ? viaPort : 5060 + i};branch=z9hG4bK-${callId}-${i}`,
    ),
    'Max-Forwards: 70',
    `From: <sip:pbx@127.0.0.1>;tag=f-${callId}`,
    'To: <sip:+15550100@trunk.example.com>',
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    ...Array.from({ length: extraHeaders }, (_, i) => `X-Extra-${i}: ${i}`),
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${sdp}`, 'latin1');
}

function sdpOfLines(count: number): string {
  const head = [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 30000 RTP/AVP 0',
  ];
  const filler = Array.from({ length: count - head.length }, (_, i) => `a=x-filler:${i}`);
  return `${[...head, ...filler].join('\r\n')}\r\n`;
}

const callIdOf = (bytes: Buffer) => /^Call-ID: (.+)\r$/m.exec(bytes.toString('latin1'))?.[1];

/** Waits (bounded) until a log line matches. */
async function lineWhere(lines: LogLine[], match: (line: LogLine) => boolean): Promise<LogLine> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no such log line within 3000 ms');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a request with maxVias + 1 Vias is dropped unanswered and counted; the next one is forwarded', async (t) => {
  const { carrier, customer, proxy, send } = await scene(t);
  send(request({ callId: 'too-many-vias', vias: 6, viaPort: customer.port }));
  send(request({ callId: 'valid', viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'valid');
  t.is(customer.pending, 0, 'no answer to the over-limit request');
  t.is(proxy.limitHits.totals.get('vias'), 1);
  t.is(proxy.counters.dropped, 1);
});

test('a request with a broken start line is not answered when its Vias are over the configured limit', async (t) => {
  const { carrier, customer, send } = await scene(t);
  // Unreadable (no SIP-Version) and over maxVias 5 (far under the default 70): a 400 would copy
  // all six Vias back, so the configured limit must hold on this path too.
  const broken = request({ callId: 'broken-many-vias', vias: 6, viaPort: customer.port })
    .toString('latin1')
    .replace(' SIP/2.0\r\n', '\r\n');
  send(Buffer.from(broken, 'latin1'));
  send(request({ callId: 'valid', viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'valid');
  t.is(customer.pending, 0, 'no 400 copying six Vias');
});

test('a request with too many header fields gets 513; an ACK is never answered', async (t) => {
  const { carrier, customer, proxy, send, lines } = await scene(t);
  send(request({ callId: 'too-many-headers', extraHeaders: 40, viaPort: customer.port }));
  const answer = (await customer.next()).bytes.toString('latin1');
  t.regex(answer, /^SIP\/2\.0 513 Message Too Large \(\d+ header fields, over the limit of 30\)\r\n/);
  t.regex(answer, /^Call-ID: too-many-headers\r$/m);
  send(request({ method: 'ACK', callId: 'too-many-headers-ack', extraHeaders: 40, viaPort: customer.port }));
  send(request({ callId: 'valid', viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'valid');
  t.is(customer.pending, 0, 'the ACK is not answered');
  t.is(proxy.limitHits.totals.get('headers'), 2);
  // Counted, not judged: no finding line for either message.
  t.false(
    lines.some(
      (line) => actionOf(line) === 'finding' && /too-many-headers/.test(String(fieldOf(line, 'sip.call_id'))),
    ),
  );
});

test('many hits: one limit-hit line, the rest counted in the metric and summarized', async (t) => {
  const { carrier, customer, proxy, metrics, send, lines } = await scene(t);
  for (let i = 0; i < 25; i++) send(request({ callId: `flood-${i}`, vias: 6, viaPort: customer.port }));
  send(request({ callId: 'valid', viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'valid');
  t.is(proxy.limitHits.totals.get('vias'), 25);
  const hitLines = lines.filter((line) => actionOf(line) === 'limit-hit');
  t.is(hitLines.length, 1);
  t.is(fieldOf(hitLines[0], 'trunkguard.limit'), 'vias');
  t.is(fieldOf(hitLines[0], 'trunkguard.detail'), '6 Via header field values, over the limit of 5');
  t.regex(await metrics.text(), /^trunkguard_limit_hits_total\{limit="vias"\} 25$/m);
  await proxy.stop();
  const suppressed = await lineWhere(lines, (line) => actionOf(line) === 'limit-hits-suppressed');
  t.is(fieldOf(suppressed, 'trunkguard.count'), 24);
});

test('an INVITE with too many SDP lines is forwarded unchanged with one malformed-sdp finding', async (t) => {
  const { carrier, customer, proxy, metrics, send, lines } = await scene(t);
  const sdp = sdpOfLines(21);
  const sent = request({ callId: 'long-sdp', sdp, viaPort: customer.port });
  send(sent);
  const received = (await carrier.next()).bytes.toString('latin1');
  // Our edits undone (Via and Record-Route out, Max-Forwards back up), the rest is byte-exact.
  const undone = received
    .replace(/^Via: SIP\/2\.0\/UDP [^\r]*;branch=z9hG4bKtg[^\r]*\r\n/m, '')
    .replace(/^Record-Route: [^\r]*\r\n/m, '')
    .replace('Max-Forwards: 69', 'Max-Forwards: 70');
  t.is(undone, sent.toString('latin1'));
  const finding = await lineWhere(lines, (line) => codeOf(line) === 'malformed-sdp');
  t.regex(String(finding.message), /21 lines in the SDP, over the limit of 20/);
  t.deepEqual(
    lines
      .filter((line) => actionOf(line) === 'finding' && fieldOf(line, 'sip.call_id') === 'long-sdp')
      .map((line) => codeOf(line)),
    ['malformed-sdp'],
  );
  t.is(proxy.limitHits.totals.get('sdp-lines'), 1);
  t.regex(await metrics.text(), /^trunkguard_limit_hits_total\{limit="sdp-lines"\} 1$/m);
  // At the limit: modelled and judged as usual, no hit.
  send(request({ callId: 'sdp-at-limit', sdp: sdpOfLines(20), viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'sdp-at-limit');
  t.is(proxy.limitHits.totals.get('sdp-lines'), 1);
});

test('TCP: a request over the header limit gets 513 on its connection; the next one is forwarded', async (t) => {
  const { carrier, tcpPort, proxy } = await scene(t);
  const socket = connect(tcpPort, '127.0.0.1');
  t.teardown(() => socket.destroy());
  const collector = new StreamCollector(socket);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  // Over the configured limit (30) but far under the default (256): the configured limits
  // reach the stream transport's framer.
  t.true(MESSAGE_LIMITS.maxHeaders + 10 < DEFAULT_MESSAGE_LIMITS.maxHeaders);
  const over = request({
    callId: 'tcp-too-many',
    extraHeaders: MESSAGE_LIMITS.maxHeaders,
    sdp: sdpOfLines(8),
  });
  socket.write(Buffer.concat([over, request({ callId: 'tcp-valid' })]));
  const answer = (await collector.message()).toString('latin1');
  t.regex(answer, /^SIP\/2\.0 513 Message Too Large/);
  t.regex(answer, /^Call-ID: tcp-too-many\r$/m);
  t.is(callIdOf((await carrier.next()).bytes), 'tcp-valid');
  t.is(proxy.limitHits.totals.get('headers'), 1);
});

test('a response over a limit is dropped and counted', async (t) => {
  const { carrier, proxy, customer, send } = await scene(t);
  const response = request({ callId: 'response', vias: 6 })
    .toString('latin1')
    .replace(/^INVITE sip:\S+ SIP\/2\.0/, 'SIP/2.0 200 OK');
  send(Buffer.from(response, 'latin1'));
  send(request({ callId: 'valid', viaPort: customer.port }));
  t.is(callIdOf((await carrier.next()).bytes), 'valid');
  t.is(proxy.counters.forwarded, 1);
  t.is(proxy.counters.dropped, 1);
  t.is(proxy.limitHits.totals.get('vias'), 1);
  t.is(customer.pending, 0);
});
