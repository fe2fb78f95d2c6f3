import { isIP } from 'node:net';
import test from 'ava';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { cidrContains, nonPublicClass, parseCidr, parseIp, sameIp } from '../../src/policy/cidr.js';

const NON_PUBLIC_RANGES = new Set(['private', 'carrierGradeNat', 'loopback', 'linkLocal', 'uniqueLocal']);

test('parseIp accepts exactly the IPv4 literals net.isIP accepts (fast dotted-quad path)', (t) => {
  const digitsAndDots = fc.string({
    unit: fc.constantFrom('0', '1', '2', '5', '9', '.', '25', '255', '256', '01'),
    maxLength: 12,
  });
  fc.assert(
    fc.property(digitsAndDots, (text) => {
      const parsed = parseIp(text);
      t.is(parsed !== null, isIP(text) === 4, text);
      if (parsed) t.is(parsed.toString(), ipaddr.parse(text).toString());
    }),
    { numRuns: 5000 },
  );
  t.is(parseIp('1.2.3'), null); // ipaddr.js alone would read 1.2.0.3
  t.is(parseIp('0x7f.0.0.1'), null);
  t.is(parseIp('::ffff:192.0.2.2')?.toString(), '192.0.2.2');
  t.is(parseIp('2001:db8::1')?.kind(), 'ipv6');
});

test('nonPublicClass agrees with ipaddr.js range() on every IPv4 address class', (t) => {
  fc.assert(
    fc.property(fc.ipV4(), (text) => {
      const address = parseIp(text);
      if (!address) return;
      t.is(nonPublicClass(address) !== null, NON_PUBLIC_RANGES.has(address.range()), text);
    }),
    { numRuns: 5000 },
  );
  for (const [text, expected] of [
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['172.32.0.1', null],
    ['100.64.0.1', 'shared address space (RFC 6598 CGNAT)'],
    ['100.128.0.1', null],
    ['169.254.1.1', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['168.86.140.10', null],
    ['fd00::1', 'unique-local (RFC 4193)'],
  ] as const) {
    t.is(nonPublicClass(parseIp(text)!), expected, text);
  }
});

test('CIDRs match within their family only, and bad ones are explained', (t) => {
  const twilio = parseCidr('168.86.128.0/18');
  if (typeof twilio === 'string') return t.fail(twilio);
  t.true(cidrContains(twilio, parseIp('168.86.191.255')!));
  t.false(cidrContains(twilio, parseIp('168.86.192.0')!));
  t.false(cidrContains(twilio, parseIp('::ffff:1.2.3.4')!));
  t.false(cidrContains(twilio, parseIp('2001:db8::1')!));
  t.regex(parseCidr('168.86.128.0/33') as string, /prefix length outside 0-32/);
  t.regex(parseCidr('1.2.3/8') as string, /not an IPv4 or IPv6/);
});

test('sameIp says what comparing toString() says (IPv4, IPv6, mapped, zone ids)', (t) => {
  const texts = [
    '203.0.113.10',
    '203.0.113.11',
    '::ffff:203.0.113.10',
    '2001:db8::1',
    '2001:db8:0::1',
    'fe80::1',
    'fe80::1%eth0',
  ];
  for (const a of texts) {
    for (const b of texts) {
      const x = parseIp(a)!;
      const y = parseIp(b)!;
      t.is(sameIp(x, y), x.kind() === y.kind() && x.toString() === y.toString(), `${a} vs ${b}`);
    }
  }
  fc.assert(
    fc.property(fc.ipV4(), fc.ipV4(), (a, b) => {
      const x = parseIp(a)!;
      const y = parseIp(b)!;
      return sameIp(x, y) === (x.toString() === y.toString());
    }),
  );
});
