import test from 'ava';
import { Judge } from '../../src/policy/engine.js';
import type { Envelope } from '../../src/sip/envelope.js';
import { config, sipMessage } from './checks/context.js';

function from(host: string): Envelope {
  return { transport: 'udp', src: { host, port: 5060 }, dst: { host: '192.0.2.1', port: 5060 }, time: '' };
}

test('the side follows each message source, also when sources alternate', (t) => {
  // The judge remembers the last source host's side: a change of host must be read again.
  const judge = new Judge(config(), { checks: [] });
  const message = sipMessage();
  const sides = ['54.172.60.1', '203.0.113.10', '203.0.113.10', '54.172.60.2', 'not an address'].map(
    (host, index) => judge.judgeMessage(message, from(host), index).side,
  );
  t.deepEqual(sides, ['carrier', 'customer', 'customer', 'carrier', 'customer']);
  t.is(judge.judgeUnreadable('no bytes', from('54.172.60.1'), 5).side, 'carrier');
  t.is(judge.judgeUnreadable('no bytes', from('203.0.113.10'), 6).side, 'customer');
  t.is(judge.judgeMessage(message, from('54.172.60.1'), 7, 'customer').side, 'customer');
});
