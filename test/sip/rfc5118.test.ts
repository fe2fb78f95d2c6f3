/**
 * RFC 5118, SIP Torture Test Messages for IPv6: the 12 messages in their on-the-wire form
 * (test/fixtures/rfc5118/wire, CRLF) and in the exact archive form (bare LF, and the archive's
 * own Content-Length slips), which must still be read, with the deviations reported.
 */
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import type { SipMessage } from '../../src/sip/message.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { parseVia } from '../../src/sip/via.js';
import { datFiles, fixture, messageOf } from './fixtures.js';

interface Expectation {
  readonly method: string;
  readonly requestUri: string;
  readonly topVia: { host: string; port: number | null; branch: string; received?: string | null };
  readonly wireProblems?: readonly RegExp[];
  /** Problems of the archive form beyond its bare LF line ends. */
  readonly archiveProblems?: readonly RegExp[];
  readonly sdp?: string;
  readonly more?: (message: SipMessage) => void;
}

const IPV6_BAD =
  /Request-URI port 'db8::10' in '2001:db8::10' is not a port number \(an IPv6 address must be enclosed in \[\]/;
const UNTERMINATED = /header section is not closed by an empty line/;

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'ipv6-good.dat': {
    method: 'REGISTER',
    requestUri: 'sip:[2001:db8::10]',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111' },
  },
  'ipv6-bad.dat': {
    method: 'REGISTER',
    requestUri: 'sip:2001:db8::10',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111' },
    wireProblems: [IPV6_BAD],
    archiveProblems: [IPV6_BAD],
  },
  'port-ambiguous.dat': {
    method: 'REGISTER',
    // `:5070` is inside the brackets: part of the address, no port (RFC 5118 §4.3).
    requestUri: 'sip:[2001:db8::10:5070]',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111' },
  },
  'port-unambiguous.dat': {
    method: 'REGISTER',
    requestUri: 'sip:[2001:db8::10]:5070',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111' },
  },
  'via-received-param-with-delim.dat': {
    method: 'BYE',
    requestUri: 'sip:[2001:db8::10]',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111', received: '[2001:db8::9:255]' },
  },
  'via-received-param-no-delim.dat': {
    method: 'OPTIONS',
    requestUri: 'sip:[2001:db8::10]',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3', received: '2001:db8::9:255' },
  },
  'ipv6-in-sdp.dat': {
    method: 'INVITE',
    requestUri: 'sip:user@[2001:db8::10]',
    topVia: { host: '[2001:db8::20]', port: null, branch: 'z9hG4bKas3-111' },
    archiveProblems: [/Content-Length says 268 but only 242 bytes follow/],
    sdp: 'c=IN IP6 2001:db8::20',
  },
  'mult-ip-in-header.dat': {
    method: 'BYE',
    requestUri: 'sip:user@host.example.net',
    topVia: { host: '[2001:db8::9:1]', port: 6050, branch: 'z9hG4bKas3-111' },
    more: (m) => {
      const vias = m.headerValues('via').map((value) => parseVia(value).via);
      assertEq(
        vias.map((via) => `${via?.transport} ${via?.host}`).join(', '),
        'UDP [2001:db8::9:1], UDP 192.0.2.1, TCP [2001:db8::9:255]',
      );
      assertEq(vias[2]?.received, '192.0.2.200');
    },
  },
  'mult-ip-in-sdp.dat': {
    method: 'INVITE',
    requestUri: 'sip:user@[2001:db8::10]',
    topVia: { host: '[2001:db8::9:1]', port: null, branch: 'z9hG4bKas3-111' },
    archiveProblems: [/Content-Length says 181 but only 180 bytes follow/],
    sdp: 'c=IN IP6 2001:db8::1',
  },
  'ipv4-mapped-ipv6.dat': {
    method: 'INVITE',
    requestUri: 'sip:user@example.com',
    topVia: { host: '[::ffff:192.0.2.10]', port: 19823, branch: 'z9hG4bKbh19' },
    sdp: 'c=IN IP6 ::ffff:192.0.2.2',
    more: (m) => assertEq(parseVia(m.headerValues('via')[1] ?? '').via?.host, '[::ffff:192.0.2.2]'),
  },
  'ipv6-bug-abnf-3-colons.dat': {
    method: 'OPTIONS',
    // Not a valid RFC 4291 address, but RFC 5118 §4.10 says to tolerate it: no problem.
    requestUri: 'sip:user@[2001:db8:::192.0.2.1]',
    topVia: { host: 'lab1.east.example.com', port: null, branch: 'z9hG4bKas3-111' },
    archiveProblems: [UNTERMINATED],
  },
  'ipv6-correct-abnf-2-colons.dat': {
    method: 'OPTIONS',
    requestUri: 'sip:user@[2001:db8::192.0.2.1]',
    topVia: { host: 'lab1.east.example.com', port: null, branch: 'z9hG4bKas3-111' },
    archiveProblems: [UNTERMINATED],
  },
};

function assertEq<T>(actual: T, expected: T): void {
  if (actual !== expected)
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

test('the table covers the 12 messages, in both forms', (t) => {
  t.deepEqual(Object.keys(EXPECTED).sort(), datFiles('rfc5118'));
  t.deepEqual(datFiles('rfc5118/wire'), datFiles('rfc5118'));
});

for (const [file, expected] of Object.entries(EXPECTED)) {
  for (const form of ['wire', 'archive'] as const) {
    test(`${file} (${form} form)`, (t) => {
      const message = messageOf(
        readDatagram(fixture(form === 'wire' ? `rfc5118/wire/${file}` : `rfc5118/${file}`)),
      );
      t.is(message.method, expected.method);
      t.is(message.requestUri, expected.requestUri);
      t.is(message.topVia?.host, expected.topVia.host);
      t.is(message.topVia?.port, expected.topVia.port);
      t.is(message.topVia?.branch, expected.topVia.branch);
      if (expected.topVia.received !== undefined) t.is(message.topVia?.received, expected.topVia.received);
      const wanted =
        form === 'wire'
          ? (expected.wireProblems ?? [])
          : [/lines end in bare LF instead of CRLF/, ...(expected.archiveProblems ?? [])];
      const reasons = message.problems.map((problem) => problem.reason);
      t.is(reasons.length, wanted.length, reasons.join('\n'));
      for (const reason of wanted)
        t.true(
          reasons.some((actual) => reason.test(actual)),
          `${reason} in ${reasons.join(' / ')}`,
        );
      if (expected.sdp !== undefined) {
        const { bodies } = sdpBodies(message);
        t.is(bodies.length, 1);
        t.true(bodies[0]?.text.includes(expected.sdp));
      }
      expected.more?.(message);
    });
  }
}

test('the 12 wire messages streamed back to back over TCP frame into the same 12 messages', (t) => {
  const files = datFiles('rfc5118/wire');
  const stream = Buffer.concat(files.map((file) => fixture(`rfc5118/wire/${file}`)));
  const framer = new StreamFramer();
  const results = [...framer.push(stream), ...framer.end()];
  t.is(results.length, 12);
  results.forEach((result, index) => {
    const message = messageOf(result);
    t.true(message.bytes.equals(fixture(`rfc5118/wire/${files[index]}`)));
  });
});
