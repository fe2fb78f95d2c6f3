/**
 * Every SDP of the shared corpus (test/fixtures/sdp, see INDEX.md) goes through parseSdp: no throw,
 * no problem for the well-formed ones, and exactly the expected problems for the others.
 */
import test from 'ava';
import { parseSdp } from '../../src/sdp/parse.js';
import { crossCheckWithSdpTransform } from '../../src/sdp/sdp-transform-view.js';
import { listCorpusSdps, readSdpFixture } from './fixtures.js';

/**
 * The corpus files that are not well-formed, and why:
 * - the Asterisk offer from livekit/sip#141 was anonymised to `xxx.xxx.xxx.xxx` in o= and c=;
 * - the Twilio 200 OK excerpt (voice-quickstart-android#131) stops after c=: no t= and no m= line;
 *   the other Twilio excerpt (rtpengine#144) stops after its m= line, which is still a complete,
 *   well-formed description (v o s c t m), so it has no problem.
 */
const EXPECTED_PROBLEMS: Readonly<Record<string, readonly string[]>> = {
  'plain/asterisk-offer-livekit-sip141.sdp': [
    "o=: 'xxx.xxx.xxx.xxx' is shaped like an IPv4 address but is not a valid one",
    "c=: 'xxx.xxx.xxx.xxx' is shaped like an IPv4 address but is not a valid one",
  ],
  'twilio/twilio-media-gateway-200ok-sdp-voice-android131-PARTIAL.sdp': [
    'the session has no t= line (RFC 8866 §5.9)',
  ],
};

test('the corpus is all there (64 SDPs: 54 RFC 4317, 10 others)', (t) => {
  t.is(listCorpusSdps().length, 64);
});

for (const path of listCorpusSdps()) {
  test(`corpus ${path}: parses with exactly the expected problems`, (t) => {
    const description = parseSdp(readSdpFixture(path));
    t.deepEqual(
      description.problems.map((problem) => problem.reason),
      EXPECTED_PROBLEMS[path] ?? [],
    );
    for (const problem of description.problems) t.is(problem.code, 'malformed-sdp');
  });

  test(`corpus ${path}: sdp-transform reads the same media`, (t) => {
    const text = readSdpFixture(path);
    t.deepEqual(crossCheckWithSdpTransform(text, parseSdp(text)), []);
  });
}

test('the anonymised Asterisk offer: address kind invalid, written as given', (t) => {
  const description = parseSdp(readSdpFixture('plain/asterisk-offer-livekit-sip141.sdp'));
  t.is(description.connection?.kind, 'invalid');
  t.is(description.origin?.kind, 'invalid');
  t.is(description.media[0]?.connection?.written, 'xxx.xxx.xxx.xxx');
  t.deepEqual(
    description.problems.map((problem) => problem.evidence),
    ['o=- 1145153493 1145153493 IN IP4 xxx.xxx.xxx.xxx', 'c=IN IP4 xxx.xxx.xxx.xxx'],
  );
});

test('the truncated Twilio 200 OK: session connection, no media', (t) => {
  const description = parseSdp(
    readSdpFixture('twilio/twilio-media-gateway-200ok-sdp-voice-android131-PARTIAL.sdp'),
  );
  t.is(description.connection?.address, '54.252.254.74');
  t.is(description.media.length, 0);
});

test('the truncated Twilio INVITE: one complete audio section on 54.174.11.44', (t) => {
  const description = parseSdp(readSdpFixture('twilio/twilio-gateway-invite-sdp-rtpengine144-PARTIAL.sdp'));
  const [audio] = description.media;
  t.is(description.media.length, 1);
  t.like(audio, {
    type: 'audio',
    port: 33340,
    proto: 'RTP/AVP',
    formats: ['0', '101'],
    connectionLevel: 'session',
  });
  t.is(audio?.connection?.address, '54.174.11.44');
  t.is(audio?.rtcp.port, 33341);
});
