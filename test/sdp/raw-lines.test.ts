/**
 * The raw line pass on small inline SDPs: placement, order, repeats, line ends, bounds.
 */
import test from 'ava';
import { ATTRIBUTE_RULES } from '../../src/sdp/attribute-rules.js';
import { LINE_RULES } from '../../src/sdp/line-rules.js';
import { parseSdp } from '../../src/sdp/parse.js';
import { MAX_PROBLEMS } from '../../src/sdp/problems.js';
import type { SessionDescription } from '../../src/sdp/types.js';

const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0'];

function sdp(...lines: string[]): SessionDescription {
  return parseSdp(`${lines.join('\r\n')}\r\n`);
}

function reasons(description: SessionDescription): string[] {
  return description.problems.map((problem) => problem.reason);
}

test('the table has one rule for each of the 15 RFC 8866 line types', (t) => {
  t.deepEqual(Object.keys(LINE_RULES).sort(), [
    'a',
    'b',
    'c',
    'e',
    'i',
    'k',
    'm',
    'o',
    'p',
    'r',
    's',
    't',
    'u',
    'v',
    'z',
  ]);
  for (const rule of [...Object.values(LINE_RULES), ...Object.values(ATTRIBUTE_RULES)]) {
    t.regex(rule.rfc, /^(RFC \d+ §[\d.]+|draft-[a-z-]+)$/, rule.name);
    t.true(rule.levels.length > 0, rule.name);
  }
});

test('a well-formed SDP with every session line type in order has no problem', (t) => {
  const description = sdp(
    'v=0',
    'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
    's=Call to John Smith',
    'i=SDP Offer #1',
    'u=http://www.jdoe.example.com/home.html',
    'e=Jane Doe <jane@jdoe.example.com>',
    'p=+1 617 555-6011',
    'c=IN IP4 198.51.100.1',
    'b=AS:64',
    't=2873397496 2873404696',
    'r=7d 1h 0 25h',
    't=0 0',
    'z=2882844526 -1h 2898848070 0',
    'k=prompt',
    'a=recvonly',
    'm=audio 49170 RTP/AVP 0',
    'i=audio',
    'c=IN IP4 198.51.100.2',
    'b=AS:32',
    'k=prompt',
    'a=rtpmap:0 PCMU/8000',
  );
  t.deepEqual(description.problems, []);
  t.is(description.media[0]?.direction, 'recvonly');
});

test('v= must come first', (t) => {
  const description = parseSdp('o=- 1 1 IN IP4 192.0.2.10\r\nv=0\r\ns=-\r\nt=0 0\r\n');
  t.is(reasons(description)[0], 'an SDP description must begin with v=0 (RFC 8866 §5)');
  t.true(
    reasons(description).includes('v= is out of order; RFC 8866 §5 requires v o s i u e p c b t r z k a'),
  );
});

test('lines out of the RFC 8866 order are flagged', (t) => {
  const description = sdp(...HEAD, 'm=audio 40000 RTP/AVP 0', 'a=sendrecv', 'c=IN IP4 192.0.2.20');
  t.deepEqual(reasons(description), ['c= is out of order; RFC 8866 §5 requires m i c b k a']);
  t.is(description.problems[0]?.mediaIndex, 0);
});

test('a session-level line inside an m= section, and media-level attributes at session level', (t) => {
  const description = sdp(
    ...HEAD,
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl',
    'a=rtcp:40001',
    'm=audio 40000 RTP/AVP 0',
    'e=someone@example.com',
  );
  t.deepEqual(reasons(description), [
    'a=crypto is a media-level line, found at session level (RFC 4568 §9.1)',
    'a=rtcp is a media-level line, found at session level (RFC 3605 §2.1)',
    'e= is a session-level line, found inside an m= section (RFC 8866 §5.6)',
  ]);
  // Misplaced attributes do not leak into the model.
  t.deepEqual(description.media[0]?.crypto, []);
  t.is(description.media[0]?.rtcp.explicit, false);
});

test('conflicting direction attributes and a repeated a=setup: flagged, the first is used', (t) => {
  const description = sdp(
    ...HEAD,
    'm=audio 40000 RTP/AVP 0',
    'a=sendonly',
    'a=recvonly',
    'a=setup:active',
    'a=setup:passive',
  );
  t.deepEqual(reasons(description), [
    'a=recvonly appears more than once at m= section 0; the first one is used (RFC 8866 §6.7)',
    'a=setup appears more than once at m= section 0; the first one is used (RFC 4145 §4)',
  ]);
  t.like(description.media[0], { direction: 'sendonly', setup: 'active' });
});

