import test from 'ava';
import { summarizeOffer } from '../../src/dialog/offer-summary.js';
import { parseSdp } from '../../src/sdp/parse.js';
import type { SessionDescription } from '../../src/sdp/types.js';

/** The nested form spelled out from the description: what the flat summary must read back as. */
function expected(description: SessionDescription) {
  return description.media.map((media) => ({
    index: media.index,
    type: media.type,
    port: media.port,
    crypto: media.crypto.map((crypto) => ({
      tag: crypto.tag,
      suite: crypto.suite,
      keyDigests: crypto.keyParams.flatMap((key) => (key.keyDigest === null ? [] : [key.keyDigest])),
    })),
  }));
}

const KEY_A = 'WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const KEY_B = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk';

test('a summary reads back every stream, a=crypto and key digest, in order', (t) => {
  const description = parseSdp(
    [
      'v=0',
      'o=- 1 1 IN IP4 203.0.113.10',
      's=-',
      'c=IN IP4 203.0.113.10',
      't=0 0',
      'm=audio 20000 RTP/SAVP 0',
      `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEY_A}`,
      `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEY_A}|2^20|1:4;inline:${KEY_B}|2^20|2:4`,
      'm=video 0 RTP/AVP 96',
      'm=text 20002 RTP/SAVP 98',
      'a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:',
      '',
    ].join('\r\n'),
  );
  const streams = summarizeOffer(description).streams;
  t.deepEqual(streams, expected(description));
  t.is(streams.length, 3);
  t.is(streams[0]!.crypto[1]!.keyDigests.length, 2);
  t.is(streams[1]!.port, 0);
  t.deepEqual(streams[1]!.crypto, []);
  t.is(summarizeOffer(description).streams[2]!.index, 2);
});

test('a summary of an SDP without media has no streams', (t) => {
  const description = parseSdp(['v=0', 'o=- 1 1 IN IP4 203.0.113.10', 's=-', 't=0 0', ''].join('\r\n'));
  t.deepEqual(summarizeOffer(description).streams, []);
});

test('summaries read in turn each read back their own streams (the expanded form is not kept per call)', (t) => {
  const sdp = (port: number, key: string) =>
    parseSdp(
      [
        'v=0',
        'o=- 1 1 IN IP4 203.0.113.10',
        's=-',
        'c=IN IP4 203.0.113.10',
        't=0 0',
        `m=audio ${port} RTP/SAVP 0`,
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`,
        '',
      ].join('\r\n'),
    );
  const first = sdp(20000, KEY_A);
  const second = sdp(30000, KEY_B);
  const a = summarizeOffer(first);
  const b = summarizeOffer(second);
  t.deepEqual(a.streams, expected(first));
  t.deepEqual(b.streams, expected(second));
  t.deepEqual(a.streams, expected(first));
  t.not(a.streams[0]!.crypto[0]!.keyDigests[0], b.streams[0]!.crypto[0]!.keyDigests[0]);
});
