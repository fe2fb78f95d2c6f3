/**
 * KeyedQueue: values by key in an order changed at both ends, what the call ledger keeps its open
 * and ending calls in. Checked against the order a Map gives when a moved key is deleted and set
 * again, the behaviour the ledger had before.
 */
import test from 'ava';
import { KeyedQueue } from '../../src/report/keyed-queue.js';

test('appending, moving to the back and removing anywhere keep the order a Map (delete, then set) would', (t) => {
  const queue = new KeyedQueue<string | null, number>();
  const model = new Map<string | null, number>();
  const keys = ['a', 'b', 'c', null, 'd', 'e'];
  // A fixed pseudo-random walk of moves and removals, the same on every run.
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  for (let step = 0; step < 2000; step++) {
    const key = keys[next() % keys.length] ?? null;
    if (next() % 4 === 0) {
      t.is(queue.delete(key), model.delete(key));
    } else {
      queue.pushBack(key, step);
      model.delete(key);
      model.set(key, step);
    }
    t.is(queue.size, model.size);
    t.is(queue.first(), model.values().next().value);
    t.is(queue.get(key), model.get(key));
  }
  t.deepEqual([...queue.values()], [...model.values()]);
});

test('the front, the back and the only entry can each be removed; clear empties it', (t) => {
  const queue = new KeyedQueue<string, string>();
  t.is(queue.first(), undefined);
  t.false(queue.delete('x'));
  for (const key of ['a', 'b', 'c', 'd']) queue.pushBack(key, key.toUpperCase());
  queue.pushBack('d', 'D2');
  t.deepEqual([...queue.values()], ['A', 'B', 'C', 'D2'], 'the back stays the back, with its new value');
  queue.pushBack('a', 'A2');
  t.deepEqual([...queue.values()], ['B', 'C', 'D2', 'A2']);
  t.true(queue.delete('B'.toLowerCase()));
  t.true(queue.delete('a'));
  t.deepEqual([...queue.values()], ['C', 'D2']);
  t.is(queue.first(), 'C');
  t.true(queue.delete('c'));
  t.true(queue.delete('d'));
  t.is(queue.size, 0);
  t.is(queue.first(), undefined);
  queue.pushBack('e', 'E');
  t.deepEqual([...queue.values()], ['E'], 'usable again once emptied');
  queue.clear();
  t.is(queue.size, 0);
  t.deepEqual([...queue.values()], []);
  t.is(queue.get('e'), undefined);
});

test('firstKey names the front: the least recently appended or moved', (t) => {
  const queue = new KeyedQueue<string, number>();
  t.is(queue.firstKey(), undefined);
  queue.pushBack('a', 1);
  queue.pushBack('b', 2);
  t.is(queue.firstKey(), 'a');
  queue.pushBack('a', 3);
  t.is(queue.firstKey(), 'b');
  queue.delete('b');
  t.is(queue.firstKey(), 'a');
});
