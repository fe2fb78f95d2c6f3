/**
 * parseSdp never throws, also when sdp-transform's model comes in a shape the cross-check has not
 * met (its values are not always of the types it declares: a=fingerprint:1 gave a number). Here its
 * parse is replaced, for this file's one test, by one returning such a shape.
 */
import test from 'ava';
import sdpTransform from 'sdp-transform';
import { parseSdp } from '../../src/sdp/parse.js';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n';

test('a model the cross-check cannot read is one malformed-sdp problem, not a throw', (t) => {
  const original = sdpTransform.parse;
  // media: null where an array is declared.
  sdpTransform.parse = (() => ({ media: null })) as unknown as typeof sdpTransform.parse;
  try {
    const description = parseSdp(SDP, { crossCheckWithSdpTransform: true });
    t.is(description.media.length, 1, 'the strict pass still models the SDP');
    t.deepEqual(
      description.problems.map((problem) => problem.code),
      ['malformed-sdp'],
    );
    t.regex(
      description.problems[0]?.reason ?? '',
      /^sdp-transform's reading could not be compared with the strict pass: TypeError: /,
    );
  } finally {
    sdpTransform.parse = original;
  }
  t.deepEqual(parseSdp(SDP, { crossCheckWithSdpTransform: true }).problems, [], 'the real parse agrees');
});
