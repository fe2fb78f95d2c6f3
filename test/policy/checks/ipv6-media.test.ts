import test from 'ava';
import { ipv6Media } from '../../../src/policy/checks/ipv6-media.js';
import { cidr, codesOf, sdp, sdpContext, session, TWILIO } from './context.js';

test('carrier IPv6 media under an IPv4-only profile is ipv6-media-address', (t) => {
  const text = sdp(...session('168.86.140.10'), 'm=audio 14390 RTP/SAVP 0', 'c=IN IP6 2001:db8::10');
  const found = ipv6Media.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['ipv6-media-address']);
  t.is(found[0]?.mediaIndex, 0);
  t.is(found[0]?.evidence, 'c=IN IP6 2001:db8::10');
  t.regex(found[0]?.message ?? '', /2001:db8::10.*IPv4 media ranges only/);
});

test('IPv6 candidates count too, each address once', (t) => {
  const text = sdp(
    ...session('2001:db8::10', 'IP6'),
    'm=audio 14390 RTP/SAVP 0',
    'a=candidate:1 1 UDP 2130706431 2001:db8::10 14390 typ host',
    'a=candidate:2 1 UDP 2130706431 2001:db8::11 14390 typ host',
  );
  const found = ipv6Media.run(sdpContext(text));
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [null, 0],
  );
});

test('no finding when the profile has IPv6 ranges, or no ranges at all', (t) => {
  const text = sdp(...session('2001:db8::10', 'IP6'), 'm=audio 14390 RTP/SAVP 0');
  const mediaRanges = [...TWILIO.mediaRanges, { ...TWILIO.mediaRanges[0]!, cidr: cidr('2001:db8::/32') }];
  t.deepEqual(ipv6Media.run(sdpContext(text, { profile: { mediaRanges } })), []);
  t.deepEqual(ipv6Media.run(sdpContext(text, { profile: { mediaRanges: [] } })), []);
});

test('customer side, IPv4 media and rejected streams are not judged', (t) => {
  const v6 = sdp(...session('2001:db8::10', 'IP6'), 'm=audio 14390 RTP/SAVP 0');
  t.deepEqual(ipv6Media.run(sdpContext(v6, { side: 'customer' })), []);
  t.deepEqual(ipv6Media.run(sdpContext(sdp(...session('168.86.140.10'), 'm=audio 14390 RTP/SAVP 0'))), []);
  t.deepEqual(ipv6Media.run(sdpContext(sdp(...session('2001:db8::10', 'IP6'), 'm=audio 0 RTP/SAVP 0'))), []);
});
