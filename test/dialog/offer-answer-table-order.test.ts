import test from 'ava';
import fc from 'fast-check';
import { type ExchangeStep, OfferAnswerTable } from '../../src/dialog/offer-answer-table.js';

/**
 * The table keeps one Map iterator from message to message to find its oldest call (a fresh one per
 * message walked every deleted slot). These properties hold it to the plain algorithm it replaced:
 * a Map whose first entry, found by a fresh iterator each time, is the oldest call; CLOCK's second
 * chance for touched calls at the front (evictions and expiry alike); a final response to BYE
 * deleting the call wherever it stands.
 */
class ReferenceTable {
  readonly calls = new Map<string, { lastSeen: number; touched: boolean }>();
  evictions = 0;
  expirations = 0;
  epoch: number | null = null;

  constructor(
    readonly maxCalls: number,
    readonly ttlMs: number,
  ) {}

  place(step: ExchangeStep): void {
    if (this.epoch === null) this.epoch = step.at;
    const at = step.at - this.epoch;
    let steps = 0;
    for (const [callId, call] of this.calls) {
      if (steps++ === 4) break;
      if (at - call.lastSeen > this.ttlMs) {
        this.calls.delete(callId);
        this.expirations++;
      } else if (call.touched) {
        call.touched = false;
        this.calls.delete(callId);
        this.calls.set(callId, call);
      } else break;
    }
    const opens = step.kind === 'request' && ['INVITE', 'UPDATE', 'PRACK'].includes(step.method);
    let call = this.calls.get(step.callId);
    if (call) call.touched = true;
    else if (!opens) return;
    else {
      while (this.calls.size >= this.maxCalls) this.evictOne();
      call = { lastSeen: at, touched: false };
      this.calls.set(step.callId, call);
    }
    call.lastSeen = Math.max(call.lastSeen, at);
    if (step.method === 'BYE' && step.kind === 'response' && step.status !== null && step.status >= 200) {
      this.calls.delete(step.callId);
    }
  }

  evictOne(): void {
    for (const [callId, call] of this.calls) {
      this.calls.delete(callId);
      if (call.touched) {
        call.touched = false;
        this.calls.set(callId, call);
        continue;
      }
      this.evictions++;
      return;
    }
  }
}

const CALL_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

/** One message: which call, what it is, and how long after the previous one it came. */
const stepArbitrary = fc.record({
  call: fc.integer({ min: 0, max: CALL_IDS.length - 1 }),
  what: fc.constantFrom('INVITE', 'ACK', 'BYE', '200 BYE', '200 INVITE'),
  gap: fc.constantFrom(0, 1, 5, 40, 200),
});

function exchangeStep(call: number, what: string, at: number): ExchangeStep {
  const response = what.startsWith('200 ');
  const method = response ? what.slice(4) : what;
  return {
    callId: CALL_IDS[call]!,
    kind: response ? 'response' : 'request',
    method,
    cseq: method === 'BYE' ? 2 : 1,
    status: response ? 200 : null,
    rackCseq: null,
    side: 'customer',
    at,
  };
}

test('evictions, expiry and BYE keep the calls the fresh-iterator algorithm keeps', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom(30, 100, 1_000_000),
      fc.array(stepArbitrary, { maxLength: 300 }),
      (maxCalls, ttlMs, steps) => {
        const table = new OfferAnswerTable({ maxCalls, ttlMs });
        const reference = new ReferenceTable(maxCalls, ttlMs);
        let at = 1_000;
        for (const { call, what, gap } of steps) {
          at += gap;
          const step = exchangeStep(call, what, at);
          table.place(step, null);
          reference.place(step);
          const kept = CALL_IDS.filter((callId) => table.ownedCallId(callId) !== null);
          if (kept.join() !== CALL_IDS.filter((callId) => reference.calls.has(callId)).join()) return false;
          if (table.size !== reference.calls.size) return false;
          if (table.evictions !== reference.evictions) return false;
          if (table.expirations !== reference.expirations) return false;
        }
        return true;
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('a table emptied by BYEs and refilled still evicts its oldest call first', (t) => {
  const table = new OfferAnswerTable({ maxCalls: 2 });
  let at = 0;
  const place = (call: number, what: string) => {
    at += 1;
    table.place(exchangeStep(call, what, at), null);
  };
  place(0, 'INVITE');
  place(0, '200 BYE'); // empty again
  place(1, 'INVITE');
  place(2, 'INVITE');
  place(3, 'INVITE'); // full: b, the oldest, goes
  t.is(table.evictions, 1);
  t.deepEqual(
    CALL_IDS.filter((callId) => table.ownedCallId(callId) !== null),
    ['c', 'd'],
  );
});
