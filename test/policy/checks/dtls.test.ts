import test from 'ava';
import { dtls } from '../../../src/policy/checks/dtls.js';
import { codesOf, sdp, sdpContext, session } from './context.js';

const SHA256 =
  'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF';
const SHA1 = 'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB';
const MD5 = 'a=fingerprint:md5 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B';

test('DTLS-SRTP with a sha-256 fingerprint and a=setup is fine', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 UDP/TLS/RTP/SAVPF 0',
    SHA256,
    'a=setup:actpass',
  );
  t.deepEqual(dtls.run(sdpContext(text)), []);
});

test('a DTLS profile without a=fingerprint or a=setup says which is missing', (t) => {
  const neither = dtls.run(sdpContext(sdp(...session('168.86.140.10'), 'm=audio 14380 UDP/TLS/RTP/SAVP 0')));
  t.deepEqual(codesOf(neither), ['dtls-missing-fingerprint']);
  t.is(neither[0]?.mediaIndex, 0);
  t.is(neither[0]?.evidence, 'm=audio 14380 UDP/TLS/RTP/SAVP 0');
  t.regex(neither[0]?.message ?? '', /without a=fingerprint and a=setup/);
  const noSetup = dtls.run(
    sdpContext(sdp(...session('168.86.140.10'), 'm=audio 14380 TCP/DTLS/RTP/SAVPF 0', SHA256)),
  );
  t.deepEqual(codesOf(noSetup), ['dtls-missing-fingerprint']);
  t.regex(noSetup[0]?.message ?? '', /without a=setup/);
});

test('session-level fingerprints apply to every stream', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    SHA256,
    'a=setup:actpass',
    'm=audio 20000 UDP/TLS/RTP/SAVP 0',
    'm=video 20002 UDP/TLS/RTP/SAVP 96',
  );
  t.deepEqual(dtls.run(sdpContext(text)), []);
});

test('a weak session-level fingerprint is reported once', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    SHA1,
    'a=setup:actpass',
    'm=audio 20000 UDP/TLS/RTP/SAVP 0',
    'm=video 20002 UDP/TLS/RTP/SAVP 96',
  );
  const found = dtls.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['dtls-weak-fingerprint']);
  t.is(found[0]?.evidence, SHA1);
  t.regex(found[0]?.message ?? '', /sha-1/);
});

test('md5 is weak too', (t) => {
  const text = sdp(...session('203.0.113.10'), 'm=audio 20000 UDP/TLS/RTP/SAVP 0', MD5, 'a=setup:active');
  t.deepEqual(codesOf(dtls.run(sdpContext(text))), ['dtls-weak-fingerprint']);
});

test('SDES profiles and rejected streams are not judged for DTLS keying', (t) => {
  t.deepEqual(dtls.run(sdpContext(sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0'))), []);
  t.deepEqual(dtls.run(sdpContext(sdp(...session('203.0.113.10'), 'm=audio 0 UDP/TLS/RTP/SAVP 0', MD5))), []);
});
