import test from 'ava';
import { type ExchangeStep, OfferAnswerTable, type Placement } from '../../src/dialog/offer-answer-table.js';
import type { Side } from '../../src/policy/finding.js';
import type { SessionDescription } from '../../src/sdp/types.js';

/**
 * SDP stand-ins told apart by their one stream's media type: the table keeps a summary of an
 * offer (offer-summary.ts), so a placement names its offer by that summary.
 */
function description(name: string): SessionDescription {
  const media = [{ index: 0, type: name, port: 20000, crypto: [] }];
  return {
    origin: null,
    connection: null,
    connections: [],
    media,
    problems: [],
  } as unknown as SessionDescription;
}

/** Which stand-in an answer was paired with. */
function offerOf(placement: Placement): string | undefined {
  return placement.offer?.streams[0]?.type;
}

let clock = 0;
/** A later time for every step, as messages arrive. */
function tick(): number {
  clock += 10;
  return clock;
}
function request(method: string, cseq: number, side: Side, extra: Partial<ExchangeStep> = {}): ExchangeStep {
  return {
    callId: 'call-1',
    kind: 'request',
    method,
    cseq,
    status: null,
    rackCseq: null,
    side,
    at: tick(),
    ...extra,
  };
}
function response(
  status: number,
  method: string,
  cseq: number,
  side: Side,
  extra: Partial<ExchangeStep> = {},
): ExchangeStep {
  return {
    callId: 'call-1',
    kind: 'response',
    method,
    cseq,
    status,
    rackCseq: null,
    side,
    at: tick(),
    ...extra,
  };
}

test('INVITE with SDP is the offer; 183 and 200 with SDP answer it (RFC 3261 §13.2.1)', (t) => {
  const table = new OfferAnswerTable();
  const offer = description('offer');
  t.deepEqual(table.place(request('INVITE', 1, 'customer'), offer), {
    role: 'offer',
    offer: null,
    offerSide: null,
  });
  t.deepEqual(table.place(response(100, 'INVITE', 1, 'carrier'), null).role, 'unknown');
  const early = table.place(response(183, 'INVITE', 1, 'carrier'), description('answer'));
  t.is(early.role, 'answer');
  t.is(offerOf(early), 'offer');
  t.is(early.offerSide, 'customer');
  const final = table.place(response(200, 'INVITE', 1, 'carrier'), description('answer'));
  t.is(final.role, 'answer');
  t.is(offerOf(final), 'offer');
});

test('late offer: INVITE without SDP, the 200 carries the offer and the ACK the answer', (t) => {
  const table = new OfferAnswerTable();
  t.is(table.place(request('INVITE', 7, 'customer'), null).role, 'unknown');
  const offer = description('offer-in-200');
  t.is(table.place(response(200, 'INVITE', 7, 'carrier'), offer).role, 'offer');
  const ack = table.place(request('ACK', 7, 'customer'), description('answer-in-ack'));
  t.is(ack.role, 'answer');
  t.is(offerOf(ack), 'offer-in-200');
  t.is(ack.offerSide, 'carrier');
});

test('ACK with SDP after a normal offer in the INVITE is not an answer', (t) => {
  const table = new OfferAnswerTable();
  table.place(request('INVITE', 1, 'customer'), description('offer'));
  table.place(response(200, 'INVITE', 1, 'carrier'), description('answer'));
  t.is(table.place(request('ACK', 1, 'customer'), description('stray')).role, 'unknown');
});

test('reliable 183 with the offer is answered in PRACK (RFC 3262 §5)', (t) => {
  const table = new OfferAnswerTable();
  table.place(request('INVITE', 1, 'customer'), null);
  const offer = description('offer-in-183');
  t.is(table.place(response(183, 'INVITE', 1, 'carrier'), offer).role, 'offer');
  const prack = table.place(request('PRACK', 2, 'customer', { rackCseq: 1 }), description('answer-in-prack'));
  t.is(prack.role, 'answer');
  t.is(offerOf(prack), 'offer-in-183');
});

