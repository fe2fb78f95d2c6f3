/**
 * The crafted fixtures (test/fixtures/sdp/crafted/README.md): what sdp-transform hides, and what we report.
 */
import test from 'ava';
import sdpTransform from 'sdp-transform';
import { parseSdp } from '../../src/sdp/parse.js';
import { crossCheckWithSdpTransform } from '../../src/sdp/sdp-transform-view.js';
import type { MediaDescription, SessionDescription } from '../../src/sdp/types.js';
import { readSdpFixture } from './fixtures.js';

function parseCrafted(name: string): SessionDescription {
  return parseSdp(readSdpFixture(`crafted/${name}`));
}

function mediaAt(description: SessionDescription, index: number): MediaDescription {
  const media = description.media[index];
  if (media === undefined) throw new Error(`no m= section ${index}`);
  return media;
}

/*
 * Duplicate c=. Our choice: the FIRST c= is the effective address, every c= of that level is kept in
 * `connections`, and `duplicate-connection-line` names both. sdp-transform keeps the LAST.
 */
test('two session-level c= lines: duplicate-connection-line; we use the first, sdp-transform the last', (t) => {
  const text = readSdpFixture('crafted/duplicate-c-session.sdp');
  const description = parseSdp(text);
  t.deepEqual(description.problems, [
    {
      code: 'duplicate-connection-line',
      reason:
        '2 c= lines at the session level (RFC 8866 §5.7 allows one): the first, 192.0.2.10, is used here; ' +
        'a last-wins parser such as sdp-transform uses 203.0.113.66',
      mediaIndex: null,
      evidence: 'c=IN IP4 203.0.113.66',
    },
  ]);
  t.is(description.connection?.address, '192.0.2.10');
  t.deepEqual(
    description.connections.map((connection) => connection.address),
    ['192.0.2.10', '203.0.113.66'],
  );
  const audio = mediaAt(description, 0);
  t.is(audio.connection?.address, '192.0.2.10');
  t.is(audio.connectionLevel, 'session');
  t.is(audio.connections.length, 2);

  const transformed = sdpTransform.parse(text);
  t.is(transformed.connection?.ip, '203.0.113.66');
  t.deepEqual(
    crossCheckWithSdpTransform(text, description).map((problem) => problem.reason),
    [
      'parsers disagree on the connection address of the session: sdp-transform reads 203.0.113.66, the strict pass 192.0.2.10',
      'parsers disagree on the connection address of m= section 0: sdp-transform reads 203.0.113.66, the strict pass 192.0.2.10',
    ],
  );
});

test('two c= lines in one m= section: flagged at that index; the other section keeps the session c=', (t) => {
  const text = readSdpFixture('crafted/duplicate-c-media.sdp');
  const description = parseSdp(text);
  t.is(description.problems.length, 1);
  t.like(description.problems[0], {
    code: 'duplicate-connection-line',
    mediaIndex: 0,
    evidence: 'c=IN IP4 203.0.113.66',
  });
  t.regex(
    description.problems[0]?.reason ?? '',
    /in m= section 0 .* the first, 198\.51\.100\.20, is used here/,
  );
  const audio = mediaAt(description, 0);
  t.is(audio.connection?.address, '198.51.100.20');
  t.is(audio.connectionLevel, 'media');
  t.deepEqual(
    audio.connections.map((connection) => connection.line),
    ['c=IN IP4 198.51.100.20', 'c=IN IP4 203.0.113.66'],
  );
  t.is(audio.rtcp.address?.address, '198.51.100.20');
  t.is(sdpTransform.parse(text).media[0]?.connection?.ip, '203.0.113.66');
  const video = mediaAt(description, 1);
  t.is(video.connection?.address, '192.0.2.10');
  t.is(video.connectionLevel, 'session');
});