test('session-level direction, setup, fingerprints and COMEDIA apply to sections without their own', (t) => {
  const description = sdp(
    ...HEAD,
    'a=inactive',
    'a=setup:passive',
    'a=fingerprint:SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
    'a=direction:both',
    'm=audio 40000 RTP/AVP 0',
    'm=audio 40002 RTP/AVP 0',
    'a=sendrecv',
    'a=setup:active',
    'a=fingerprint:sha-256 21:21:07:E8:3C:D0:3B:45:87:9A:31:86:DE:4F:C1:BA:E1:0E:96:BA:41:36:6E:3A:3F:C6:C8:92:95:5B:71:5F',
    'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
    'a=direction:passive',
  );
  t.deepEqual(description.problems, []);
  const [first, second] = description.media;
  t.like(first, { direction: 'inactive', setup: 'passive', comediaDirection: 'both' });
  t.deepEqual(
    first?.fingerprints.map((fingerprint) => fingerprint.hash),
    ['sha-1'],
  );
  t.like(second, { direction: 'sendrecv', setup: 'active', comediaDirection: 'passive' });
  t.deepEqual(
    second?.fingerprints.map((fingerprint) => fingerprint.hash),
    ['sha-256', 'sha-1'],
  );
});

test('bad attribute values: setup role, COMEDIA direction, fingerprint, rtcp-mux with a value', (t) => {
  const description = sdp(
    ...HEAD,
    'm=audio 40000 RTP/AVP 0',
    'a=setup:act-pass',
    'a=direction:sideways',
    'a=fingerprint:sha-256 ZZ:01',
    'a=rtcp-mux:yes',
  );
  t.deepEqual(reasons(description), [
    "a=setup role 'act-pass' is not active, passive, actpass or holdconn",
    "a=direction 'sideways' is not active, passive or both",
    "a=fingerprint: the fingerprint after 'sha-256' must be hex pairs separated by colons (RFC 8122 §5)",
    'a=rtcp-mux takes no value (RFC 5761 §5.1.1)',
  ]);
  t.like(description.media[0], { setup: null, comediaDirection: null });
});

test('a bad m= line keeps its place; the port is what an atoi-style reader takes', (t) => {
  const description = sdp(
    ...HEAD,
    'm=audio 40000x RTP/AVP 0',
    'm=video 70000 RTP/AVP 31',
    'm=audio 0 RTP/AVP',
    'm=text 9 RTP/AVP  98',
  );
  t.deepEqual(reasons(description), [
    "m=: the port '40000x' is not a number from 0 to 65535",
    "m=: the port '70000' is not a number from 0 to 65535",
    'm= needs <media> <port> <proto> and at least one <fmt>',
    'm= fields must be separated by single spaces (no double, leading or trailing space)',
  ]);
  t.deepEqual(
    description.media.map((media) => [media.index, media.port]),
    [
      [0, 40000],
      [1, 70000],
      [2, 0],
      [3, 9],
    ],
  );
});

test('bad c= syntax still yields an address of kind invalid, so the stream is not "missing" its c=', (t) => {
  const description = sdp(
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.10',
    's=-',
    't=0 0',
    'm=audio 40000 RTP/AVP 0',
    'c=IN IP4',
  );
  t.deepEqual(reasons(description), [
    'c= must be exactly <nettype> <addrtype> <connection-address>, separated by single spaces',
  ]);
  t.is(description.media[0]?.connection?.kind, 'invalid');
});

test('more address rules: unknown addrtype, zone index, IPv4 multicast without TTL, TTL range, count 0', (t) => {
  const description = sdp(
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.10',
    's=-',
    't=0 0',
    'm=audio 40000 RTP/AVP 0',
    'c=IN IP7 192.0.2.1',
    'm=audio 40002 RTP/AVP 0',
    'c=IN IP6 fe80::1%eth0',
    'm=audio 40004 RTP/AVP 0',
    'c=IN IP4 233.252.0.1',
    'm=audio 40006 RTP/AVP 0',
    'c=IN IP4 233.252.0.1/300',
    'm=audio 40008 RTP/AVP 0',
    'c=IN IP6 ff15::1/1/2',
    'm=audio 40010 RTP/AVP 0',
    'c=ATM NSAP 47.0091.8100.0000.0060.3e64.fd01.0060.3e64.fd01.00',
  );
  t.deepEqual(reasons(description), [
    "c=: unsupported addrtype 'IP7' (IN defines IP4 and IP6)",
    "c=: 'fe80::1%eth0' carries a zone index, which SDP does not allow",
    'c=: an IPv4 multicast c= address must carry a /ttl (RFC 8866 §5.7)',
    'c=: the multicast TTL must be 0-255',
    'c=: IPv6 multicast takes no TTL, only /<count>',
    "c=: unsupported nettype 'ATM' (only IN is defined)",
  ]);
  t.deepEqual(
    description.media.map((media) => media.connection?.kind),
    ['invalid', 'invalid', 'multicast', 'multicast', 'multicast', 'invalid'],
  );
});

