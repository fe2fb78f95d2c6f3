import test from 'ava';
import fc from 'fast-check';
import { type Endpoint, formatEndpoint, parseEndpoint } from '../../src/sip/envelope.js';

test('ip:port, [v6]:port, a bare IPv6 address and a bare host', (t) => {
  t.deepEqual(parseEndpoint('203.0.113.10:5061'), { host: '203.0.113.10', port: 5061 });
  t.deepEqual(parseEndpoint('[2001:db8::1]:5060'), { host: '2001:db8::1', port: 5060 });
  t.deepEqual(parseEndpoint('2001:db8::1'), { host: '2001:db8::1', port: 5060 });
  t.deepEqual(parseEndpoint('::1', 0), { host: '::1', port: 0 });
  t.deepEqual(parseEndpoint(' pbx.example.com '), { host: 'pbx.example.com', port: 5060 });
  t.deepEqual(parseEndpoint('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
});

test('an empty host, a port that is not a number or past 65535 are refused', (t) => {
  t.is(parseEndpoint(':5060'), null);
  t.is(parseEndpoint('203.0.113.10:'), null);
  t.is(parseEndpoint('203.0.113.10:65536'), null);
  t.is(parseEndpoint('203.0.113.10:50x'), null);
  t.is(parseEndpoint('[2001:db8::1'), null);
  t.is(parseEndpoint('[2001:db8::1]5060'), null);
});

test('formatEndpoint gives what parseEndpoint reads back', (t) => {
  for (const endpoint of [
    { host: '203.0.113.10', port: 5061 },
    { host: '2001:db8::1', port: 5060 },
  ]) {
    t.deepEqual(parseEndpoint(formatEndpoint(endpoint)), endpoint);
  }
});

/**
 * What parseEndpoint accepts, written as whole-text patterns rather than as its index arithmetic (an
 * independent statement to compare with, not a copy of the code): `[host]` or `[host]:port`, the
 * host up to the first `]`; text holding two or more `:` is a bare IPv6 host; otherwise `host` or
 * `host:port`. The host is never empty; a port is 1-5 digits, at most 65535.
 */
function grammarReading(text: string, defaultPort = 5060): Endpoint | null {
  const trimmed = text.trim();
  const parts = trimmed.startsWith('[')
    ? /^\[(?<host>[^\]]*)\](?::(?<port>.*))?$/s.exec(trimmed)
    : (/^(?<host>(?:[^:]*:){2,}[^:]*)$/s.exec(trimmed) ??
      /^(?<host>[^:]*)(?::(?<port>[^:]*))?$/s.exec(trimmed));
  const host = parts?.groups?.host;
  if (host === undefined || host === '') return null;
  const port = parts?.groups?.port;
  if (port === undefined) return { host, port: defaultPort };
  return /^[0-9]{1,5}$/.test(port) && Number(port) <= 65535 ? { host, port: Number(port) } : null;
}

test('any text reads as the endpoint grammar says', (t) => {
  const piece = fc.constantFrom(
    '1',
    '203.0.113.10',
    ':',
    '::',
    '[',
    ']',
    '65535',
    '70000',
    ' ',
    'db8',
    'x',
    '',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
      const text = pieces.join('');
      return JSON.stringify(parseEndpoint(text)) === JSON.stringify(grammarReading(text));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
