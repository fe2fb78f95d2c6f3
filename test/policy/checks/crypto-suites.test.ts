import test from 'ava';
import { cryptoSuites } from '../../../src/policy/checks/crypto-suites.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

function crypto(tag: number, suite: string, bytes = 30): string {
  return `a=crypto:${tag} ${suite} inline:${key(`${suite}-${tag}`, bytes)}`;
}

function offerFromCustomer(...lines: string[]): string {
  return sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0', ...lines);
}

function answerFromCarrier(...lines: string[]): string {
  return sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/SAVP 0', ...lines);
}

const customer = { side: 'customer' as const };
const answer = { role: 'answer' as const };

test('what Twilio accepts, preferred strong suite first: no finding', (t) => {
  const text = offerFromCustomer(crypto(1, 'AES_CM_128_HMAC_SHA1_80'), crypto(2, 'AES_CM_128_HMAC_SHA1_32'));
  t.deepEqual(cryptoSuites.run(sdpContext(text, customer)), []);
});

test('NULL suites are null-crypto-suite (not also "unregistered")', (t) => {
  const text = offerFromCustomer(crypto(1, 'AES_CM_128_HMAC_SHA1_80'), crypto(2, 'NULL_HMAC_SHA1_80'));
  const found = cryptoSuites.run(sdpContext(text, customer));
  t.deepEqual(codesOf(found), ['null-crypto-suite']);
  t.is(found[0]?.mediaIndex, 0);
  t.regex(found[0]?.message ?? '', /tag 2 NULL_HMAC_SHA1_80/);
  t.regex(found[0]?.evidence ?? '', /^a=crypto:2 NULL_HMAC_SHA1_80 inline:\[redacted\]/);
});

test('offer: a 32-bit tag is weak only when it is the preferred (first) suite', (t) => {
  const weakFirst = offerFromCustomer(
    crypto(1, 'AES_CM_128_HMAC_SHA1_32'),
    crypto(2, 'AES_CM_128_HMAC_SHA1_80'),
  );
  const found = cryptoSuites.run(sdpContext(weakFirst, customer));
  t.deepEqual(codesOf(found), ['weak-crypto-suite']);
  t.regex(
    found[0]?.message ?? '',
    /prefers a=crypto tag 1 AES_CM_128_HMAC_SHA1_32, a 32-bit authentication tag/,
  );
});

test('answer: the chosen 32-bit suite is weak', (t) => {
  const found = cryptoSuites.run(sdpContext(answerFromCarrier(crypto(2, 'AES_CM_128_HMAC_SHA1_32')), answer));
  t.deepEqual(codesOf(found), ['weak-crypto-suite']);
  t.regex(found[0]?.message ?? '', /chose a=crypto tag 2 AES_CM_128_HMAC_SHA1_32/);
});

test('AES-256 32-bit tags are weak too; F8 (80-bit tag) is not', (t) => {
  t.deepEqual(
    codesOf(
      cryptoSuites.run(
        sdpContext(answerFromCarrier(crypto(1, 'AES_256_CM_HMAC_SHA1_32', 46)), {
          ...answer,
          policy: { allowedSuites: ['AES_256_CM_HMAC_SHA1_32'] },
        }),
      ),
    ),
    ['weak-crypto-suite'],
  );
  t.deepEqual(
    cryptoSuites.run(
      sdpContext(answerFromCarrier(crypto(1, 'F8_128_HMAC_SHA1_80')), {
        ...answer,
        policy: { allowedSuites: ['F8_128_HMAC_SHA1_80'] },
      }),
    ),
    [],
  );
});

test('a customer offer to Twilio with only AES_256 cannot be accepted by Twilio', (t) => {
  const found = cryptoSuites.run(
    sdpContext(offerFromCustomer(crypto(1, 'AES_256_CM_HMAC_SHA1_80', 46)), customer),
  );
  t.deepEqual(codesOf(found), ['unsupported-crypto-suite']);
  t.regex(
    found[0]?.message ?? '',
    /none of the offered AES_256_CM_HMAC_SHA1_80 is accepted \(Twilio accepts AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32\)/,
  );
});

test('an offer listing an accepted suite after an unaccepted one is fine', (t) => {
  const text = offerFromCustomer(
    crypto(1, 'AES_256_CM_HMAC_SHA1_80', 46),
    crypto(2, 'AES_CM_128_HMAC_SHA1_80'),
  );
  t.deepEqual(cryptoSuites.run(sdpContext(text, customer)), []);
});

test('a suite outside the IANA registry is reported even next to good ones', (t) => {
  const text = offerFromCustomer(crypto(1, 'AES_CM_128_HMAC_SHA1_80'), crypto(2, 'ARIA_CM_128_HMAC_SHA1_80'));
  const found = cryptoSuites.run(sdpContext(text, customer));
  t.deepEqual(codesOf(found), ['unsupported-crypto-suite']);
  t.regex(found[0]?.message ?? '', /ARIA_CM_128_HMAC_SHA1_80 is not in the IANA SRTP crypto suite registry/);
  t.regex(found[0]?.evidence ?? '', /^a=crypto:2 ARIA/);
});

test('suite names compare case-insensitively (ABNF literals)', (t) => {
  t.deepEqual(
    cryptoSuites.run(sdpContext(offerFromCustomer(crypto(1, 'aes_cm_128_hmac_sha1_80')), customer)),
    [],
  );
});

test('carrier answer: policy.allowedSuites wins over the carrier list', (t) => {
  const text = answerFromCarrier(crypto(1, 'AES_256_CM_HMAC_SHA1_80', 46));
  const found = cryptoSuites.run(sdpContext(text, answer));
  t.deepEqual(codesOf(found), ['unsupported-crypto-suite']);
  t.regex(found[0]?.message ?? '', /the chosen AES_256_CM_HMAC_SHA1_80 is not accepted \(Twilio accepts/);
  t.deepEqual(
    cryptoSuites.run(sdpContext(text, { ...answer, policy: { allowedSuites: ['AES_256_CM_HMAC_SHA1_80'] } })),
    [],
  );
});

test('customer SDP: both the carrier list and policy.allowedSuites apply', (t) => {
  const text = offerFromCustomer(crypto(1, 'AES_CM_128_HMAC_SHA1_80'));
  const found = cryptoSuites.run(
    sdpContext(text, { ...customer, policy: { allowedSuites: ['AEAD_AES_256_GCM'] } }),
  );
  t.deepEqual(codesOf(found), ['unsupported-crypto-suite']);
  t.regex(found[0]?.message ?? '', /the policy accepts AEAD_AES_256_GCM/);
});

test('without any accepted list only the registry is judged', (t) => {
  const options = { ...customer, profile: { srtp: null } };
  t.deepEqual(
    cryptoSuites.run(sdpContext(offerFromCustomer(crypto(1, 'AES_256_CM_HMAC_SHA1_80', 46)), options)),
    [],
  );
  t.deepEqual(codesOf(cryptoSuites.run(sdpContext(offerFromCustomer(crypto(1, 'FOO_SUITE')), options))), [
    'unsupported-crypto-suite',
  ]);
});

test('rejected streams are not judged', (t) => {
  const text = sdp(...session('203.0.113.10'), 'm=audio 0 RTP/SAVP 0', crypto(1, 'NULL_HMAC_SHA1_32'));
  t.deepEqual(cryptoSuites.run(sdpContext(text, customer)), []);
});
