/**
 * Next hops: what parseNextHop accepts and why it refuses the rest, and RFC 3263 resolution
 * with an injected resolver (no network), plus one real lookup of localhost.
 */
import test from 'ava';
import {
  type AddressAnswer,
  type HopResolver,
  isHostName,
  NextHopError,
  orderSrv,
  parseHostPort,
  parseNextHop,
  resolveNextHop,
  type SrvAnswer,
  srvName,
  systemResolver,
} from '../../src/proxy/next-hop.js';
import type { NextHopSettings } from '../../src/proxy/settings.js';

function hop(text: string): NextHopSettings {
  const parsed = parseNextHop(text);
  if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`);
  return parsed;
}

test('parseNextHop: the forms a trunk is written in', (t) => {
  const cases: [string, string, number | null, string | null][] = [
    ['203.0.113.5', '203.0.113.5', null, null],
    ['203.0.113.5:5080', '203.0.113.5', 5080, null],
    ['1.2.3.4:5061;transport=tls', '1.2.3.4', 5061, 'tls'],
    ['mytrunk.pstn.twilio.com;transport=tls', 'mytrunk.pstn.twilio.com', null, 'tls'],
    ['sip.example.com:5060;transport=TCP', 'sip.example.com', 5060, 'tcp'],
    ['[2001:db8::1]:5070', '2001:db8::1', 5070, null],
    ['[2001:db8::1];transport=udp', '2001:db8::1', null, 'udp'],
    ['2001:db8::1', '2001:db8::1', null, null],
    ['pbx', 'pbx', null, null],
    ['sip:5060', 'sip', 5060, null],
    ['  edge.example.com.  ', 'edge.example.com.', null, null],
  ];
  for (const [text, host, port, transport] of cases) {
    t.deepEqual(parseNextHop(text), { host, port, transport, text: text.trim() }, text);
  }
});

test('parseNextHop: every refusal says what is wrong', (t) => {
  const cases: [string, RegExp][] = [
    ['', /host is empty/],
    [':5060', /host is empty/],
    ['10.0.0.300', /"10\.0\.0\.300" is not a valid IPv4 address/],
    ['trunk..example.com', /neither an IP address nor a host name/],
    ['-trunk.example.com', /neither an IP address nor a host name/],
    ['trunk_1.example.com', /neither an IP address nor a host name/],
    ['trunk.example.com:99999', /port 99999 is not in 1-65535/],
    ['trunk.example.com:0', /port 0 is not in 1-65535/],
    ['trunk.example.com:sip', /port "sip" is not a number/],
    ['2001:db8::1:5060x', /IPv6 address with a port is written in brackets/],
    ['[2001:db8::1', /closing "\]"/],
    ['[trunk.example.com]:5060', /in brackets is not an IPv6 address/],
    ['[2001:db8::1]5060', /"5060" after "\]" is not ":port"/],
    ['trunk.example.com;transport=sctp', /transport "sctp" is not one of udp, tcp, tls/],
    ['trunk.example.com;lr', /";lr" is not a parameter a next hop takes/],
    ['sip:trunk.example.com', /not a SIP URI: write the host without "sip:"$/],
    ['sips:trunk.example.com:5061', /not a SIP URI: write the host without "sip:"$/],
    [`${'a'.repeat(64)}.example.com`, /neither an IP address nor a host name/],
  ];
  for (const [text, reason] of cases) {
    const parsed = parseNextHop(text);
    if (typeof parsed !== 'string') {
      t.fail(`${text} parsed as ${JSON.stringify(parsed)}`);
      continue;
    }
    t.regex(parsed, reason, text);
  }
});

test('isHostName: RFC 1123 shape', (t) => {
  for (const name of [
    'a',
    'pbx-1',
    '3com.com',
    'mytrunk.pstn.twilio.com',
    'example.com.',
    `${'a'.repeat(63)}.io`,
  ]) {
    t.true(isHostName(name), name);
  }
  for (const name of [
    '',
    '.',
    'a..b',
    '-a.com',
    'a-.com',
    'a_b.com',
    '1.2.3.4',
    '10.0.0.300',
    `${'a'.repeat(64)}.io`,
  ]) {
    t.false(isHostName(name), name);
  }
  t.false(isHostName(`${'abcdefghi.'.repeat(26)}com`), 'longer than 253 characters');
});

test('parseHostPort: port 0 only when binding', (t) => {
  t.deepEqual(parseHostPort('0.0.0.0:0', 0), { host: '0.0.0.0', port: 0 });
  t.regex(String(parseHostPort('0.0.0.0:0')), /port 0 is not in 1-65535/);
});

/** A resolver answering from tables, recording what was asked. */
function fakeResolver(
  srv: Readonly<Record<string, readonly SrvAnswer[]>>,
  hosts: Readonly<Record<string, readonly string[]>>,
): HopResolver & { readonly asked: string[] } {
  const asked: string[] = [];
  const notFound = (name: string) =>
    Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return {
    asked,
    resolveSrv: async (name) => {
      asked.push(`SRV ${name}`);
      const records = srv[name];
      if (records === undefined)
        throw Object.assign(new Error(`querySrv ENODATA ${name}`), { code: 'ENODATA' });
      return records;
    },
    lookup: async (host) => {
      asked.push(`A ${host}`);
      const addresses = hosts[host];
      if (addresses === undefined) throw notFound(host);
      return addresses.map((address): AddressAnswer => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

test('a numeric IP is used as is: UDP 5060, TLS 5061, or as written (RFC 3263 §4.1, §4.2)', async (t) => {
  const noDns = fakeResolver({}, {});
  t.deepEqual(await resolveNextHop(hop('203.0.113.5'), noDns), [
    { host: '203.0.113.5', port: 5060, transport: 'udp', serverName: null },
  ]);
  t.deepEqual(await resolveNextHop(hop('203.0.113.5:5061'), noDns), [
    { host: '203.0.113.5', port: 5061, transport: 'tls', serverName: null },
  ]);
  t.deepEqual(await resolveNextHop(hop('203.0.113.5;transport=tls'), noDns), [
    { host: '203.0.113.5', port: 5061, transport: 'tls', serverName: null },
  ]);
  t.deepEqual(await resolveNextHop(hop('[2001:db8::1]:5080;transport=tcp'), noDns), [
    { host: '2001:db8::1', port: 5080, transport: 'tcp', serverName: null },
  ]);
  t.deepEqual(noDns.asked, [], 'no DNS query for an IP');
});

test('a host name with a port: A/AAAA only, every address, at that port', async (t) => {
  const dns = fakeResolver({}, { 'sbc.example.com': ['198.51.100.1', '2001:db8::5'] });
  t.deepEqual(await resolveNextHop(hop('sbc.example.com:5070'), dns), [
    { host: '198.51.100.1', port: 5070, transport: 'udp', serverName: 'sbc.example.com' },
    { host: '2001:db8::5', port: 5070, transport: 'udp', serverName: 'sbc.example.com' },
  ]);
  t.deepEqual(dns.asked, ['A sbc.example.com'], 'no SRV query when a port is given');
});

test('SRV: priority ascending, then weight descending; the SIP domain stays the server name', async (t) => {
  const dns = fakeResolver(
    {
      '_sips._tcp.mytrunk.pstn.twilio.com': [
        { name: 'backup.example.net.', port: 5061, priority: 20, weight: 100 },
        { name: 'light.example.net', port: 5061, priority: 10, weight: 10 },
        { name: 'heavy.example.net', port: 5062, priority: 10, weight: 90 },
      ],
    },
    {
      'heavy.example.net': ['192.0.2.1'],
      'light.example.net': ['192.0.2.2', '192.0.2.1'],
      'backup.example.net': ['192.0.2.3'],
    },
  );
  const resolved = await resolveNextHop(hop('mytrunk.pstn.twilio.com;transport=tls'), dns);
  t.deepEqual(
    resolved.map((r) => `${r.transport}:${r.host}:${r.port}`),
    ['tls:192.0.2.1:5062', 'tls:192.0.2.2:5061', 'tls:192.0.2.1:5061', 'tls:192.0.2.3:5061'],
  );
  // RFC 5922: the certificate must match the domain asked for, not the SRV target.
  t.true(resolved.every((r) => r.serverName === 'mytrunk.pstn.twilio.com'));
  t.deepEqual(dns.asked.slice(0, 1), ['SRV _sips._tcp.mytrunk.pstn.twilio.com']);
});

test('orderSrv keeps DNS order for equal priority and weight', (t) => {
  const records = [
    { name: 'b', port: 1, priority: 1, weight: 5 },
    { name: 'a', port: 1, priority: 1, weight: 5 },
    { name: 'c', port: 1, priority: 0, weight: 0 },
  ];
  t.deepEqual(
    orderSrv(records).map((r) => r.name),
    ['c', 'b', 'a'],
  );
});

test('no transport, no port: SRV for tls, then tcp, then udp; the first answer wins', async (t) => {
  const dns = fakeResolver(
    {
      '_sip._tcp.example.com': [{ name: 'tcp.example.com', port: 5060, priority: 0, weight: 0 }],
      '_sip._udp.example.com': [{ name: 'udp.example.com', port: 5060, priority: 0, weight: 0 }],
    },
    { 'tcp.example.com': ['192.0.2.7'], 'udp.example.com': ['192.0.2.8'] },
  );
  t.deepEqual(await resolveNextHop(hop('example.com'), dns), [
    { host: '192.0.2.7', port: 5060, transport: 'tcp', serverName: 'example.com' },
  ]);
  t.deepEqual(dns.asked, ['SRV _sips._tcp.example.com', 'SRV _sip._tcp.example.com', 'A tcp.example.com']);
});

test('a requested transport asks only its own SRV name (RFC 3263 §4.2)', async (t) => {
  t.is(srvName('example.com', 'tls'), '_sips._tcp.example.com');
  t.is(srvName('example.com.', 'tcp'), '_sip._tcp.example.com');
  t.is(srvName('example.com', 'udp'), '_sip._udp.example.com');
  const dns = fakeResolver(
    { '_sips._tcp.example.com': [{ name: 'tls.example.com', port: 5061, priority: 0, weight: 0 }] },
    { 'example.com': ['192.0.2.9'], 'tls.example.com': ['192.0.2.10'] },
  );
  t.deepEqual(await resolveNextHop(hop('example.com;transport=udp'), dns), [
    { host: '192.0.2.9', port: 5060, transport: 'udp', serverName: 'example.com' },
  ]);
  t.deepEqual(dns.asked, ['SRV _sip._udp.example.com', 'A example.com']);
});

test('no SRV records: A/AAAA at the default port of the transport (RFC 3263 §4.2)', async (t) => {
  const dns = fakeResolver({}, { 'pbx.example.com': ['192.0.2.30'] });
  t.deepEqual(await resolveNextHop(hop('pbx.example.com'), dns), [
    { host: '192.0.2.30', port: 5060, transport: 'udp', serverName: 'pbx.example.com' },
  ]);
  t.deepEqual(await resolveNextHop(hop('pbx.example.com;transport=tls'), dns), [
    { host: '192.0.2.30', port: 5061, transport: 'tls', serverName: 'pbx.example.com' },
  ]);
});

test('an SRV target of "." means no service: the records are ignored, A/AAAA is used', async (t) => {
  const dns = fakeResolver(
    { '_sip._tcp.example.org': [{ name: '', port: 0, priority: 0, weight: 0 }] },
    { 'example.org': ['192.0.2.40'] },
  );
  t.deepEqual(await resolveNextHop(hop('example.org;transport=tcp'), dns), [
    { host: '192.0.2.40', port: 5060, transport: 'tcp', serverName: 'example.org' },
  ]);
});

test('an SRV target that does not resolve is skipped; all failing is an error naming them', async (t) => {
  const records = [
    { name: 'gone.example.net', port: 5060, priority: 1, weight: 0 },
    { name: 'up.example.net', port: 5060, priority: 2, weight: 0 },
  ];
  const some = fakeResolver({ '_sip._udp.example.net': records }, { 'up.example.net': ['192.0.2.50'] });
  t.deepEqual(
    (await resolveNextHop(hop('example.net;transport=udp'), some)).map((r) => r.host),
    ['192.0.2.50'],
  );
  const none = fakeResolver({ '_sip._udp.example.net': records }, {});
  const error = await t.throwsAsync(resolveNextHop(hop('example.net;transport=udp'), none, 'carrier'), {
    instanceOf: NextHopError,
  });
  t.is(
    error?.message,
    'carrier "example.net;transport=udp": DNS lookup failed for every target of SRV _sip._udp.example.net ' +
      '(gone.example.net: ENOTFOUND; up.example.net: ENOTFOUND)',
  );
});

test('a name that does not resolve: the error names the hop and the DNS code', async (t) => {
  const error = await t.throwsAsync(resolveNextHop(hop('x.invalid'), fakeResolver({}, {}), 'carrier'), {
    instanceOf: NextHopError,
  });
  t.is(error?.message, 'carrier "x.invalid": DNS lookup failed (ENOTFOUND)');
  const empty: HopResolver = { resolveSrv: async () => [], lookup: async () => [] };
  const none = await t.throwsAsync(resolveNextHop(hop('x.example:5060'), empty));
  t.is(none?.message, 'next hop "x.example:5060": DNS lookup failed (no A or AAAA record)');
});

test('the system resolver: localhost resolves to a loopback address', async (t) => {
  const resolved = await resolveNextHop(hop('localhost:5080;transport=tcp'), systemResolver, 'customer');
  t.true(resolved.length > 0);
  for (const r of resolved) {
    t.true(r.host === '::1' || r.host.startsWith('127.'), r.host);
    t.is(r.port, 5080);
    t.is(r.transport, 'tcp');
    t.is(r.serverName, 'localhost');
  }
});
