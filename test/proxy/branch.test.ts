/**
 * Our Via branch (RFC 3261 §16.11 stateless proxy, §16.3 item 4 loop detection): the same for a
 * retransmission, an INVITE's CANCEL and the ACK for its non-2xx; a different transaction part
 * for another top Via; a different loop part for a spiral (another Request-URI).
 */
import test from 'ava';
import { loopPartOfBranch, OUR_BRANCH_PREFIX, ourBranch, tagOf } from '../../src/proxy/branch.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { SipMessage } from '../../src/sip/message.js';

const INVITE_URI = 'sip:+14155550199@trunk.example.com';
const TOP_VIA = 'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK776asdhds;rport';
const LOWER_VIA = 'Via: SIP/2.0/TCP 192.0.2.7:5060;branch=z9hG4bK-lower';
const FROM = 'From: "Alice" <sip:+14155550100@pbx.example.com>;tag=1928301774';
const TO = 'To: <sip:+14155550199@trunk.example.com>';
const CALL_ID = 'Call-ID: a84b4c76e66710@pbx.example.com';

interface RequestParts {
  readonly startLine?: string;
  readonly vias?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  readonly callId?: string;
  readonly cseq?: string;
  readonly extra?: readonly string[];
}

function request(parts: RequestParts = {}): SipMessage {
  const lines = [
    parts.startLine ?? `INVITE ${INVITE_URI} SIP/2.0`,
    ...(parts.vias ?? [TOP_VIA, LOWER_VIA]),
    'Max-Forwards: 70',
    parts.from ?? FROM,
    parts.to ?? TO,
    parts.callId ?? CALL_ID,
    parts.cseq ?? 'CSeq: 314159 INVITE',
    ...(parts.extra ?? ['Contact: <sip:+14155550100@203.0.113.10:5060>']),
    'Content-Length: 0',
  ];
  const result = readDatagram(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
  if (!result.ok) throw new Error(`test request unreadable: ${result.reason}`);
  return result.message;
}

const invite = request();

test('the branch starts with the RFC 3261 magic cookie and our marker, then the loop part', (t) => {
  const { branch, loopPart } = ourBranch(invite);
  t.is(OUR_BRANCH_PREFIX, 'z9hG4bKtg');
  t.true(branch.startsWith('z9hG4bK'), 'RFC 3261 §8.1.1.7 magic cookie');
  t.true(branch.startsWith('z9hG4bKtg'));
  t.is(loopPart.length, 10);
  t.is(branch.length, 'z9hG4bKtg'.length + 10 + 16);
  t.is(branch.slice(9, 19), loopPart);
  t.is(loopPartOfBranch(branch), loopPart);
});

test('the branch is a token: no ; , = whitespace or quote, only base64url after the prefix', (t) => {
  const requests = [
    invite,
    request({
      startLine: 'OPTIONS sip:a;b=c,d@[2001:db8::1]:5060;transport=tcp SIP/2.0',
      cseq: 'CSeq: 7 OPTIONS',
    }),
    request({ from: 'From: <sip:x@y>;tag= a;b', callId: 'Call-ID: "weird;=,id"@host' }),
  ];
  for (const message of requests) {
    const { branch, loopPart } = ourBranch(message);
    t.regex(branch, /^z9hG4bKtg[A-Za-z0-9_-]{26}$/, branch);
    t.regex(loopPart, /^[A-Za-z0-9_-]{10}$/);
    t.false(/[;,=\s"]/.test(branch));
  }
});

test('a retransmission (the same bytes) gets the same branch', (t) => {
  const again = request();
  t.not(again, invite);
  t.deepEqual(ourBranch(again), ourBranch(invite));
  // Read from a fresh copy of the very same datagram bytes, too.
  const copy = readDatagram(Buffer.from(invite.bytes));
  if (!copy.ok) throw new Error(copy.reason);
  t.deepEqual(ourBranch(copy.message), ourBranch(invite));
});

test("an INVITE's CANCEL (same top Via, same CSeq number, method CANCEL) gets the INVITE's branch", (t) => {
  // RFC 3261 §9.1: "the Request-URI, Call-ID, To, the numeric part of CSeq, and From header
  // fields in the CANCEL request MUST be identical to those in the request being cancelled,
  // including tags. A CANCEL constructed by a client MUST have only a single Via header field
  // value matching the top Via value in the request being cancelled."
  const cancel = request({
    startLine: `CANCEL ${INVITE_URI} SIP/2.0`,
    vias: [TOP_VIA],
    cseq: 'CSeq: 314159 CANCEL',
    extra: [],
  });
  t.deepEqual(ourBranch(cancel), ourBranch(invite));
});

test('the ACK for a non-2xx (same top Via, To with the tag, CSeq n ACK) gets the INVITE branch', (t) => {
  // RFC 3261 §17.1.1.3: Request-URI, Call-ID, From and the CSeq number of the original request;
  // the To of the response (now with a tag); a single Via equal to the original's top Via.
  const ack = request({
    startLine: `ACK ${INVITE_URI} SIP/2.0`,
    vias: [TOP_VIA],
    to: `${TO};tag=as3fa81c2e`,
    cseq: 'CSeq: 314159 ACK',
    extra: [],
  });
  t.deepEqual(ourBranch(ack), ourBranch(invite));
});

test('another top Via branch: another transaction, but the same loop part', (t) => {
  const other = request({ vias: [TOP_VIA.replace('z9hG4bK776asdhds', 'z9hG4bK776asdhdt'), LOWER_VIA] });
  const a = ourBranch(invite);
  const b = ourBranch(other);
  t.not(b.branch, a.branch);
  t.is(b.loopPart, a.loopPart);
  t.is(loopPartOfBranch(b.branch), a.loopPart);
  t.not(b.branch.slice(19), a.branch.slice(19), 'the transaction part differs');
});

test('only the top Via is in the transaction part: lower Vias do not change the branch', (t) => {
  const other = request({ vias: [TOP_VIA, 'Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-elsewhere'] });
  const only = request({ vias: [TOP_VIA] });
  t.deepEqual(ourBranch(other), ourBranch(invite));
  t.deepEqual(ourBranch(only), ourBranch(invite));
});

test('a spiral (another Request-URI) gets another loop part, so it is not taken for a loop', (t) => {
  const spiral = request({ startLine: 'INVITE sip:+14155550199@pbx-2.example.com SIP/2.0' });
  const a = ourBranch(invite);
  const b = ourBranch(spiral);
  t.not(b.loopPart, a.loopPart);
  t.not(b.branch, a.branch);
  t.is(loopPartOfBranch(b.branch), b.loopPart);
});

test('the loop part follows From tag, Call-ID and CSeq number too', (t) => {
  const base = ourBranch(invite).loopPart;
  t.not(ourBranch(request({ from: FROM.replace('1928301774', '1928301775') })).loopPart, base);
  t.not(ourBranch(request({ callId: 'Call-ID: another@pbx.example.com' })).loopPart, base);
  t.not(ourBranch(request({ cseq: 'CSeq: 314160 INVITE' })).loopPart, base);
  // The From display name and URI are not part of it, nor is the To tag (deviation for the ACK).
  t.is(ourBranch(request({ from: 'From: <sip:other@pbx.example.com>;tag=1928301774' })).loopPart, base);
  t.is(ourBranch(request({ to: `${TO};tag=x` })).loopPart, base);
});

test('loopPartOfBranch: a branch that is not ours, or none, gives null', (t) => {
  t.is(loopPartOfBranch(null), null);
  t.is(loopPartOfBranch(''), null);
  t.is(loopPartOfBranch('z9hG4bK776asdhds'), null);
  t.is(loopPartOfBranch('z9hG4bKt'), null);
  t.is(loopPartOfBranch('z9hg4bktgABCDEFGHIJKLMNOP'), null, 'the prefix is compared exactly');
  t.is(loopPartOfBranch('xz9hG4bKtgABCDEFGHIJKLMNOP'), null);
  t.is(loopPartOfBranch('z9hG4bKtgABCDEFGHIJKLMNOP'), 'ABCDEFGHIJ');
});

test('tagOf: the tag parameter after the URI, not one inside it', (t) => {
  t.is(tagOf('Bob <sip:bob@biloxi.com>;tag=a6c85cf'), 'a6c85cf');
  t.is(tagOf('<sip:bob@biloxi.com>;foo=1;TAG=x-y.z'), 'x-y.z');
  t.is(tagOf('<sip:bob@biloxi.com> ; tag = spaced ;x=1'), 'spaced');
  t.is(tagOf('sip:bob@biloxi.com;tag=addrspec'), 'addrspec');
  t.is(tagOf('<sip:bob@biloxi.com;tag=inside>'), '');
  t.is(tagOf('"x>y" <sip:bob@biloxi.com>;tag=q'), 'q');
  t.is(tagOf('<sip:bob@biloxi.com>;xtag=1'), '');
  t.is(tagOf('<sip:bob@biloxi.com>;tag='), '');
  t.is(tagOf('sip:bob@biloxi.com'), '');
  t.is(tagOf(''), '');
});
