/**
 * The media model of a representative set of real SDPs, pinned value by value.
 */
import test from 'ava';
import { parseSdp } from '../../src/sdp/parse.js';
import type { MediaDescription, SessionDescription } from '../../src/sdp/types.js';
import { readSdpFixture } from './fixtures.js';

function parseFixture(path: string): SessionDescription {
  const description = parseSdp(readSdpFixture(path));
  if (description.problems.length > 0) throw new Error(`${path}: ${JSON.stringify(description.problems)}`);
  return description;
}

function mediaAt(description: SessionDescription, index: number): MediaDescription {
  const media = description.media[index];
  if (media === undefined) throw new Error(`no m= section ${index}`);
  return media;
}

test('RFC 4317 §2.2 answer: the video stream is rejected with port 0', (t) => {
  const description = parseFixture('rfc4317/2.2-answer.sdp');
  t.is(description.media.length, 2);
  const audio = mediaAt(description, 0);
  t.like(audio, {
    index: 0,
    type: 'audio',
    port: 49172,
    portCount: 1,
    proto: 'RTP/AVP',
    formats: ['0', '8'],
  });
  t.like(audio.connection, {
    kind: 'fqdn',
    address: 'host.biloxi.example.com',
    line: 'c=IN IP4 host.biloxi.example.com',
  });
  t.is(audio.rtcp.port, 49173);
  const video = mediaAt(description, 1);
  t.like(video, {
    type: 'video',
    port: 0,
    formats: ['31'],
    connectionLevel: 'session',
    line: 'm=video 0 RTP/AVP 31',
  });
  t.like(video.rtcp, { port: 0, explicit: false, mux: false });
});

test('RFC 4317 §2.8 answer: a media-level c= overrides the session c= for video only', (t) => {
  const description = parseFixture('rfc4317/2.8-answer.sdp');
  const audio = mediaAt(description, 0);
  const video = mediaAt(description, 1);
  t.is(audio.connectionLevel, 'session');
  t.is(audio.connection?.address, 'host.biloxi.example.com');
  t.is(video.connectionLevel, 'media');
  t.like(video.connection, {
    kind: 'fqdn',
    address: 'otherhost.biloxi.example.com',
    netType: 'IN',
    addrType: 'IP4',
  });
  t.is(video.connections.length, 1);
  t.is(video.rtcp.address?.address, 'otherhost.biloxi.example.com');
  t.is(description.connection?.address, 'host.biloxi.example.com');
});

test('RFC 4317 §5.2 offer: c=IN IP4 0.0.0.0 is hold', (t) => {
  const description = parseFixture('rfc4317/5.2-offer.sdp');
  const audio = mediaAt(description, 0);
  t.like(audio.connection, { kind: 'hold', address: '0.0.0.0', mapped: false, ttl: null, count: null });
  t.like(audio, { port: 23442, formats: ['97'], direction: 'sendrecv', connectionLevel: 'session' });
  t.like(description.origin, { kind: 'fqdn', address: 'host.atlanta.example.com' });
});

test('RFC 4317 §2.1 offer: FQDN connection and origin addresses', (t) => {
  const description = parseFixture('rfc4317/2.1-offer.sdp');
  t.like(description.connection, {
    kind: 'fqdn',
    written: 'host.atlanta.example.com',
    address: 'host.atlanta.example.com',
  });
  t.deepEqual(
    description.media.map((media) => [media.type, media.port, media.connection?.kind]),
    [
      ['audio', 49170, 'fqdn'],
      ['video', 51372, 'fqdn'],
    ],
  );
});

test('RFC 4317 §3.2 offer: a=sendonly on the second audio stream', (t) => {
  const description = parseFixture('rfc4317/3.2-offer.sdp');
  t.deepEqual(
    description.media.map((media) => media.direction),
    ['sendrecv', 'sendonly'],
  );
});

test('RFC 8866 §5 example: three m= lines, video on a media-level IPv6 c=', (t) => {
  const description = parseFixture('rfc8866/sec5-example.sdp');
  t.like(description.origin, {
    kind: 'ip4',
    address: '198.51.100.1',
    line: 'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
  });
  t.deepEqual(
    description.media.map((media) => [
      media.type,
      media.port,
      media.connection?.address,
      media.connectionLevel,
    ]),
    [
      ['audio', 49170, '198.51.100.1', 'session'],
      ['audio', 49180, '198.51.100.1', 'session'],
      ['video', 51372, '2001:db8::2', 'media'],
    ],
  );
  t.like(mediaAt(description, 2).connection, { kind: 'ip6', addrType: 'IP6', written: '2001:db8::2' });
});

