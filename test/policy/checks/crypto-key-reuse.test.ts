import test from 'ava';
import { cryptoKeyReuse } from '../../../src/policy/checks/crypto-key-reuse.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import { codesOf, key, sdp, sdpContext, session, sipMessage } from './context.js';

function crypto(tag: number, seed: string, suite = 'AES_CM_128_HMAC_SHA1_80'): string {
  return `a=crypto:${tag} ${suite} inline:${key(seed)}`;
}

const OFFER = sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0', crypto(1, 'offer-key'));

function digestOf(text: string): string {
  const digest = parseSdp(text).media[0]?.crypto[0]?.keyParams[0]?.keyDigest;
  if (!digest) throw new Error('no key digest');
  return digest;
}

test('fresh keys everywhere: no finding', (t) => {
  const answer = sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/SAVP 0', crypto(1, 'answer-key'));
  t.deepEqual(cryptoKeyReuse.run(sdpContext(answer, { offer: OFFER })), []);
});

test('an answer echoing the offer key is a two-time pad (RFC 3711 §9.1)', (t) => {
  const answer = sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/SAVP 0', crypto(1, 'offer-key'));
  const found = cryptoKeyReuse.run(sdpContext(answer, { offer: OFFER }));
  t.deepEqual(codesOf(found), ['crypto-key-reuse']);
  t.is(found[0]?.mediaIndex, 0);
  t.regex(found[0]?.message ?? '', /reuses the key the offer gave m=audio #0/);
  t.regex(found[0]?.evidence ?? '', /inline:\[redacted\]/);
  t.false((found[0]?.message ?? '').includes(key('offer-key')));
});

test('the same key on two m= lines of one SDP is reuse; on two crypto lines of one m= it is not', (t) => {
  const twoStreams = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    crypto(1, 'shared'),
    'm=video 20002 RTP/SAVP 96',
    crypto(1, 'shared'),
  );
  const found = cryptoKeyReuse.run(sdpContext(twoStreams));
  t.deepEqual(codesOf(found), ['crypto-key-reuse']);
  t.is(found[0]?.mediaIndex, 1);
  t.regex(found[0]?.message ?? '', /same key as m=audio #0/);
  const alternatives = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    crypto(1, 'shared'),
    crypto(2, 'shared', 'AES_CM_128_HMAC_SHA1_32'),
  );
  t.deepEqual(cryptoKeyReuse.run(sdpContext(alternatives)), []);
});

test('a key seen in another call is reported with that Call-ID; the same call is not', (t) => {
  const text = sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0', crypto(1, 'old-key'));
  const recentKeys = new Map([[digestOf(text), 'earlier-call@pbx.example.com']]);
  const found = cryptoKeyReuse.run(sdpContext(text, { recentKeys }));
  t.deepEqual(codesOf(found), ['crypto-key-reuse']);
  t.regex(found[0]?.message ?? '', /another call \(Call-ID earlier-call@pbx\.example\.com\)/);

  const sameCall = new Map([[digestOf(text), 'call-1@pbx.example.com']]);
  t.is(sipMessage().callId, 'call-1@pbx.example.com');
  t.deepEqual(cryptoKeyReuse.run(sdpContext(text, { recentKeys: sameCall })), []);
});

test('each key is reported once per SDP', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    crypto(1, 'old-key'),
    'm=video 20002 RTP/SAVP 96',
    crypto(1, 'old-key'),
  );
  const recentKeys = new Map([[digestOf(text), 'earlier-call@pbx.example.com']]);
  t.is(cryptoKeyReuse.run(sdpContext(text, { recentKeys })).length, 1);
});

test('rejected streams are not judged', (t) => {
  const answer = sdp(...session('168.86.140.10'), 'm=audio 0 RTP/SAVP 0', crypto(1, 'offer-key'));
  t.deepEqual(cryptoKeyReuse.run(sdpContext(answer, { offer: OFFER })), []);
});
