import test from 'ava';
import { addressMismatch } from '../../../src/policy/checks/address-mismatch.js';
import { cidr, codesOf, sdp, sdpContext, session } from './context.js';

const customer = { side: 'customer' as const, src: '203.0.113.10' };

test('a public c= that differs from the signaling source is reported once per SDP', (t) => {
  const text = sdp(
    ...session('198.51.100.50'),
    'm=audio 20000 RTP/SAVP 0',
    'm=video 20002 RTP/SAVP 96',
    'c=IN IP4 198.51.100.51',
  );
  const found = addressMismatch.run(sdpContext(text, customer));
  t.deepEqual(codesOf(found), ['media-address-mismatch']);
  t.is(found[0]?.mediaIndex, null);
  t.is(found[0]?.evidence, 'c=IN IP4 198.51.100.50');
  t.regex(
    found[0]?.message ?? '',
    /198\.51\.100\.50, 198\.51\.100\.51 but the signaling came from 203\.0\.113\.10/,
  );
});

test('the same address (IPv6 compared canonically) is fine', (t) => {
  t.deepEqual(
    addressMismatch.run(sdpContext(sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0'), customer)),
    [],
  );
  const v6 = sdp(...session('2001:db8:0:0::1', 'IP6'), 'm=audio 20000 RTP/SAVP 0');
  t.deepEqual(addressMismatch.run(sdpContext(v6, { side: 'customer', src: '2001:db8::1' })), []);
});

test('carrier side, trusted networks, private and held addresses, host-name sources are not judged', (t) => {
  const text = sdp(...session('198.51.100.50'), 'm=audio 20000 RTP/SAVP 0');
  t.deepEqual(addressMismatch.run(sdpContext(text, { side: 'carrier' })), []);
  t.deepEqual(
    addressMismatch.run(
      sdpContext(text, { ...customer, policy: { trustedNetworks: [cidr('198.51.100.0/24')] } }),
    ),
    [],
  );
  t.deepEqual(
    addressMismatch.run(sdpContext(sdp(...session('192.168.1.20'), 'm=audio 20000 RTP/SAVP 0'), customer)),
    [],
  );
  t.deepEqual(
    addressMismatch.run(sdpContext(sdp(...session('0.0.0.0'), 'm=audio 20000 RTP/SAVP 0'), customer)),
    [],
  );
  t.deepEqual(addressMismatch.run(sdpContext(text, { side: 'customer', src: 'pbx.example.com' })), []);
  t.deepEqual(
    addressMismatch.run(sdpContext(sdp(...session('198.51.100.50'), 'm=audio 0 RTP/SAVP 0'), customer)),
    [],
  );
});
