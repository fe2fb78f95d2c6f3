import test from 'ava';
import { cryptoMki } from '../../../src/policy/checks/crypto-mki.js';
import { codesOf, key, sdp, sdpContext, session, TWILIO } from './context.js';

const WITH_MKI = sdp(
  ...session('203.0.113.10'),
  'm=audio 20000 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('mki')}|2^31|1:4`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key('no-mki')}|2^31`,
);

test('an MKI toward a carrier without MKI support is reported, on either side', (t) => {
  for (const side of ['customer', 'carrier'] as const) {
    const found = cryptoMki.run(sdpContext(WITH_MKI, { side }));
    t.deepEqual(codesOf(found), ['crypto-mki-unsupported']);
    t.is(found[0]?.mediaIndex, 0);
    t.regex(
      found[0]?.message ?? '',
      /tag 1 AES_CM_128_HMAC_SHA1_80 carries an MKI \(4-byte\), which Twilio does not support/,
    );
    t.is(found[0]?.evidence, 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^31|1:4');
  }
});

test('silent when the carrier supports MKI or publishes no SRTP facts', (t) => {
  t.deepEqual(cryptoMki.run(sdpContext(WITH_MKI, { profile: { srtp: { ...TWILIO.srtp!, mki: true } } })), []);
  t.deepEqual(cryptoMki.run(sdpContext(WITH_MKI, { profile: { srtp: null } })), []);
});

test('rejected streams are not judged', (t) => {
  const rejected = sdp(
    ...session('203.0.113.10'),
    'm=audio 0 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('r')}|2^31|1:4`,
  );
  t.deepEqual(cryptoMki.run(sdpContext(rejected)), []);
});