test('PRACK with SDP after a normal offer is a new offer, answered in the 200 to PRACK', (t) => {
  const table = new OfferAnswerTable();
  table.place(request('INVITE', 1, 'customer'), description('offer-1'));
  table.place(response(183, 'INVITE', 1, 'carrier'), description('answer-1'));
  const second = description('offer-2');
  t.is(table.place(request('PRACK', 2, 'customer', { rackCseq: 1 }), second).role, 'offer');
  const answer = table.place(response(200, 'PRACK', 2, 'carrier'), description('answer-2'));
  t.is(answer.role, 'answer');
  t.is(offerOf(answer), 'offer-2');
});

test('UPDATE and re-INVITE offers are answered in their own 2xx, by CSeq', (t) => {
  const table = new OfferAnswerTable();
  table.place(request('INVITE', 1, 'customer'), description('offer-1'));
  table.place(response(200, 'INVITE', 1, 'carrier'), description('answer-1'));
  const update = description('update-offer');
  t.is(table.place(request('UPDATE', 2, 'carrier'), update).role, 'offer');
  const reinvite = description('reinvite-offer');
  t.is(table.place(request('INVITE', 3, 'customer'), reinvite).role, 'offer');
  t.is(offerOf(table.place(response(200, 'UPDATE', 2, 'customer'), description('a'))), 'update-offer');
  const reinviteAnswer = table.place(response(200, 'INVITE', 3, 'carrier'), description('b'));
  t.is(offerOf(reinviteAnswer), 'reinvite-offer');
  t.is(reinviteAnswer.offerSide, 'customer');
});

test('SDP in a 200 to OPTIONS is a capability, not a session (RFC 3261 §11.2)', (t) => {
  const table = new OfferAnswerTable();
  table.place(request('OPTIONS', 1, 'customer'), null);
  t.is(table.place(response(200, 'OPTIONS', 1, 'carrier'), description('caps')).role, 'capability');
});

test('a response to a transaction never seen, or an error response, is not placed', (t) => {
  const table = new OfferAnswerTable();
  t.is(table.place(response(200, 'INVITE', 9, 'carrier'), description('orphan')).role, 'unknown');
  table.place(request('INVITE', 1, 'customer'), description('offer'));
  t.is(table.place(response(488, 'INVITE', 1, 'carrier'), description('488-sdp')).role, 'unknown');
});

test('the table is bounded: the least recently seen call is evicted and counted', (t) => {
  const table = new OfferAnswerTable({ maxCalls: 3 });
  for (const callId of ['a', 'b', 'c'])
    table.place({ ...request('INVITE', 1, 'customer'), callId }, description(callId));
  table.place({ ...request('INVITE', 2, 'customer'), callId: 'a' }, null); // touch a: b is now oldest
  table.place({ ...request('INVITE', 1, 'customer'), callId: 'd' }, description('d'));
  t.is(table.size, 3);
  t.is(table.evictions, 1);
  // b was evicted: its answer finds no offer.
  t.is(
    table.place({ ...response(200, 'INVITE', 1, 'carrier'), callId: 'b' }, description('x')).role,
    'unknown',
  );
  t.is(
    table.place({ ...response(200, 'INVITE', 1, 'carrier'), callId: 'c' }, description('y')).role,
    'answer',
  );
});

test('calls quiet for longer than the TTL expire; a final response to BYE ends the call', (t) => {
  const table = new OfferAnswerTable({ ttlMs: 1000 });
  table.place({ ...request('INVITE', 1, 'customer'), callId: 'old', at: 0 }, description('old'));
  table.place({ ...request('INVITE', 1, 'customer'), callId: 'new', at: 5000 }, description('new'));
  t.is(table.expirations, 1);
  t.is(table.size, 1);
  table.place({ ...request('BYE', 2, 'customer'), callId: 'new', at: 5001 }, null);
  table.place({ ...response(200, 'BYE', 2, 'carrier'), callId: 'new', at: 5002 }, null);
  t.is(table.size, 0);
});
