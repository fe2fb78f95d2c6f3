/**
 * CallLedger, `check`'s streaming per-call summaries: a call is handed out once it is over, by
 * capture time (the messages' own, one second apart in these fixtures), so memory holds only the
 * calls still open. Ends: the BYE answered, the INVITE failed, a lone OPTIONS answered (each after
 * the linger for late messages), idle, and the cap; the rest at the end of input, in the order
 * they started.
 */
import test from 'ava';
import {
  CallLedger,
  type CallLedgerOptions,
  type ClosedCall,
  EndpointTexts,
  ResponseLabels,
} from '../../src/report/call-ledger.js';
import { formatEndpoint } from '../../src/sip/envelope.js';
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

const OPTIONS: CallLedgerOptions = {
  maxOpen: 1000,
  idleMs: 3_600_000,
  lingerMs: 3000,
  maxLadder: 100,
  keepFindings: true,
  failOn: 'high',
};

function harness(options: Partial<CallLedgerOptions> = {}) {
  const { send } = judging();
  const closed: ClosedCall[] = [];
  const ledger = new CallLedger({ ...OPTIONS, ...options }, (call) => closed.push(call));
  const ids = () => closed.map((call) => call.summary.callId);
  return {
    ledger,
    closed,
    ids,
    customer: (bytes: Buffer) => ledger.record(send('customer', bytes)),
    carrier: (bytes: Buffer) => ledger.record(send('carrier', bytes)),
  };
}

const bye = (callId: string) => wire(`BYE ${IN_DIALOG_URI} SIP/2.0`, '2 BYE', { callId, to: TO_TAGGED });
const ack = (callId: string) => wire(`ACK ${IN_DIALOG_URI} SIP/2.0`, '1 ACK', { callId, to: TO_TAGGED });
const options = (callId: string) =>
  wire(`OPTIONS ${IN_DIALOG_URI} SIP/2.0`, '1 OPTIONS', { callId, to: '<sip:ping@x>' });

test('a call answered by BYE is handed out after the linger, with its late messages, before the input ends', (t) => {
  const h = harness();
  h.customer(invite('a', offer(KEY_PBX)));
  h.carrier(response('200 OK', '1 INVITE', 'a', answer(KEY_TWILIO)));
  h.customer(ack('a'));
  h.customer(bye('a'));
  h.carrier(response('200 OK', '2 BYE', 'a'));
  t.deepEqual(h.ids(), [], 'the BYE answered: lingering for late messages');
  // A retransmitted 200 to the BYE a second later still belongs to the call.
  h.carrier(response('200 OK', '2 BYE', 'a'));
  h.customer(invite('b', offer(KEY_PBX, 3)));
  h.customer(invite('c', offer(KEY_PBX, 4)));
  h.customer(invite('d', offer(KEY_PBX, 5)));
  t.deepEqual(h.ids(), ['a'], 'three seconds after it ended, a is written out');
  const a = h.closed[0]!;
  t.is(a.summary.messages, 6);
  t.is(a.summary.verdict, 'ok');
  t.deepEqual(
    a.summary.ladder.map((step) => step.label),
    ['INVITE', '200 INVITE', 'ACK', 'BYE', '200 BYE', '200 BYE'],
  );
  t.is(h.ledger.closedCount, 1);
  h.ledger.closeAll();
  t.deepEqual(h.ids(), ['a', 'b', 'c', 'd']);
});