test('m=audio 5000/2: port and port count, which sdp-transform cannot read', (t) => {
  const text = readSdpFixture('crafted/port-count.sdp');
  const description = parseSdp(text);
  t.deepEqual(description.problems, []);
  t.like(mediaAt(description, 0), {
    type: 'audio',
    port: 5000,
    portCount: 2,
    proto: 'RTP/AVP',
    formats: ['0'],
  });
  t.like(mediaAt(description, 1), { type: 'video', port: 49170, portCount: 2, formats: ['31'] });
  t.is(mediaAt(description, 1).rtcp.port, 49171);
  const transformed = sdpTransform.parse(text).media[0];
  t.is(transformed?.port, undefined);
  t.is(transformed?.type, undefined);
  t.true(
    crossCheckWithSdpTransform(text, description).some((problem) =>
      problem.reason.includes('the port of m= section 0'),
    ),
  );
});

test('multicast: /ttl/count on IPv4, /count on IPv6, and layered multicast c= lines allowed', (t) => {
  const description = parseCrafted('multicast.sdp');
  t.deepEqual(description.problems, []);
  t.like(description.connection, {
    kind: 'multicast',
    written: '233.252.0.1',
    address: '233.252.0.1',
    ttl: 127,
    count: 3,
  });
  t.like(mediaAt(description, 0).connection, { kind: 'multicast', ttl: 127, count: 3 });
  t.like(mediaAt(description, 1).connection, {
    kind: 'multicast',
    addrType: 'IP6',
    address: 'ff15::101',
    ttl: null,
    count: 3,
  });
  const layered = mediaAt(description, 2);
  t.like(layered.connection, { address: '233.252.0.10', ttl: 127, count: null });
  t.deepEqual(
    layered.connections.map((connection) => connection.address),
    ['233.252.0.10', '233.252.0.11'],
  );
});

test('IPv4-mapped IPv6 is judged as IPv4; IPv6 is normalized; :: is hold', (t) => {
  const description = parseCrafted('ipv4-mapped-ipv6.sdp');
  t.deepEqual(description.problems, []);
  t.like(mediaAt(description, 0).connection, {
    addrType: 'IP6',
    written: '::ffff:192.0.2.2',
    address: '192.0.2.2',
    kind: 'ip4',
    mapped: true,
  });
  t.like(mediaAt(description, 1).connection, {
    written: '2001:0DB8:0000:0000:0000:0000:0000:0002',
    address: '2001:db8::2',
    kind: 'ip6',
    mapped: false,
  });
  t.like(mediaAt(description, 2).connection, { address: '::', kind: 'hold' });
  t.like(description.origin, { kind: 'ip6', address: '2001:db8::1' });
});

test('bare LF line ends and no end after the last line', (t) => {
  const description = parseCrafted('bare-lf.sdp');
  t.deepEqual(description.problems, []);
  t.like(mediaAt(description, 0), { port: 40000, formats: ['0', '101'], direction: 'sendonly' });
  t.is(description.connection?.address, '192.0.2.10');
});

test('garbage: problems, no media, no throw', (t) => {
  const description = parseCrafted('garbage.sdp');
  t.deepEqual(description.media, []);
  t.is(description.origin, null);
  t.true(description.problems.length >= 4);
  t.true(description.problems.every((problem) => problem.code === 'malformed-sdp'));
  t.is(description.problems[0]?.reason, 'an SDP description must begin with v=0 (RFC 8866 §5)');
  t.true(
    description.problems.some((problem) => problem.reason === 'the session has no o= line (RFC 8866 §5.2)'),
  );
});

