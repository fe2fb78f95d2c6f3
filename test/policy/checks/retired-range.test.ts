import test from 'ava';
import { ALL_CHECKS } from '../../../src/policy/checks/index.js';
import { retiredRange } from '../../../src/policy/checks/retired-range.js';
import { CARRIER_HOST, codesOf, sdp, sdpContext, session } from './context.js';

const AUDIO = 'm=audio 15000 RTP/SAVP 0';

test('carrier media on a retired range names the range and the date', (t) => {
  const found = retiredRange.run(sdpContext(sdp(...session('54.172.60.10'), AUDIO)));
  t.deepEqual(codesOf(found), ['deprecated-media-range']);
  t.is(found[0]?.mediaIndex, null);
  t.is(found[0]?.evidence, 'c=IN IP4 54.172.60.10');
  const message = found[0]?.message ?? '';
  t.regex(message, /54\.172\.60\.10/);
  t.regex(message, /us1 Virginia 54\.172\.60\.0\/23/);
  t.regex(message, /retired 2024-02-21/);
  t.regex(message, /10000-20000/);
});

test('both deprecated-media-range and media-ip-out-of-range are emitted (different alert rules)', (t) => {
  const context = sdpContext(sdp(...session('54.172.60.10'), AUDIO));
  const found = ALL_CHECKS.flatMap((check) => (check.scope === 'sdp' ? check.run(context) : []));
  const codes = codesOf(found);
  t.true(codes.includes('deprecated-media-range'));
  t.true(codes.includes('media-ip-out-of-range'));
});

test('the signaling source inside the retired block is never judged, only SDP addresses', (t) => {
  const context = sdpContext(sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/SAVP 0'), {
    src: CARRIER_HOST,
  });
  t.deepEqual(retiredRange.run(context), []);
});

test('a=rtcp addresses and ICE candidates are SDP addresses too', (t) => {
  const text = sdp(
    ...session('168.86.140.10'),
    'm=audio 14380 RTP/SAVP 0',
    'a=rtcp:14381 IN IP4 54.172.61.5',
    'a=candidate:1 1 UDP 2130706431 54.172.60.20 14380 typ relay raddr 0.0.0.0 rport 0',
  );
  const found = retiredRange.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['deprecated-media-range', 'deprecated-media-range']);
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [0, 0],
  );
  t.is(found[0]?.evidence, 'a=rtcp:14381 IN IP4 54.172.61.5');
  t.regex(found[1]?.evidence ?? '', /^a=candidate:1 .* 54\.172\.60\.20 /);
});

test('each distinct address is reported once per SDP', (t) => {
  const text = sdp(...session('54.172.60.10'), AUDIO, 'm=video 15002 RTP/SAVP 96', 'c=IN IP4 54.172.60.10');
  t.is(retiredRange.run(sdpContext(text)).length, 1);
});

test('customer side, current ranges, rejected streams and profiles without retired ranges stay silent', (t) => {
  const retired = sdp(...session('54.172.60.10'), AUDIO);
  t.deepEqual(retiredRange.run(sdpContext(retired, { side: 'customer' })), []);
  t.deepEqual(retiredRange.run(sdpContext(retired, { profile: { retiredMedia: [] } })), []);
  t.deepEqual(retiredRange.run(sdpContext(sdp(...session('54.172.60.10'), 'm=audio 0 RTP/SAVP 0'))), []);
  t.deepEqual(retiredRange.run(sdpContext(sdp(...session('168.86.140.10'), AUDIO))), []);
});