test('a failed INVITE (with its ACK) and a lone OPTIONS end their calls; a failed re-INVITE does not', (t) => {
  const h = harness({ lingerMs: 2000 });
  h.customer(invite('failed', offer(KEY_PBX)));
  h.carrier(response('486 Busy Here', '1 INVITE', 'failed'));
  h.customer(ack('failed'));
  h.customer(options('ping'));
  h.carrier(response('200 OK', '1 OPTIONS', 'ping'));
  h.customer(invite('long', offer(KEY_PBX, 2)));
  h.carrier(response('200 OK', '1 INVITE', 'long', answer(KEY_TWILIO)));
  h.customer(wire(`INVITE ${IN_DIALOG_URI} SIP/2.0`, '2 INVITE', { callId: 'long', to: TO_TAGGED }));
  h.carrier(response('491 Request Pending', '2 INVITE', 'long'));
  h.customer(invite('later', offer(KEY_PBX, 3)));
  h.customer(invite('later2', offer(KEY_PBX, 4)));
  t.deepEqual(h.ids(), ['failed', 'ping']);
  t.is(h.closed[0]!.summary.messages, 3, 'the ACK of the 486 came within the linger');
  h.ledger.closeAll();
  t.deepEqual(h.ids(), ['failed', 'ping', 'long', 'later', 'later2']);
});

test('an INVITE challenged with 407 and retried (RFC 3261 §22.2) stays one call up to its BYE', (t) => {
  const h = harness({ lingerMs: 2000 });
  h.customer(invite('auth', offer(KEY_PBX)));
  h.carrier(response('407 Proxy Authentication Required', '1 INVITE', 'auth'));
  h.customer(ack('auth'));
  h.customer(
    wire(`INVITE ${IN_DIALOG_URI} SIP/2.0`, '2 INVITE', { callId: 'auth', body: offer(KEY_PBX, 2) }),
  );
  h.carrier(response('200 OK', '2 INVITE', 'auth', answer(KEY_TWILIO)));
  for (let i = 0; i < 4; i++) h.customer(options(`ping-${i}`));
  t.deepEqual(h.ids(), [], 'four seconds on, past the 2 s linger of the 407: the retried call goes on');
  h.customer(bye('auth'));
  h.carrier(response('200 OK', '2 BYE', 'auth'));
  h.ledger.closeAll();
  const auth = h.closed.find((call) => call.summary.callId === 'auth');
  t.is(h.closed.filter((call) => call.summary.callId === 'auth').length, 1);
  t.deepEqual(
    auth?.summary.ladder.map((step) => step.label),
    ['INVITE', '407 INVITE', 'ACK', 'INVITE', '200 INVITE', 'BYE', '200 BYE'],
  );
});

test('findings are kept for the text report only, and only for listed messages', (t) => {
  const json = harness({ keepFindings: false });
  json.customer(invite('plain', offer(KEY_PBX).replace('RTP/SAVP', 'RTP/AVP')));
  json.ledger.closeAll();
  t.true((json.closed[0]?.summary.findings ?? 0) > 0);
  t.deepEqual(json.closed[0]?.findings, []);
  const capped = harness({ maxLadder: 1 });
  for (let i = 0; i < 3; i++) capped.customer(invite('storm', offer(KEY_PBX).replace('RTP/SAVP', 'RTP/AVP')));
  capped.ledger.closeAll();
  const storm = capped.closed[0]!;
  t.true(storm.findings.length > 0);
  t.true(storm.findings.every((finding) => finding.messageIndex === storm.summary.ladder[0]?.messageIndex));
  t.true(storm.summary.findings > storm.findings.length, 'the rest are counted');
});

