import test from 'ava';
import { privateAddress } from '../../../src/policy/checks/private-address.js';
import { cidr, codesOf, sdp, sdpContext, session } from './context.js';

const customer = { side: 'customer' as const };

test('a private c= address is a NAT hazard, named with its class', (t) => {
  const found = privateAddress.run(
    sdpContext(sdp(...session('192.168.1.20'), 'm=audio 20000 RTP/SAVP 0'), customer),
  );
  t.deepEqual(codesOf(found), ['private-media-address']);
  t.is(found[0]?.mediaIndex, null);
  t.is(found[0]?.evidence, 'c=IN IP4 192.168.1.20');
  t.regex(found[0]?.message ?? '', /192\.168\.1\.20, a private \(RFC 1918\) address/);
});

test('CGNAT, loopback, link-local and unique-local addresses count', (t) => {
  for (const [address, family, pattern] of [
    ['100.64.1.1', 'IP4', /RFC 6598/],
    ['127.0.0.1', 'IP4', /loopback/],
    ['169.254.10.10', 'IP4', /link-local/],
    ['fd00::1', 'IP6', /unique-local/],
  ] as const) {
    const found = privateAddress.run(
      sdpContext(sdp(...session(address, family), 'm=audio 20000 RTP/SAVP 0'), customer),
    );
    t.regex(found[0]?.message ?? '', pattern, address);
  }
});

test('trusted networks are not a hazard', (t) => {
  const context = sdpContext(sdp(...session('10.1.2.3'), 'm=audio 20000 RTP/SAVP 0'), {
    ...customer,
    policy: { trustedNetworks: [cidr('10.0.0.0/8')] },
  });
  t.deepEqual(privateAddress.run(context), []);
});

test('a=rtcp addresses and host candidates are judged; each address once', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    'a=rtcp:20001 IN IP4 10.0.0.5',
    'a=candidate:1 1 UDP 2130706431 10.0.0.5 20000 typ host',
    'a=candidate:2 1 UDP 2130706431 172.16.0.9 20000 typ host',
    'm=video 20002 RTP/SAVP 96',
    'c=IN IP4 10.0.0.5',
  );
  const found = privateAddress.run(sdpContext(text, customer));
  t.deepEqual(codesOf(found), ['private-media-address', 'private-media-address']);
  t.is(found[0]?.evidence, 'c=IN IP4 10.0.0.5');
  t.is(found[0]?.mediaIndex, 1);
  t.regex(found[1]?.evidence ?? '', /172\.16\.0\.9/);
});

test('public, held and rejected streams are fine; the carrier side is judged too', (t) => {
  t.deepEqual(
    privateAddress.run(sdpContext(sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0'), customer)),
    [],
  );
  t.deepEqual(
    privateAddress.run(sdpContext(sdp(...session('0.0.0.0'), 'm=audio 20000 RTP/SAVP 0'), customer)),
    [],
  );
  t.deepEqual(
    privateAddress.run(sdpContext(sdp(...session('10.0.0.1'), 'm=audio 0 RTP/SAVP 0'), customer)),
    [],
  );
  t.deepEqual(
    codesOf(privateAddress.run(sdpContext(sdp(...session('10.0.0.1'), 'm=audio 14380 RTP/SAVP 0')))),
    ['private-media-address'],
  );
});

test('a held stream is not private, but its private host candidate is', (t) => {
  const text = sdp(
    ...session('0.0.0.0'),
    'm=audio 20000 RTP/SAVP 0',
    'a=candidate:1 1 UDP 2130706431 10.0.0.5 20000 typ host',
  );
  const found = privateAddress.run(sdpContext(text, customer));
  t.deepEqual(codesOf(found), ['private-media-address']);
  t.regex(found[0]?.message ?? '', /host candidate of m=audio #0 puts media on 10\.0\.0\.5/);
});
