import test from 'ava';
import { srtpNegotiated } from '../../../src/policy/checks/srtp-negotiated.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

const CRYPTO = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('negotiated')}`;

function media(...lines: string[]): string {
  return sdp(...session('168.86.140.10'), ...lines);
}

test('policy required: plain RTP/AVP is reported on either side', (t) => {
  for (const side of ['carrier', 'customer'] as const) {
    const found = srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0'), { side }));
    t.deepEqual(codesOf(found), ['srtp-not-negotiated']);
    t.is(found[0]?.mediaIndex, 0);
    t.is(found[0]?.evidence, 'm=audio 14380 RTP/AVP 0');
    t.regex(found[0]?.message ?? '', /plain RTP\/AVP.*requires SRTP/);
  }
});

test('policy required: a=crypto on RTP/AVP is best-effort (OSRTP) and still reported', (t) => {
  const found = srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0', CRYPTO)));
  t.deepEqual(codesOf(found), ['srtp-not-negotiated']);
  t.regex(found[0]?.message ?? '', /OSRTP, RFC 8643/);
  t.regex(found[0]?.message ?? '', /not guaranteed/);
});

test('policy required: SAVP, SAVPF and DTLS profiles are SRTP', (t) => {
  for (const proto of ['RTP/SAVP', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVPF']) {
    t.deepEqual(srtpNegotiated.run(sdpContext(media(`m=audio 14380 ${proto} 0`, CRYPTO))), [], proto);
  }
});

test('an answer falling back to RTP/AVP when SRTP was offered is srtp-not-negotiated', (t) => {
  const offer = sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0', CRYPTO);
  const found = srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0'), { role: 'answer', offer }));
  t.deepEqual(codesOf(found), ['srtp-not-negotiated']);
});

test('T.38, data channels, rejected streams are not judged', (t) => {
  const text = media(
    'm=image 14380 udptl t38',
    'm=application 14382 UDP/DTLS/SCTP webrtc-datachannel',
    'm=audio 0 RTP/AVP 0',
  );
  t.deepEqual(srtpNegotiated.run(sdpContext(text)), []);
});

test('video is judged like audio, each stream on its own', (t) => {
  const found = srtpNegotiated.run(
    sdpContext(media('m=audio 14380 RTP/SAVP 0', CRYPTO, 'm=video 14382 RTP/AVP 96')),
  );
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [1],
  );
});

test('policy optional judges nothing', (t) => {
  t.deepEqual(
    srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0'), { policy: { srtp: 'optional' } })),
    [],
  );
});

test('policy forbidden: SAVP or a=crypto is reported (non-secure Twilio trunks reject SRTP)', (t) => {
  const policy = { srtp: 'forbidden' as const };
  const savp = srtpNegotiated.run(
    sdpContext(media('m=audio 14380 RTP/SAVP 0', CRYPTO), { side: 'customer', policy }),
  );
  t.deepEqual(codesOf(savp), ['srtp-not-negotiated']);
  t.regex(savp[0]?.message ?? '', /forbids SRTP.*Twilio trunk rejects/);
  t.regex(savp[0]?.evidence ?? '', /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\[redacted\]/);
  const osrtp = srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0', CRYPTO), { policy }));
  t.deepEqual(codesOf(osrtp), ['srtp-not-negotiated']);
  t.deepEqual(srtpNegotiated.run(sdpContext(media('m=audio 14380 RTP/AVP 0'), { policy })), []);
});
