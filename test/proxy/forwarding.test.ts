/**
 * Forwarding through real sockets: what reaches the far side equals what was sent but for the
 * permitted edits (RFC 3261 §16.6: our Via, Max-Forwards, Record-Route; §16.4: our Route), and
 * responses come back to where their request came from with our Via removed and nothing else
 * changed (§16.7, RFC 3581), over UDP and TCP.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import test from 'ava';
import {
  actionOf,
  codeOf,
  hop,
  REPO,
  StreamCollector,
  startProxy,
  tcpPeer,
  UdpPeer,
  udpScene,
} from './in-process.js';

const SPLICE = new URL('test/fixtures/sip/splice/', REPO);
const fixture = (name: string) => readFileSync(new URL(name, SPLICE)).toString('latin1');
/** The proxy's two interfaces in the splice fixtures (RFC 5658 double Record-Route). */
const ADVERTISE = { udp: { host: '203.0.113.9', port: 5060 }, tcp: { host: '198.51.100.9', port: 5060 } };

const OUR_VIA = /^Via: SIP\/2\.0\/UDP 203\.0\.113\.9:5060;branch=z9hG4bKtg[A-Za-z0-9_-]+;rport(\r?\n)/m;
const OUR_RR = /^Record-Route: <sip:203\.0\.113\.9:5060;transport=udp;lr>(\r?\n)/m;

/**
 * Undoes the permitted edits on what the carrier received, independently of the splice code:
 * our Via and Record-Route lines out, Max-Forwards back up by one (or our inserted one out).
 */
function undoRequestEdits(received: string, hadMaxForwards: boolean): { text: string; via: string } {
  const via = OUR_VIA.exec(received);
  if (!via) throw new Error(`no Via of ours in:\n${received}`);
  let text = received.replace(OUR_VIA, '');
  if (OUR_VIA.test(text)) throw new Error('two Vias of ours');
  text = text.replace(OUR_RR, '');
  if (hadMaxForwards) {
    text = text.replace(
      /^(max-forwards[ \t]*:\s*)(\d+)/im,
      (_m, head: string, n: string) => `${head}${Number(n) + 1}`,
    );
  } else {
    text = text.replace(/^Max-Forwards: 70\r?\n/m, '');
  }
  return { text, via: via[0] };
}

/** A response built by the far side from the request as it received it: its Via, From, To, Call-ID, CSeq lines. */
function responseTo(request: string, status: string): string {
  const eol = request.includes('\r\n') ? '\r\n' : '\n';
  const head = request.slice(0, request.indexOf(`${eol}${eol}`) + eol.length);
  const lines: string[] = [];
  let keep = false;
  for (const line of head.split(eol).slice(1)) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (keep) lines.push(line);
      continue;
    }
    keep = /^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:/i.test(line);
    if (keep) lines.push(line);
  }
  return `SIP/2.0 ${status}${eol}${lines.join(eol)}${eol}Content-Length: 0${eol}${eol}`;
}

const CASES: { file: string; routeEdit?: (text: string) => string; answered: boolean }[] = [
  { file: 'invite-compact.sip', answered: true },
  { file: 'invite-folded.sip', answered: true },
  { file: 'invite-bare-lf.sip', answered: true },
  { file: 'register-utf8.sip', answered: true },
  // The preloaded Route names us (203.0.113.9, port 5060 by default): removed, the body's look-alike kept.
  {
    file: 'invite-multipart-binary.sip',
    routeEdit: (t) => t.replace('Route: <sip:203.0.113.9;lr>\r\n', ''),
    answered: true,
  },
  // Both of our double Record-Route values lead the BYE's Route set: that whole line goes.
  {
    file: 'bye-route-set.sip',
    routeEdit: (t) =>
      t.replace('Route: <sip:203.0.113.9;lr;r2=on>, <sip:198.51.100.9;transport=tcp;lr;r2=on>\r\n', ''),
    answered: true,
  },
  {
    file: 'ack-route-two-lines.sip',
    routeEdit: (t) =>
      t
        .replace(/^route: <sip:203\.0\.113\.9;lr;r2=on;x=",">\r\n/m, '')
        .replace('<sip:198.51.100.9;transport=tcp;lr;r2=on>, ', ''),
    answered: false,
  },
];

