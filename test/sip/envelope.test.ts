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

/** The reading before colons were counted without a split, kept to compare with. */
function splitReading(text: string, defaultPort = 5060): Endpoint | null {
  const trimmed = text.trim();
  let host: string;
  let portText: string | undefined;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0) return null;
    host = trimmed.slice(1, close);
    const rest = trimmed.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
  } else if (trimmed.split(':').length - 1 > 1) {
    host = trimmed;
  } else {
    const at = trimmed.lastIndexOf(':');
    host = at < 0 ? trimmed : trimmed.slice(0, at);
    portText = at < 0 ? undefined : trimmed.slice(at + 1);
  }
  if (host === '') return null;
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  return { host, port };
}

test('any text reads as the split-based reading read it', (t) => {
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
      return JSON.stringify(parseEndpoint(text)) === JSON.stringify(splitReading(text));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
