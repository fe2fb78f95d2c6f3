import test from 'ava';
import { cryptoSessionParams } from '../../../src/policy/checks/crypto-session-params.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

function withCrypto(...cryptoLines: string[]): string {
  return sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0', ...cryptoLines);
}

test('each weakening session parameter has its own code', (t) => {
  const text = withCrypto(
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('sp')}|2^31 UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP`,
  );
  const found = cryptoSessionParams.run(sdpContext(text, { side: 'customer' }));
  t.deepEqual(codesOf(found), ['srtp-unencrypted', 'srtcp-unencrypted', 'srtp-unauthenticated']);
  t.true(found.every((item) => item.mediaIndex === 0));
  t.regex(found[0]?.message ?? '', /tag 1 AES_CM_128_HMAC_SHA1_80 carries UNENCRYPTED_SRTP/);
  t.regex(found[2]?.message ?? '', /not authenticated/);
  t.true(found.every((item) => (item.evidence ?? '').includes('inline:[redacted]')));
});

test('one finding per stream and parameter, naming the first line that carries it', (t) => {
  const text = withCrypto(
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('a')}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key('b')} UNENCRYPTED_SRTCP`,
    `a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:${key('c')} UNENCRYPTED_SRTCP`,
  );
  const found = cryptoSessionParams.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['srtcp-unencrypted']);
  t.regex(found[0]?.message ?? '', /tag 2/);
});

test('harmless session parameters and rejected streams give nothing', (t) => {
  t.deepEqual(
    cryptoSessionParams.run(
      sdpContext(withCrypto(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('d')} KDR=0 WSH=64`)),
    ),
    [],
  );
  const rejected = sdp(
    ...session('203.0.113.10'),
    'm=audio 0 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('e')} UNENCRYPTED_SRTP`,
  );
  t.deepEqual(cryptoSessionParams.run(sdpContext(rejected)), []);
});
