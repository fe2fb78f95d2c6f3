import test from 'ava';
import { sdesTransport } from '../../../src/policy/checks/sdes-transport.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

const KEYED = sdp(
  ...session('203.0.113.10'),
  'm=audio 20000 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('sdes-1')}`,
  'm=video 20002 RTP/SAVP 96',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('sdes-2')}`,
);

test('SDES keys over UDP or TCP: one finding per SDP naming the streams (RFC 4568 §8.3)', (t) => {
  for (const transport of ['udp', 'tcp', 'ws'] as const) {
    const found = sdesTransport.run(sdpContext(KEYED, { transport, side: 'customer' }));
    t.deepEqual(codesOf(found), ['sdes-over-insecure-transport']);
    t.is(found[0]?.mediaIndex, 0);
    t.regex(
      found[0]?.message ?? '',
      new RegExp(`m=audio #0, m=video #1 travelled over ${transport.toUpperCase()}`),
    );
    t.is(found[0]?.evidence, 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]');
  }
});

test('TLS and WSS protect the keys', (t) => {
  t.deepEqual(sdesTransport.run(sdpContext(KEYED, { transport: 'tls' })), []);
  t.deepEqual(sdesTransport.run(sdpContext(KEYED, { transport: 'wss' })), []);
});

test('silent when the policy allows SDES in clear, without keys, or on rejected streams', (t) => {
  t.deepEqual(
    sdesTransport.run(sdpContext(KEYED, { transport: 'udp', policy: { sdesRequiresTls: false } })),
    [],
  );
  t.deepEqual(
    sdesTransport.run(
      sdpContext(sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/AVP 0'), { transport: 'udp' }),
    ),
    [],
  );
  const rejected = sdp(
    ...session('203.0.113.10'),
    'm=audio 0 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('x')}`,
  );
  t.deepEqual(sdesTransport.run(sdpContext(rejected, { transport: 'udp' })), []);
});