for (const { file, routeEdit, answered } of CASES) {
  test(`UDP: ${file} reaches the carrier byte-exact but for our edits, and its response comes back byte-exact`, async (t) => {
    const { carrier, customer, running } = await udpScene(t, {}, ADVERTISE);
    const original = fixture(file);
    customer.send(original, running.udpPort);
    const forwarded = (await carrier.next()).bytes.toString('latin1');
    const hadMaxForwards = /^max-forwards[ \t]*:/im.test(original);
    const { text, via } = undoRequestEdits(forwarded, hadMaxForwards);
    const expected = routeEdit ? routeEdit(original) : original;
    if (routeEdit) t.not(expected, original, 'the fixture carries a Route of ours to remove');
    t.is(text, expected);
    // Our Via is the top one: inserted before the first Via of the request.
    const firstVia = /^(via|v)[ \t]*:/im.exec(forwarded);
    t.is(firstVia?.index, forwarded.indexOf(via));
    if (!answered) return;
    const response = responseTo(forwarded, '200 OK');
    carrier.send(response, running.udpPort);
    const back = await customer.next();
    // Symmetric response routing (RFC 3581): to the port the request came from, though no Via names it.
    t.is(back.port, running.udpPort);
    t.is(back.bytes.toString('latin1'), response.replace(via, ''));
  });
}

test('UDP: the response goes to the request source even when the Via sent-by is unreachable, with no received/rport added', async (t) => {
  const { carrier, customer, running } = await udpScene(t);
  const invite = fixture('invite-compact.sip'); // Via sent-by 192.0.2.10:5060: nobody there
  customer.send(invite, running.udpPort);
  const forwarded = (await carrier.next()).bytes.toString('latin1');
  const trying = responseTo(forwarded, '100 Trying');
  carrier.send(trying, running.udpPort);
  const back = (await customer.next()).bytes.toString('latin1');
  t.true(back.startsWith('SIP/2.0 100 Trying'));
  t.true(back.includes('v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcmp1;rport\r\n'));
  t.false(back.includes('received='));
  t.false(back.includes('127.0.0.1'));
});

test('UDP: a retransmission gets the same branch; a different request another', async (t) => {
  const { carrier, customer, running } = await udpScene(t);
  const branchOf = (text: string) => /branch=(z9hG4bKtg[^;\r\n]+)/.exec(text)?.[1];
  const invite = fixture('invite-compact.sip');
  customer.send(invite, running.udpPort);
  const first = branchOf((await carrier.next()).bytes.toString('latin1'));
  customer.send(invite, running.udpPort);
  const again = branchOf((await carrier.next()).bytes.toString('latin1'));
  customer.send(invite.replace('z9hG4bKcmp1', 'z9hG4bKcmp2'), running.udpPort);
  const other = branchOf((await carrier.next()).bytes.toString('latin1'));
  t.truthy(first);
  t.is(again, first);
  t.not(other, first);
});

test('Max-Forwards 0 is answered 483 and not forwarded; the next request goes through', async (t) => {
  const { carrier, customer, running } = await udpScene(t);
  const invite = fixture('invite-compact.sip');
  customer.send(invite.replace('Max-Forwards: 70', 'Max-Forwards: 0'), running.udpPort);
  const answer = (await customer.next()).bytes.toString('latin1');
  t.true(answer.startsWith('SIP/2.0 483 Too Many Hops\r\n'), answer);
  t.true(answer.includes('v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcmp1;rport\r\n'));
  customer.send(invite, running.udpPort);
  const forwarded = (await carrier.next()).bytes.toString('latin1');
  t.true(forwarded.includes('Max-Forwards: 69'), 'the first datagram the carrier sees is the valid request');
});