test('ICE candidates: mDNS names are fqdn, IPv6 literals are normalized, broken lines are flagged', (t) => {
  const description = sdp(
    ...HEAD,
    'm=audio 40000 UDP/TLS/RTP/SAVPF 111',
    'a=candidate:1 1 udp 2122260223 4f1c2a7e-0b3d-4c5e-9a10-2b7e3c4d5e6f.local 54321 typ host',
    'a=candidate:2 1 udp 2122262783 2001:DB8::0:5 54322 typ host generation 0',
    'a=candidate:3 1 udp 1686052607 198.51.100.7 54323 typ srflx raddr 10.0.0.5 rport 54321',
    'a=candidate:4 1 udp 1686052607 198.51.100.7 typ srflx',
  );
  t.deepEqual(reasons(description), [
    'a=candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type> (RFC 8839 §5.1)',
  ]);
  t.deepEqual(
    description.media[0]?.candidates.map((candidate) => [
      candidate.address.kind,
      candidate.address.address,
      candidate.type,
    ]),
    [
      ['fqdn', '4f1c2a7e-0b3d-4c5e-9a10-2b7e3c4d5e6f.local', 'host'],
      ['ip6', '2001:db8::5', 'host'],
      ['ip4', '198.51.100.7', 'srflx'],
    ],
  );
});

test('a bare CR is split like sdp-transform does, and flagged', (t) => {
  const description = parseSdp(`${HEAD.join('\r\n')}\r\nm=audio 40000 RTP/AVP 0\ra=sendonly\r\n`);
  t.deepEqual(reasons(description), ['a bare CR ends a line; SDP lines end with CRLF or LF (RFC 8866 §5)']);
  t.is(description.media[0]?.direction, 'sendonly');
});

test('mixed CRLF and LF line ends are both accepted', (t) => {
  const description = parseSdp(
    'v=0\r\no=- 1 1 IN IP4 192.0.2.10\ns=-\r\nc=IN IP4 192.0.2.10\nt=0 0\r\nm=audio 40000 RTP/AVP 0',
  );
  t.deepEqual(description.problems, []);
  t.is(description.media[0]?.port, 40000);
});

test('an empty line inside the description, a NUL byte, and trailing blank lines', (t) => {
  const description = parseSdp(
    `${HEAD.join('\r\n')}\r\n\r\nm=audio 40000 RTP/AVP 0\r\na=x-tool:a\0b\r\n\r\n\r\n`,
  );
  t.deepEqual(reasons(description), [
    'an empty line inside the description (RFC 8866 §5)',
    'a NUL byte inside a line (RFC 8866 §9: text excludes NUL)',
  ]);
});

test('empty, blank and non-text input: one problem, no throw', (t) => {
  t.deepEqual(reasons(parseSdp('')), ['the SDP body is empty']);
  t.deepEqual(reasons(parseSdp('\r\n\r\n')), ['the SDP body is empty']);
  t.deepEqual(reasons(parseSdp(Buffer.from('v=0') as unknown as string)), ['the SDP body is not text']);
  t.deepEqual(reasons(parseSdp(undefined as unknown as string)), ['the SDP body is not text']);
});

test('problems are bounded: a huge garbage body gives MAX_PROBLEMS and one summary', (t) => {
  const description = parseSdp('garbage line\n'.repeat(5000));
  t.is(description.problems.length, MAX_PROBLEMS + 1);
  t.regex(description.problems.at(-1)?.reason ?? '', /^\d+ more problems in this SDP are not listed$/);
});

test('evidence is cut to a readable length', (t) => {
  const description = sdp(...HEAD, `m=audio 40000 RTP/AVP ${'0 '.repeat(400)}`);
  t.true((description.problems[0]?.evidence?.length ?? 0) <= 257);
});
