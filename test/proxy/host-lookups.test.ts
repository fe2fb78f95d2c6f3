/**
 * Request-URI and Route host names (carrier-side requests without a customer next hop): looked up
 * through a cache, once per name and TTL, never for a string that is no host name; and the proxy
 * routes through it.
 */
import test from 'ava';
import { HostLookups } from '../../src/proxy/host-lookups.js';
import { hop, startProxy, UdpPeer } from './in-process.js';

/** A lookup that records the names asked and answers only when told to. */
class FakeLookup {
  readonly asked: string[] = [];
  readonly #pending: { host: string; resolve: (address: string) => void; reject: (error: Error) => void }[] =
    [];
  readonly lookup = (host: string) =>
    new Promise<{ address: string }>((resolve, reject) => {
      this.asked.push(host);
      this.#pending.push({ host, resolve: (address) => resolve({ address }), reject });
    });
  answer(address: string): void {
    this.#pending.shift()?.resolve(address);
  }
  fail(): void {
    const next = this.#pending.shift();
    next?.reject(new Error(`getaddrinfo ENOTFOUND ${next.host}`));
  }
}

function cache(fake: FakeLookup, clock: { now: number }, maxNames = 1024) {
  return new HostLookups({
    lookup: fake.lookup,
    ttlMs: 30_000,
    failureTtlMs: 5_000,
    maxNames,
    now: () => clock.now,
  });
}

test('requests naming a host while it is looked up share the lookup; the address is kept for the TTL', async (t) => {
  const fake = new FakeLookup();
  const clock = { now: 0 };
  const lookups = cache(fake, clock);
  const first = lookups.address('pbx.example.com');
  const second = lookups.address('PBX.Example.COM');
  fake.answer('192.0.2.7');
  t.deepEqual(await Promise.all([first, second]), ['192.0.2.7', '192.0.2.7']);
  clock.now = 29_999;
  t.is(await lookups.address('pbx.example.com'), '192.0.2.7');
  t.deepEqual(fake.asked, ['pbx.example.com']);
  clock.now = 30_000;
  const again = lookups.address('pbx.example.com');
  fake.answer('192.0.2.8');
  t.is(await again, '192.0.2.8');
  t.deepEqual(fake.asked, ['pbx.example.com', 'pbx.example.com']);
});

test('a failed lookup fails again without a lookup for a while, then is tried again', async (t) => {
  const fake = new FakeLookup();
  const clock = { now: 1000 };
  const lookups = cache(fake, clock);
  const first = lookups.address('gone.example.com');
  fake.fail();
  await t.throwsAsync(first, { message: /ENOTFOUND gone\.example\.com/ });
  clock.now = 5_999;
  await t.throwsAsync(lookups.address('gone.example.com'), { message: /ENOTFOUND/ });
  t.is(fake.asked.length, 1);
  clock.now = 6_000;
  const retry = lookups.address('gone.example.com');
  fake.answer('192.0.2.9');
  t.is(await retry, '192.0.2.9');
  t.is(fake.asked.length, 2);
});

test('a string that is no host name is refused without a lookup', async (t) => {
  const fake = new FakeLookup();
  const lookups = cache(fake, { now: 0 });
  for (const text of ['-bad-.example.com', '1.2.3.400', 'a b', 'x'.repeat(64), '']) {
    await t.throwsAsync(lookups.address(text), { message: /is not a host name$/ }, text);
  }
  t.deepEqual(fake.asked, []);
  t.is(lookups.size, 0);
});

test('the names remembered are bounded: past maxNames the least recently looked-up goes', async (t) => {
  const fake = new FakeLookup();
  const lookups = cache(fake, { now: 0 }, 2);
  for (const name of ['a.example', 'b.example', 'c.example']) {
    const address = lookups.address(name);
    fake.answer('192.0.2.1');
    await address;
  }
  t.is(lookups.size, 2);
  const again = lookups.address('a.example');
  fake.answer('192.0.2.1');
  await again;
  t.deepEqual(fake.asked, ['a.example', 'b.example', 'c.example', 'a.example']);
});

const OPTIONS = (uri: string, id: string) =>
  `OPTIONS ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-${id}\r\nMax-Forwards: 70\r\n` +
  `From: <sip:carrier@127.0.0.1>;tag=c\r\nTo: <${uri}>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

test('the proxy routes carrier-side requests by a Request-URI host name through the cache', async (t) => {
  const carrier = await new UdpPeer().start();
  const pbx = await new UdpPeer().start();
  const asked: string[] = [];
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'udp'), {}, {}, null, {
    lookupHost: async (host) => {
      asked.push(host);
      return { address: '127.0.0.1' };
    },
  });
  t.teardown(async () => {
    carrier.close();
    pbx.close();
    await running.stop();
  });
  for (const id of ['first', 'second']) {
    carrier.send(OPTIONS(`sip:probe@pbx.test:${pbx.port}`, id), running.udpPort);
    t.regex(
      (await pbx.next()).bytes.toString('latin1'),
      new RegExp(`^OPTIONS sip:probe@pbx\\.test:${pbx.port} SIP/2\\.0\\r\\n[^]*Call-ID: ${id}\\r\\n`),
    );
  }
  t.deepEqual(asked, ['pbx.test'], 'one lookup for both requests');
  // No host name: refused at once with the reason, nothing looked up.
  carrier.send(OPTIONS(`sip:probe@-bad-.test:${pbx.port}`, 'bad'), running.udpPort);
  t.regex(
    (await carrier.next()).bytes.toString('latin1'),
    /^SIP\/2\.0 503 Service Unavailable \(next hop: Error: "-bad-\.test" is not a host name\)\r\n/,
  );
  t.deepEqual(asked, ['pbx.test']);
  t.is(pbx.pending, 0);
});
