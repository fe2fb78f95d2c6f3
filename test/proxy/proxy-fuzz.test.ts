import test from 'ava';
import fc from 'fast-check';
import { DEFAULT_LIMITS } from '../../src/proxy/limits.js';
import { datFiles, fixture, traceRecords } from '../sip/fixtures.js';
import { mutate, mutation } from '../sip/mutations.js';
import { actionOf, hop, startProxy, UdpPeer } from './in-process.js';
import { until } from './stream-scene.js';

const seeds: readonly Buffer[] = [
  ...traceRecords().map((record) => record.bytes),
  ...datFiles('rfc4475').map((file) => fixture(`rfc4475/${file}`)),
  ...datFiles('rfc5118').map((file) => fixture(`rfc5118/${file}`)),
  ...datFiles('sip').map((file) => fixture(`sip/${file}`)),
];

/** One datagram: a seed, as it is or damaged, from the customer or from the carrier. */
const datagram = fc.record({
  seed: fc.nat(seeds.length - 1),
  mutations: fc.array(mutation, { maxLength: 4 }),
  fromCarrier: fc.boolean(),
});

const OPTIONS = (id: string) =>
  `OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-${id}\r\n` +
  `Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:probe@127.0.0.1>\r\n` +
  `Call-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

test('damaged messages from either side never reach the last-resort catch; forwarding goes on', async (t) => {
  const carrier = await new UdpPeer().start();
  const customer = await new UdpPeer().start();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'udp'), {
    // A customer next hop: without one, carrier-side requests are routed by their Request-URI,
    // and the fixtures' host names would wait on DNS, which this machine may not have.
    customer: hop('127.0.0.1', customer.port, 'udp'),
    // Thousands of datagrams from one source in a few seconds: not a flood here.
    limits: { ...DEFAULT_LIMITS, flood: { ...DEFAULT_LIMITS.flood, requestsPerSecond: 0 } },
  });
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  const internalErrors = () => running.lines.filter((line) => actionOf(line) === 'internal-error');
  await fc.assert(
    fc.asyncProperty(fc.array(datagram, { minLength: 1, maxLength: 20 }), async (batch) => {
      const before = running.proxy.counters.received;
      for (const { seed, mutations, fromCarrier } of batch) {
        const bytes = mutate(seeds[seed] as Buffer, mutations);
        (fromCarrier ? carrier : customer).send(bytes, running.udpPort);
      }
      // Every datagram is read (counted) before its batch is judged done: bounded, no sleep.
      await until('the batch received', () =>
        running.proxy.counters.received >= before + batch.length ? true : undefined,
      );
      const errors = internalErrors();
      if (errors.length > 0) throw new Error(`internal error: ${errors[0]?.message}`);
    }),
    { numRuns: Number(process.env.PROXY_FUZZ_RUNS ?? 150) },
  );
  // Still forwarding: a clean request from the customer reaches the carrier.
  while (carrier.pending > 0) await carrier.next();
  customer.send(OPTIONS('after-fuzz'), running.udpPort);
  const deadline = Date.now() + 5000;
  for (;;) {
    const { bytes } = await carrier.next(Math.max(deadline - Date.now(), 1));
    if (bytes.toString('latin1').includes('Call-ID: after-fuzz')) break;
  }
  t.deepEqual(internalErrors(), []);
});
