import test from 'ava';
import { mediaRange } from '../../../src/policy/checks/media-range.js';
import { cidr, codesOf, sdp, sdpContext, session, TWILIO } from './context.js';

const AUDIO = ['m=audio 14380 RTP/SAVP 0', 'a=rtpmap:0 PCMU/8000'];

test('carrier media inside 168.86.128.0/18 is fine', (t) => {
  t.deepEqual(mediaRange.run(sdpContext(sdp(...session('168.86.140.10'), ...AUDIO))), []);
});

test('a session-level c= outside the ranges is reported once, at session level', (t) => {
  const text = sdp(...session('198.51.100.99'), ...AUDIO, 'm=video 14382 RTP/SAVP 96');
  const found = mediaRange.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['media-ip-out-of-range']);
  t.is(found[0]?.mediaIndex, null);
  t.is(found[0]?.evidence, 'c=IN IP4 198.51.100.99');
  t.regex(found[0]?.message ?? '', /198\.51\.100\.99.*168\.86\.128\.0\/18/);
});

test('a media-level c= outside the ranges names its stream', (t) => {
  const text = sdp(
    ...session('168.86.140.10'),
    ...AUDIO,
    'm=audio 14382 RTP/SAVP 0',
    'c=IN IP4 198.51.100.7',
  );
  const found = mediaRange.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['media-ip-out-of-range']);
  t.is(found[0]?.mediaIndex, 1);
  t.is(found[0]?.evidence, 'c=IN IP4 198.51.100.7');
});

test('the first address after the range is outside it', (t) => {
  t.is(mediaRange.run(sdpContext(sdp(...session('168.86.192.0'), ...AUDIO))).length, 1);
  t.is(mediaRange.run(sdpContext(sdp(...session('168.86.191.255'), ...AUDIO))).length, 0);
});

test('customer-side SDP is not judged against the carrier ranges', (t) => {
  t.deepEqual(
    mediaRange.run(sdpContext(sdp(...session('198.51.100.99'), ...AUDIO), { side: 'customer' })),
    [],
  );
});

test('a rejected stream (port 0) is never out of range (RFC 3264 §6)', (t) => {
  const text = sdp(...session('168.86.140.10'), ...AUDIO, 'm=video 0 RTP/SAVP 96', 'c=IN IP4 198.51.100.7');
  t.deepEqual(mediaRange.run(sdpContext(text)), []);
  t.deepEqual(mediaRange.run(sdpContext(sdp(...session('198.51.100.7'), 'm=audio 0 RTP/SAVP 0'))), []);
});

test('c=0.0.0.0 is a hold, not a range violation (RFC 3264 §8.4)', (t) => {
  t.deepEqual(mediaRange.run(sdpContext(sdp(...session('0.0.0.0'), ...AUDIO))), []);
});

test('silent when the profile publishes no media ranges', (t) => {
  const context = sdpContext(sdp(...session('198.51.100.99'), ...AUDIO), { profile: { mediaRanges: [] } });
  t.deepEqual(mediaRange.run(context), []);
});

test('IPv6 media under an IPv4-only profile is left to ipv6-media', (t) => {
  t.deepEqual(mediaRange.run(sdpContext(sdp(...session('2001:db8::10', 'IP6'), ...AUDIO))), []);
});

test('IPv6 media is judged when the profile publishes IPv6 ranges', (t) => {
  const mediaRanges = [...TWILIO.mediaRanges, { ...TWILIO.mediaRanges[0]!, cidr: cidr('2001:db8:1::/48') }];
  const outside = sdpContext(sdp(...session('2001:db8::10', 'IP6'), ...AUDIO), { profile: { mediaRanges } });
  t.deepEqual(codesOf(mediaRange.run(outside)), ['media-ip-out-of-range']);
  const inside = sdpContext(sdp(...session('2001:db8:1::10', 'IP6'), ...AUDIO), { profile: { mediaRanges } });
  t.deepEqual(mediaRange.run(inside), []);
});

test('an address in a retired range is also out of the current ranges', (t) => {
  t.deepEqual(codesOf(mediaRange.run(sdpContext(sdp(...session('54.172.60.10'), ...AUDIO)))), [
    'media-ip-out-of-range',
  ]);
});

test('a capability SDP (200 to OPTIONS) is not judged', (t) => {
  t.deepEqual(mediaRange.run(sdpContext(sdp(...session('10.9.9.9'), ...AUDIO), { role: 'capability' })), []);
});