test('a request that comes back carrying our Via with the same loop part is answered 482', async (t) => {
  const { carrier, customer, running } = await udpScene(t);
  customer.send(fixture('invite-compact.sip'), running.udpPort);
  const forwarded = (await carrier.next()).bytes.toString('latin1');
  // A misrouting next hop sends it straight back, with a Via of its own on top.
  const looped = forwarded.replace(
    /^(INVITE [^\r\n]+\r\n)/,
    '$1Via: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKloop\r\n',
  );
  customer.send(looped, running.udpPort);
  const answer = (await customer.next()).bytes.toString('latin1');
  t.true(answer.startsWith('SIP/2.0 482 Loop Detected\r\n'), answer);
});

test('garbage is logged as malformed-message, an answerable bad request gets 400, and the next call goes through', async (t) => {
  const { carrier, customer, running } = await udpScene(t);
  customer.send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0d]), running.udpPort);
  const invite = fixture('invite-compact.sip');
  customer.send(invite.replace(/^INVITE [^\r\n]+/, 'INVITE this is not a request line'), running.udpPort);
  const answer = (await customer.next()).bytes.toString('latin1');
  t.regex(answer, /^SIP\/2\.0 400 Bad Request/);
  t.true(answer.includes('i: compact-1@192.0.2.10\r\n'));
  customer.send(invite, running.udpPort);
  t.true(
    (await carrier.next()).bytes.toString('latin1').startsWith('INVITE sip:+15551230000@trunk.example.com'),
  );
  const malformed = running.lines.filter(
    (line) => actionOf(line) === 'finding' && codeOf(line) === 'malformed-message',
  );
  t.is(malformed.length, 2);
  t.is(customer.pending, 0, 'the garbage got no answer');
});

test('TCP in, TCP out: byte-exact request, response on the same connection', async (t) => {
  const carrier = await tcpPeer();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'tcp'), {}, ADVERTISE);
  const client = connect(running.tcpPort, '127.0.0.1');
  t.teardown(async () => {
    client.destroy();
    carrier.server.close();
    await running.stop();
  });
  const customer = new StreamCollector(client);
  const original = fixture('invite-compact.sip').replace(
    'SIP/2.0/UDP 192.0.2.10:5060',
    'SIP/2.0/TCP 192.0.2.10:5060',
  );
  // Sent in three pieces: framing must not depend on how the stream is cut.
  const bytes = Buffer.from(original, 'latin1');
  client.write(bytes.subarray(0, 30));
  client.write(bytes.subarray(30, 200));
  client.write(bytes.subarray(200));
  const far = await carrier.accepted();
  const forwarded = (await far.message()).toString('latin1');
  const via = /^Via: SIP\/2\.0\/TCP 198\.51\.100\.9:5060;branch=z9hG4bKtg[A-Za-z0-9_-]+;alias\r\n/m.exec(
    forwarded,
  );
  t.truthy(via, forwarded);
  const undone = forwarded
    .replace(via?.[0] ?? '', '')
    .replace('Record-Route: <sip:198.51.100.9:5060;transport=tcp;lr>\r\n', '')
    .replace('Max-Forwards: 69', 'Max-Forwards: 70');
  t.is(undone, original);
  const response = responseTo(forwarded, '180 Ringing');
  far.socket.write(Buffer.from(response, 'latin1'));
  t.is((await customer.message()).toString('latin1'), response.replace(via?.[0] ?? '', ''));
});

