/** isoTime: the text of a millisecond, kept for the next message of the same millisecond. */
import test from 'ava';
import { isoTime } from '../../src/sip/iso-time.js';

test('the text Date gives, for the same millisecond twice and for the next one', (t) => {
  const ms = Date.UTC(2026, 11, 6, 21, 0, 0, 123);
  t.is(isoTime(ms), '2026-12-06T21:00:00.123Z');
  t.is(isoTime(ms), '2026-12-06T21:00:00.123Z');
  t.is(isoTime(ms + 1), '2026-12-06T21:00:00.124Z');
});

test('a time no Date holds throws each time, and never takes the text of the time before it', (t) => {
  t.is(isoTime(0), '1970-01-01T00:00:00.000Z');
  const past = 8.64e15 + 1; // ECMA-262 §21.4.1.22: a Date holds 8.64e15 ms either side of the epoch
  t.throws(() => isoTime(past), { instanceOf: RangeError });
  t.throws(() => isoTime(past), { instanceOf: RangeError });
  t.is(isoTime(0), '1970-01-01T00:00:00.000Z');
});