test('RFC 4568 offer: two crypto attributes, the second with two MKI keys', (t) => {
  const description = parseFixture('rfc4568/offer-p27-audio-excerpt.sdp');
  const audio = mediaAt(description, 0);
  t.like(audio, { proto: 'RTP/SAVP', port: 49170 });
  t.is(audio.connection?.address, '168.2.17.12');
  const [first, second] = audio.crypto;
  t.like(first, {
    tag: 1,
    suite: 'AES_CM_128_HMAC_SHA1_80',
    sessionParams: ['FEC_ORDER=FEC_SRTP'],
    wellFormed: true,
  });
  t.deepEqual(
    first?.keyParams.map((key) => [key.method, key.keyLength, key.lifetime, key.mki]),
    [['inline', 30, '2^20', { value: '1', length: 4 }]],
  );
  t.like(second, {
    tag: 2,
    suite: 'F8_128_HMAC_SHA1_80',
    sessionParams: ['FEC_ORDER=FEC_SRTP'],
    wellFormed: true,
  });
  t.deepEqual(
    second?.keyParams.map((key) => [key.keyLength, key.lifetime, key.mki]),
    [
      [30, '2^20', { value: '1', length: 4 }],
      [30, '2^20', { value: '2', length: 4 }],
    ],
  );
  t.regex(first?.keyParams[0]?.keyDigest ?? '', /^[0-9a-f]{16}$/);
  t.not(second?.keyParams[0]?.keyDigest, second?.keyParams[1]?.keyDigest);
  t.is(first?.line, 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^20|1:4 FEC_ORDER=FEC_SRTP');
});

test('Asterisk SDES answer: AES_256_CM_HMAC_SHA1_80 with a 46-byte key||salt, tag 5', (t) => {
  const description = parseFixture('sdes/asterisk-answer-aes256-rtpengine736.sdp');
  const audio = mediaAt(description, 0);
  t.like(audio, {
    proto: 'RTP/SAVP',
    port: 19118,
    formats: ['106', '9', '0', '97', '101'],
    direction: 'sendrecv',
  });
  t.is(audio.connection?.address, '50.196.241.75');
  t.like(audio.rtcp, { port: 19119, explicit: false, mux: false });
  t.is(audio.crypto.length, 1);
  t.like(audio.crypto[0], { tag: 5, suite: 'AES_256_CM_HMAC_SHA1_80', sessionParams: [], wellFormed: true });
  t.like(audio.crypto[0]?.keyParams[0], { method: 'inline', keyLength: 46, lifetime: null, mki: null });
  t.deepEqual(audio.fingerprints, []);
  t.is(audio.setup, null);
});

test('Chrome WebRTC offer: DTLS fingerprint, setup, rtcp-mux, hold address, no candidates', (t) => {
  const description = parseFixture('webrtc/chrome-offer-zlmediakit.sdp');
  t.is(description.connection, null);
  t.like(description.origin, { kind: 'ip4', address: '127.0.0.1' });
  t.is(description.media.length, 2);
  for (const media of description.media) {
    t.like(media, {
      port: 9,
      proto: 'UDP/TLS/RTP/SAVPF',
      direction: 'sendrecv',
      setup: 'actpass',
      connectionLevel: 'media',
    });
    t.like(media.connection, { kind: 'hold', address: '0.0.0.0' });
    t.like(media.rtcp, { port: 9, mux: true, explicit: true, line: 'a=rtcp:9 IN IP4 0.0.0.0' });
    t.is(media.rtcp.address?.kind, 'hold');
    t.deepEqual(
      media.fingerprints.map((fingerprint) => fingerprint.hash),
      ['sha-256'],
    );
    t.deepEqual(media.crypto, []);
    t.deepEqual(media.candidates, []);
  }
  t.deepEqual(
    description.media.map((media) => [media.type, media.formats.length]),
    [
      ['audio', 13],
      ['video', 23],
    ],
  );
});

test('FreeSWITCH DTLS offer: host candidates on 10.x, a=rtcp on the RTP port, rtcp-mux', (t) => {
  const description = parseFixture('webrtc/freeswitch-webrtc-dtls-offer-fs1310.sdp');
  const audio = mediaAt(description, 0);
  t.like(audio, { proto: 'RTP/SAVPF', port: 18822, setup: 'actpass', connectionLevel: 'session' });
  t.is(audio.connection?.address, '10.90.200.217');
  t.is(audio.fingerprints[0]?.hash, 'sha-256');
  t.like(audio.rtcp, { port: 18822, mux: true, explicit: true });
  t.like(audio.rtcp.address, {
    kind: 'ip4',
    address: '10.90.200.217',
    line: 'a=rtcp:18822 IN IP4 10.90.200.217',
  });
  t.is(audio.candidates.length, 2);
  t.deepEqual(
    audio.candidates.map((candidate) => [
      candidate.foundation,
      candidate.component,
      candidate.transport,
      candidate.priority,
      candidate.address.address,
      candidate.address.kind,
      candidate.port,
      candidate.type,
    ]),
    [
      ['4675497418', 1, 'udp', 2130706431, '10.90.200.217', 'ip4', 18822, 'host'],
      ['4675497418', 2, 'udp', 2130706431, '10.90.200.217', 'ip4', 18822, 'host'],
    ],
  );
  t.is(
    audio.candidates[1]?.line,
    'a=candidate:4675497418 2 udp 2130706431 10.90.200.217 18822 typ host generation 0',
  );
});

test('Mobicents offer: media-level c= and a=rtcp with its own address', (t) => {
  const description = parseFixture('plain/mobicents-offer-rtcp-attr-mediacore61.sdp');
  const audio = mediaAt(description, 0);
  t.like(audio, { port: 37402, connectionLevel: 'media', direction: 'sendrecv', comediaDirection: null });
  t.is(audio.connection?.address, '192.168.1.1');
  t.like(audio.rtcp, { port: 37403, explicit: true, mux: false, line: 'a=rtcp:37403 IN IP4 192.168.1.1' });
  t.like(audio.rtcp.address, { kind: 'ip4', address: '192.168.1.1', netType: 'IN', addrType: 'IP4' });
  t.is(description.origin?.address, '192.16.1.1');
});

test('FreeSWITCH plain offer: RTCP on the next port, no crypto', (t) => {
  const audio = mediaAt(parseFixture('plain/freeswitch-offer-sipjs675.sdp'), 0);
  t.like(audio, { port: 20638, proto: 'RTP/AVP', formats: ['0', '101'] });
  t.like(audio.rtcp, { port: 20639, explicit: false, line: null });
  t.is(audio.rtcp.address?.address, '34.213.223.189');
  t.deepEqual(audio.crypto, []);
});