test('enforce mode answers an offer with a finding at the threshold with 488 and a Warning naming the code', async (t) => {
  const { carrier, customer, running } = await udpScene(t, { enforce: 'medium' });
  // A private media address from the customer side: private-media-address (medium).
  const invite = fixture('invite-compact.sip').replace(/192\.0\.2\.10\r\nt=/, '10.1.22.33\r\nt=');
  t.true(invite.includes('c=IN IP4 10.1.22.33'));
  customer.send(invite, running.udpPort);
  const answer = (await customer.next()).bytes.toString('latin1');
  t.regex(answer, /^SIP\/2\.0 488 Not Acceptable Here\r\n/);
  t.regex(
    answer,
    /\r\nWarning: 399 trunkguard "offer refused by policy: [^"]*private-media-address[^"]*"\r\n/,
  );
  t.is(carrier.pending, 0);
  t.true(running.lines.some((line) => actionOf(line) === 'offer-refused'));
});

test('TCP in, UDP out: a request over 1300 bytes is forwarded over UDP and flagged udp-message-too-large for that leg', async (t) => {
  const carrier = await new UdpPeer().start();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'udp'));
  const client = connect(running.tcpPort, '127.0.0.1');
  t.teardown(async () => {
    client.destroy();
    carrier.close();
    await running.stop();
  });
  // 1,200 bytes of Subject make the INVITE larger than RFC 3261 §18.1.1's 1300 bytes.
  const big = fixture('invite-compact.sip')
    .replace('SIP/2.0/UDP 192.0.2.10:5060', 'SIP/2.0/TCP 192.0.2.10:5060')
    .replace('CSeq: 1 INVITE\r\n', `CSeq: 1 INVITE\r\nSubject: ${'x'.repeat(1200)}\r\n`);
  client.write(Buffer.from(big, 'latin1'));
  const forwarded = await carrier.next();
  t.true(forwarded.bytes.length > 1300);
  const flagged = running.lines.filter(
    (line) => actionOf(line) === 'finding' && codeOf(line) === 'udp-message-too-large',
  );
  t.is(flagged.length, 1, 'once, for the UDP leg, not for the TCP one it arrived on');
  t.is(flagged[0]?.network?.transport, 'udp');
  t.deepEqual(flagged[0]?.destination, { address: '127.0.0.1', ip: '127.0.0.1', port: carrier.port });
});

test('the dialog table cap: calls beyond it are summarized as evicted and the evictions logged once per sweep', async (t) => {
  const { carrier, customer, running } = await udpScene(t, {
    dialogs: { maxCalls: 2, ttlSeconds: 3600 },
  });
  const invite = fixture('invite-compact.sip');
  for (let call = 0; call < 5; call++) {
    customer.send(invite.replace('i: compact-1@', `i: compact-${call}@`), running.udpPort);
    await carrier.next();
  }
  const evicted = running.lines.filter(
    (line) => actionOf(line) === 'call-summary' && line.trunkguard?.ended === 'evicted',
  );
  t.deepEqual(
    evicted.map((line) => line.sip?.call_id),
    ['compact-0@192.0.2.10', 'compact-1@192.0.2.10', 'compact-2@192.0.2.10'],
  );
  // A bound, not a sleep: the sweep runs every 50 ms, but a loaded machine (the full suite) can be
  // slow, and a sweep may fall between two INVITEs: the evictions can be told over several lines.
  const tableLines = () => running.lines.filter((line) => actionOf(line) === 'dialog-table');
  const told = () => tableLines().reduce((sum, line) => sum + Number(line.trunkguard?.evicted ?? 0), 0);
  const deadline = Date.now() + 10_000;
  while (told() < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const table = tableLines();
  t.is(told(), 3);
  // One line per sweep that evicted something, never one per call: at most one line per INVITE past the cap.
  t.true(table.length >= 1 && table.length <= 3);
  for (const line of table) t.true(Number(line.trunkguard?.evicted) > 0);
  t.is(table.at(-1)?.trunkguard?.evicted_total, 3);
  t.is(table.at(-1)?.trunkguard?.size, 2);
});
