/**
 * DESIGN principle 6: SDES key material never leaves parseSdp, in the model or in any problem.
 */
import test from 'ava';
import { parseSdp } from '../../src/sdp/parse.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import { crossCheckWithSdpTransform } from '../../src/sdp/sdp-transform-view.js';
import { listSdpFixtures, readSdpFixture, stringsIn } from './fixtures.js';

/** Every `inline:<key>` key||salt of a text, as written. */
function inlineKeys(text: string): string[] {
  return [...text.matchAll(/inline:([^|\s;]+)/gi)].map((match) => match[1] ?? '');
}

const keyed = listSdpFixtures().filter((path) => inlineKeys(readSdpFixture(path)).length > 0);

test('the keyed fixtures are the SDES ones (and the garbage one)', (t) => {
  t.deepEqual(keyed, [
    'crafted/crypto-malformed.sdp',
    'crafted/crypto-session-params.sdp',
    'crafted/garbage.sdp',
    'crafted/twilio-style-sdes-offer.sdp',
    'rfc4568/offer-p27-audio-excerpt.sdp',
    'sdes/asterisk-answer-aes256-rtpengine736.sdp',
  ]);
});

for (const path of keyed) {
  test(`${path}: no key in the model, the problems or the sdp-transform cross-check`, (t) => {
    const text = readSdpFixture(path);
    const description = parseSdp(text);
    const outputs = [
      JSON.stringify(description),
      ...description.problems.map((problem) => JSON.stringify(problem)),
      JSON.stringify(crossCheckWithSdpTransform(text, description)),
    ];
    for (const output of outputs) {
      for (const key of inlineKeys(text)) t.false(output.includes(key), `${path}: ${key.slice(0, 6)}…`);
    }
    for (const piece of stringsIn([description, crossCheckWithSdpTransform(text, description)])) {
      t.false(containsSdesKey(piece), piece);
    }
  });
}

test('a key pasted outside a=crypto (m=, c=, an unknown line) is redacted too', (t) => {
  const key = 'dHJ1bmtndWFyZC1wYXN0ZWQta2V5LTMwYnl0ZQ';
  const description = parseSdp(
    [
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.10',
      's=-',
      `c=IN IP4 inline:${key}`,
      't=0 0',
      `m=audio 40000 RTP/SAVP 0 inline:${key}`,
      `q=inline:${key}`,
      `a=crypto:1 inline:${key}`,
      `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|junk|1:4 FEC_KEY=inline:${key}`,
      '',
    ].join('\r\n'),
  );
  t.true(description.problems.length >= 4);
  t.false(JSON.stringify(description).includes(key));
});

test('an obsolete k= line (RFC 8866 §5.12) never shows its key in evidence', (t) => {
  const description = parseSdp(
    'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\na=sendrecv\r\nk=clear:0p3n-s3s4me\r\n',
  );
  t.deepEqual(
    description.problems.map((problem) => [problem.reason, problem.evidence]),
    [['k= is out of order; RFC 8866 §5 requires v o s i u e p c b t r z k a', 'k=clear:[redacted]']],
  );
  t.false(JSON.stringify(description).includes('0p3n-s3s4me'));
});