test('idle calls and calls past maxOpen are handed out early: memory holds maxOpen calls at most', (t) => {
  const idle = harness({ idleMs: 5000 });
  idle.customer(invite('quiet', offer(KEY_PBX)));
  for (let i = 0; i < 6; i++) idle.customer(options(`o${i}`));
  t.deepEqual(idle.ids().slice(0, 1), ['quiet'], 'no message for 5 s of capture time');

  const capped = harness({ maxOpen: 3 });
  for (let i = 0; i < 10; i++) capped.customer(invite(`c${i}`, offer(KEY_PBX, i + 1)));
  t.deepEqual(capped.ids(), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  capped.ledger.closeAll();
  t.is(capped.closed.length, 10);
});

test('an idle call is handed out when capture time reaches its last message plus idleMs, not a millisecond before', (t) => {
  // The fixture's messages are one second apart: quiet's last message is at 0 s.
  const h = harness({ idleMs: 3000 });
  h.customer(invite('quiet', offer(KEY_PBX)));
  h.customer(options('o1'));
  h.customer(options('o2'));
  t.deepEqual(h.ids(), [], 'at 2 s: idle for 2 s only');
  h.customer(options('o3'));
  t.deepEqual(h.ids(), ['quiet'], 'at 3 s: idle for idleMs');
});

test('an ended call lingers exactly lingerMs of capture time; a late message does not move it', (t) => {
  const h = harness({ lingerMs: 2000 });
  h.customer(options('ping'));
  h.carrier(response('200 OK', '1 OPTIONS', 'ping'));
  h.carrier(response('200 OK', '1 OPTIONS', 'ping'));
  t.deepEqual(h.ids(), [], 'ended at 1 s; the retransmitted 200 at 2 s is still taken');
  h.customer(invite('next', offer(KEY_PBX)));
  t.deepEqual(h.ids(), ['ping'], 'at 3 s, lingerMs after it ended');
  t.is(h.closed[0]?.summary.messages, 3);
});

test('past maxOpen the least recently active call goes first, ending calls before open ones', (t) => {
  const h = harness({ maxOpen: 3, lingerMs: 60_000 });
  h.customer(invite('c0', offer(KEY_PBX, 1)));
  h.customer(invite('c1', offer(KEY_PBX, 2)));
  h.customer(invite('c2', offer(KEY_PBX, 3)));
  h.customer(invite('c0', offer(KEY_PBX, 1)));
  h.customer(invite('c3', offer(KEY_PBX, 4)));
  t.deepEqual(h.ids(), ['c1'], 'c0 was active again after c1: c1 is the least recently active');
  h.customer(options('ping'));
  h.carrier(response('200 OK', '1 OPTIONS', 'ping'));
  t.deepEqual(h.ids(), ['c1', 'c2'], 'c2 made room for ping');
  h.customer(invite('c4', offer(KEY_PBX, 5)));
  t.deepEqual(h.ids(), ['c1', 'c2', 'ping'], 'ping, ended and lingering, goes before the open c0');
  h.ledger.closeAll();
  t.deepEqual(h.ids(), ['c1', 'c2', 'ping', 'c0', 'c3', 'c4'], 'the rest in the order they started');
});

test('messages sharing one time text, and a time that does not parse, keep the capture clock right', (t) => {
  const { send } = judging();
  const closed: ClosedCall[] = [];
  const ledger = new CallLedger({ ...OPTIONS, lingerMs: 1000 }, (call) => closed.push(call));
  const at = (time: string, judged: ReturnType<typeof send>) =>
    ledger.record({ ...judged, envelope: { ...judged.envelope, time } });
  const T = '2026-11-28T10:00:00.000Z';
  at(T, send('customer', invite('a', offer(KEY_PBX))));
  at(T, send('customer', options('ping')));
  at(T, send('carrier', response('200 OK', '1 OPTIONS', 'ping')));
  // Unreadable: the call's own last time stands in (10:00:00.000), the clock does not jump.
  at('not a time', send('carrier', response('200 OK', '1 OPTIONS', 'ping')));
  at('2026-11-28T10:00:00.999Z', send('customer', invite('a', offer(KEY_PBX))));
  t.deepEqual(closed, [], 'ended at 10:00:00.000: 999 ms is within the linger');
  at('2026-11-28T10:00:01.000Z', send('customer', invite('a', offer(KEY_PBX))));
  t.deepEqual(
    closed.map((call) => [call.summary.callId, call.summary.messages]),
    [['ping', 3]],
  );
});

test('one Call-ID cannot fill memory: messages past maxLadder are counted, not listed', (t) => {
  const h = harness({ maxLadder: 4 });
  h.customer(invite('storm', offer(KEY_PBX)));
  for (let i = 0; i < 9; i++) h.customer(invite('storm', offer(KEY_PBX)));
  h.ledger.closeAll();
  const storm = h.closed[0]!.summary;
  t.is(storm.ladder.length, 4);
  t.is(storm.messages, 10);
  t.is(storm.unlistedMessages, 6);
});

test('a call carries its findings for the report, and the verdict against failOn', (t) => {
  const h = harness();
  h.customer(invite('plain', offer(KEY_PBX).replace('RTP/SAVP', 'RTP/AVP')));
  h.ledger.closeAll();
  const plain = h.closed[0]!;
  t.true(plain.findings.length > 0);
  t.is(plain.summary.findings, plain.findings.length);
  t.true(plain.findings.every((finding) => finding.callId === 'plain'));
  t.not(plain.summary.verdict, 'ok');
});

test('a call over its ladder cap lists unlistedMessages as the last key of its JSON, as before', (t) => {
  const h = harness({ maxLadder: 1 });
  h.customer(invite('storm', offer(KEY_PBX)));
  h.customer(invite('storm', offer(KEY_PBX)));
  h.customer(invite('calm', offer(KEY_PBX)));
  h.ledger.closeAll();
  const [storm, calm] = h.closed.map((call) => call.summary);
  t.is(Object.keys(storm!).at(-1), 'unlistedMessages');
  t.false('unlistedMessages' in calm!, 'a call within the cap has no such key');
  t.deepEqual(Object.keys(calm!), [
    'callId',
    'firstSeen',
    'lastSeen',
    'messages',
    'findings',
    'worstSeverity',
    'verdict',
    'media',
    'ladder',
  ]);
});

test('media lists the carrier side first, then the customer side, each its latest SDP', (t) => {
  const h = harness();
  h.customer(invite('both', offer(KEY_PBX)));
  h.carrier(response('200 OK', '1 INVITE', 'both', answer(KEY_TWILIO)));
  h.customer(invite('one', offer(KEY_PBX)));
  h.ledger.closeAll();
  const [both, one] = h.closed.map((call) => call.summary);
  t.deepEqual(
    both!.media.map((media) => [media.side, media.role]),
    [
      ['carrier', 'answer'],
      ['customer', 'offer'],
    ],
  );
  t.deepEqual(
    one!.media.map((media) => [media.side, media.role]),
    [['customer', 'offer']],
  );
});

test("EndpointTexts gives formatEndpoint's text for every endpoint, also past its memo bound", (t) => {
  const texts = new EndpointTexts();
  const hosts = ['192.0.2.1', '2001:db8::1', 'pbx.example', '', '10.0.0.1'];
  // 5 hosts x 300 ports, twice: more than the memo holds, so it starts over on the way.
  for (let round = 0; round < 2; round++) {
    for (let port = 0; port < 300; port++) {
      for (const host of hosts) {
        const endpoint = { host, port: port * 7 };
        t.is(texts.format(endpoint), formatEndpoint(endpoint));
      }
    }
  }
  t.is(texts.format({ host: '2001:db8::1', port: 5060 }), '[2001:db8::1]:5060');
});

test('ResponseLabels gives "STATUS METHOD" trimmed, as the ladder always wrote it, also past its memo bound', (t) => {
  const labels = new ResponseLabels();
  const methods = ['INVITE', 'BYE', '', 'OPTIONS ', 'X-ODD'];
  for (let round = 0; round < 2; round++) {
    for (let status = 100; status < 400; status++) {
      for (const method of methods) t.is(labels.of(status, method), `${status} ${method}`.trim());
    }
  }
  t.is(labels.of(200, 'INVITE'), '200 INVITE');
  t.is(labels.of(200, ''), '200');
  t.is(labels.of(null, 'BYE'), 'null BYE');
});
