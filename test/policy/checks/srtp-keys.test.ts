import test from 'ava';
import { srtpKeys } from '../../../src/policy/checks/srtp-keys.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

function media(...lines: string[]): string {
  return sdp(...session('168.86.140.10'), ...lines);
}

test('RTP/SAVP with neither a=crypto nor a=fingerprint cannot be keyed', (t) => {
  const found = srtpKeys.run(sdpContext(media('m=audio 14380 RTP/SAVP 0')));
  t.deepEqual(codesOf(found), ['srtp-missing-keys']);
  t.is(found[0]?.mediaIndex, 0);
  t.is(found[0]?.evidence, 'm=audio 14380 RTP/SAVP 0');
  t.regex(found[0]?.message ?? '', /neither a=crypto nor a=fingerprint/);
});

test('RTP/SAVP keyed by a DTLS fingerprint is fine; DTLS profiles are dtls.ts business', (t) => {
  const fingerprint =
    'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF';
  t.deepEqual(
    srtpKeys.run(sdpContext(media('m=audio 14380 RTP/SAVP 0', fingerprint, 'a=setup:actpass'))),
    [],
  );
  t.deepEqual(srtpKeys.run(sdpContext(media('m=audio 14380 UDP/TLS/RTP/SAVP 0'))), []);
});

test('keys of the right length for their suite are usable', (t) => {
  const text = media(
    'm=audio 14380 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('k1')}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${key('k2')}|2^31`,
    `a=crypto:3 AES_256_CM_HMAC_SHA1_80 inline:${key('k3', 46)}`,
    `a=crypto:4 AES_192_CM_HMAC_SHA1_80 inline:${key('k4', 38)}`,
    `a=crypto:5 AEAD_AES_128_GCM inline:${key('k5', 28)}`,
    `a=crypto:6 AEAD_AES_256_GCM inline:${key('k6', 44)}`,
    `a=crypto:7 F8_128_HMAC_SHA1_80 inline:${key('k7')}`,
  );
  t.deepEqual(srtpKeys.run(sdpContext(text)), []);
});

test('a key of the wrong length for its suite is reported (RFC 6188 §7.1, RFC 7714 §12)', (t) => {
  const text = media(
    'm=audio 14380 RTP/SAVP 0',
    `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${key('short-256')}`,
    `a=crypto:2 AEAD_AES_128_GCM inline:${key('long-gcm', 30)}`,
  );
  const found = srtpKeys.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['srtp-missing-keys', 'srtp-missing-keys']);
  t.regex(
    found[0]?.message ?? '',
    /tag 1 AES_256_CM_HMAC_SHA1_80 has a 30-byte inline key .* needs 46 bytes/,
  );
  t.regex(found[1]?.message ?? '', /AEAD_AES_128_GCM needs 28 bytes/);
  t.regex(found[0]?.evidence ?? '', /^a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:\[redacted\]/);
});

test('a key that is not base64 is not usable', (t) => {
  const found = srtpKeys.run(
    sdpContext(
      media('m=audio 14380 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64!!!'),
    ),
  );
  t.deepEqual(codesOf(found), ['srtp-missing-keys']);
  t.false(found[0]?.message.includes('notbase64'));
});

test('a=crypto on RTP/AVP (OSRTP) is still judged for its key', (t) => {
  const found = srtpKeys.run(
    sdpContext(media('m=audio 14380 RTP/AVP 0', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('x', 16)}`)),
  );
  t.deepEqual(codesOf(found), ['srtp-missing-keys']);
});

test('rejected streams and plain RTP without crypto are not judged', (t) => {
  t.deepEqual(srtpKeys.run(sdpContext(media('m=audio 0 RTP/SAVP 0'))), []);
  t.deepEqual(srtpKeys.run(sdpContext(media('m=audio 14380 RTP/AVP 0'))), []);
});