test('a=crypto with two MKI keys and every SRTP session parameter', (t) => {
  const description = parseCrafted('crypto-session-params.sdp');
  t.deepEqual(description.problems, []);
  const [first, second] = mediaAt(description, 0).crypto;
  t.like(first, { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', wellFormed: true });
  t.deepEqual(first?.sessionParams, [
    'KDR=1',
    'UNENCRYPTED_SRTCP',
    'UNAUTHENTICATED_SRTP',
    'WSH=64',
    'FEC_ORDER=FEC_SRTP',
    'FEC_KEY=inline:[redacted]|2^20',
  ]);
  t.deepEqual(
    first?.keyParams.map((key) => [key.method, key.keyLength, key.lifetime, key.mki]),
    [
      ['inline', 30, '2^20', { value: '1', length: 4 }],
      ['inline', 30, '2^20', { value: '2', length: 4 }],
    ],
  );
  t.like(second, { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', sessionParams: [], wellFormed: true });
  t.like(second?.keyParams[0], { lifetime: null, mki: { value: '1066', length: 4 }, keyLength: 30 });
  // The same key||salt in both attributes: equal digests (what a key-reuse check compares), different keys: not.
  t.is(second?.keyParams[0]?.keyDigest, first?.keyParams[0]?.keyDigest);
  t.not(first?.keyParams[0]?.keyDigest, first?.keyParams[1]?.keyDigest);
});

test('malformed a=crypto lines: one problem each, wellFormed false, the section still modelled', (t) => {
  const description = parseCrafted('crypto-malformed.sdp');
  t.deepEqual(
    description.problems.map((problem) => [problem.code, problem.mediaIndex, problem.reason]),
    [
      ['malformed-sdp', 0, 'a=crypto: the tag must be 1 to 9 digits (RFC 4568 §9.1)'],
      ['malformed-sdp', 0, 'a=crypto needs <tag> <crypto-suite> <key-params> (RFC 4568 §9.1)'],
      [
        'malformed-sdp',
        0,
        'a=crypto: the MKI must be <value>:<length> with a length of 1-128 bytes (RFC 4568 §9.2)',
      ],
      ['malformed-sdp', 0, 'a=crypto: KDR must be 0-24 (RFC 4568 §6.3.1)'],
      ['malformed-sdp', 0, 'a=crypto tag 4 appears twice in one media section (RFC 4568 §4)'],
    ],
  );
  const crypto = mediaAt(description, 0).crypto;
  t.deepEqual(
    crypto.map((attribute) => [attribute.tag, attribute.wellFormed]),
    [
      [null, false],
      [2, false],
      [3, false],
      [4, false],
      [4, true],
    ],
  );
  t.is(crypto[2]?.keyParams[0]?.keyLength, null);
  t.deepEqual(crypto[1]?.keyParams, []);
  t.is(description.problems[2]?.evidence, 'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^20|1:999');
});

test('unknown line types x= and y= are malformed; the rest is still read', (t) => {
  const description = parseCrafted('unknown-line-type.sdp');
  t.deepEqual(
    description.problems.map((problem) => [problem.mediaIndex, problem.reason, problem.evidence]),
    [
      [
        null,
        "unknown line type 'x='; RFC 8866 §5 says the set of type letters is not extensible",
        'x=something only a private stack understands',
      ],
      [0, "unknown line type 'y='; RFC 8866 §5 says the set of type letters is not extensible", 'y=another'],
    ],
  );
  t.is(description.media.length, 1);
  t.is(mediaAt(description, 0).connection?.address, '192.0.2.10');
});

test('an active m= line without any c=: missing-connection-address; the rejected one is fine', (t) => {
  const description = parseCrafted('missing-connection.sdp');
  t.deepEqual(description.problems, [
    {
      code: 'missing-connection-address',
      reason: 'm= section 0 (port 40000) has no c= line, and there is none at session level (RFC 8866 §5.7)',
      mediaIndex: 0,
      evidence: 'm=audio 40000 RTP/AVP 0',
    },
  ]);
  t.is(mediaAt(description, 0).connection, null);
  t.is(mediaAt(description, 0).connectionLevel, null);
  t.like(mediaAt(description, 1), { port: 0, connection: null });
});

test('only a rejected stream and no c= at all: no problem', (t) => {
  const description = parseCrafted('rejected-without-connection.sdp');
  t.deepEqual(description.problems, []);
  t.like(mediaAt(description, 0), { port: 0, connection: null, connectionLevel: null });
});

test('addresses not valid for their addrtype are malformed and of kind invalid', (t) => {
  const description = parseCrafted('invalid-addresses.sdp');
  t.deepEqual(
    description.problems.map((problem) => [problem.mediaIndex, problem.reason]),
    [
      [0, "c=: '999.1.1.1' is shaped like an IPv4 address but is not a valid one"],
      [1, "c=: '2001:db8::1' is an IPv6 literal under addrtype IP4"],
      [2, 'c=: a /ttl or /count suffix is only allowed on a multicast address'],
      [3, "c=: '1.2.3' is neither an IP literal nor a domain name"],
      [4, "a=rtcp: '300.1.1.1' is shaped like an IPv4 address but is not a valid one"],
    ],
  );
  t.deepEqual(
    description.media.map((media) => media.connection?.kind),
    ['invalid', 'invalid', 'ip4', 'invalid', 'ip4'],
  );
  t.like(mediaAt(description, 4).rtcp, { port: 40009, explicit: true });
  t.is(mediaAt(description, 4).rtcp.address?.kind, 'invalid');
});

test('a=direction:active (COMEDIA) is reported as comediaDirection', (t) => {
  const description = parseCrafted('comedia-direction.sdp');
  t.deepEqual(description.problems, []);
  t.like(mediaAt(description, 0), { comediaDirection: 'active', direction: 'sendrecv' });
});

test('the Twilio-style SDES offer used by the benchmark is well-formed', (t) => {
  const description = parseCrafted('twilio-style-sdes-offer.sdp');
  t.deepEqual(description.problems, []);
  const audio = mediaAt(description, 0);
  t.like(audio, { port: 12346, proto: 'RTP/SAVP', formats: ['0', '8', '101'] });
  t.is(audio.connection?.address, '168.86.128.10');
  t.like(audio.crypto[0], { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', wellFormed: true });
});

test('parseSdp with crossCheckWithSdpTransform: new disagreements only where nothing was reported', (t) => {
  const portCount = parseSdp(readSdpFixture('crafted/port-count.sdp'), { crossCheckWithSdpTransform: true });
  t.true(portCount.problems.length > 0);
  t.true(portCount.problems.every((problem) => problem.code === 'malformed-sdp'));
  t.true(
    portCount.problems.some((problem) =>
      problem.reason.startsWith('parsers disagree on the port of m= section 0'),
    ),
  );

  // The duplicate c= is reported once, as duplicate-connection-line, not again as a disagreement.
  const duplicate = parseSdp(readSdpFixture('crafted/duplicate-c-media.sdp'), {
    crossCheckWithSdpTransform: true,
  });
  t.deepEqual(
    duplicate.problems.map((problem) => problem.code),
    ['duplicate-connection-line'],
  );

  const wellFormed = parseSdp(readSdpFixture('webrtc/chrome-offer-zlmediakit.sdp'), {
    crossCheckWithSdpTransform: true,
  });
  t.deepEqual(wellFormed.problems, []);
});

/*
 * sdp-transform turns every field that reads as a number into one (toIntIfInt): a hash function
 * named `1` (a token, RFC 8122 §5) or `Infinity` came back a number, and the cross-check's
 * toLowerCase threw a TypeError out of parseSdp: `trunkguard check` ended as an internal error.
 */
test('a=fingerprint with a hash function sdp-transform reads as a number: compared, not a crash', (t) => {
  for (const hash of ['1', 'Infinity', 'NaN']) {
    for (const level of ['session', 'media']) {
      const fingerprint = `a=fingerprint:${hash} AB:CD\r\n`;
      const text =
        'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n' +
        (level === 'session' ? fingerprint : '') +
        'm=audio 5000 UDP/TLS/RTP/SAVP 0\r\n' +
        (level === 'media' ? fingerprint : '');
      const description = parseSdp(text, { crossCheckWithSdpTransform: true });
      t.is(description.media[0]?.fingerprints.at(-1)?.hash, hash.toLowerCase(), `${hash} at ${level} level`);
      t.deepEqual(
        crossCheckWithSdpTransform(text, description).filter((problem) =>
          problem.reason.includes('fingerprint'),
        ),
        [],
        `${hash} at ${level} level`,
      );
    }
  }
});
