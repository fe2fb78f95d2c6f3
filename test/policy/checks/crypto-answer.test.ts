import test from 'ava';
import { cryptoAnswer } from '../../../src/policy/checks/crypto-answer.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

const OFFER = sdp(
  ...session('203.0.113.10'),
  'm=audio 20000 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('o1')}`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key('o2')}`,
  'm=video 20002 RTP/SAVP 96',
  `a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${key('o5')}`,
);

function answerWith(
  audio: string[],
  video: string[] = [`a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${key('a5')}`],
): string {
  return sdp(
    ...session('168.86.140.10'),
    'm=audio 14380 RTP/SAVP 0',
    ...audio,
    'm=video 14382 RTP/SAVP 96',
    ...video,
  );
}

test('an answer accepting an offered tag with its suite is fine', (t) => {
  const text = answerWith([`a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key('a2')}`]);
  t.deepEqual(cryptoAnswer.run(sdpContext(text, { offer: OFFER })), []);
});

test('a tag that was not offered on that m= line is a mismatch', (t) => {
  const found = cryptoAnswer.run(
    sdpContext(answerWith([`a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:${key('a')}`]), { offer: OFFER }),
  );
  t.deepEqual(codesOf(found), ['crypto-answer-mismatch']);
  t.is(found[0]?.mediaIndex, 0);
  t.regex(found[0]?.message ?? '', /answers tag 5, which was not offered on this m= line \(offered: 1, 2\)/);
  t.regex(found[0]?.evidence ?? '', /^a=crypto:5 .*inline:\[redacted\]/);
});

test('an offered tag answered with another suite is a mismatch', (t) => {
  const found = cryptoAnswer.run(
    sdpContext(answerWith([`a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${key('a')}`]), { offer: OFFER }),
  );
  t.deepEqual(codesOf(found), ['crypto-answer-mismatch']);
  t.regex(
    found[0]?.message ?? '',
    /tag 1 with AES_CM_128_HMAC_SHA1_32, but the offer's tag 1 is AES_CM_128_HMAC_SHA1_80/,
  );
});

test('an answer with more than one a=crypto on a stream is reported', (t) => {
  const text = answerWith([
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('a1')}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key('a2')}`,
  ]);
  const found = cryptoAnswer.run(sdpContext(text, { offer: OFFER }));
  t.deepEqual(codesOf(found), ['crypto-answer-mismatch']);
  t.regex(found[0]?.message ?? '', /2 a=crypto lines/);
  t.regex(found[0]?.evidence ?? '', /^a=crypto:2 /);
});

test('no crypto in the answer is not a mismatch (srtp-negotiated / srtp-keys report it)', (t) => {
  const text = sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/AVP 0', 'm=video 14382 RTP/AVP 96');
  t.deepEqual(cryptoAnswer.run(sdpContext(text, { offer: OFFER })), []);
});

test('offers, answers to unseen offers, and rejected streams are not judged', (t) => {
  const wrong = answerWith([`a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${key('a')}`]);
  t.deepEqual(cryptoAnswer.run(sdpContext(wrong)), []);
  t.deepEqual(cryptoAnswer.run(sdpContext(wrong, { role: 'answer' })), []);
  const rejected = sdp(
    ...session('168.86.140.10'),
    'm=audio 0 RTP/SAVP 0',
    `a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${key('r')}`,
  );
  t.deepEqual(cryptoAnswer.run(sdpContext(rejected, { offer: OFFER })), []);
});
