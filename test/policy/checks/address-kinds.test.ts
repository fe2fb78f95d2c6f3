import test from 'ava';
import { addressKinds } from '../../../src/policy/checks/address-kinds.js';
import { codesOf, sdp, sdpContext } from './context.js';

const HEAD = ['v=0', 'o=- 1 1 IN IP4 203.0.113.10', 's=-', 't=0 0'];

test('FQDN, multicast and hold connection addresses each have their code', (t) => {
  const text = sdp(
    ...HEAD,
    'm=audio 20000 RTP/SAVP 0',
    'c=IN IP4 media.pbx.example.com',
    'm=audio 20002 RTP/SAVP 0',
    'c=IN IP4 224.2.1.1/127',
    'm=audio 20004 RTP/SAVP 0',
    'c=IN IP4 0.0.0.0',
  );
  const found = addressKinds.run(sdpContext(text, { side: 'customer' }));
  t.deepEqual(codesOf(found), ['fqdn-media-address', 'multicast-media-address', 'media-hold']);
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [0, 1, 2],
  );
  t.is(found[0]?.evidence, 'c=IN IP4 media.pbx.example.com');
  t.regex(found[0]?.message ?? '', /media\.pbx\.example\.com/);
  t.regex(found[1]?.message ?? '', /224\.2\.1\.1 \(TTL 127\)/);
  t.regex(found[2]?.message ?? '', /on hold/);
});

test('a session-level hold is one finding at session level', (t) => {
  const text = sdp(
    ...HEAD.slice(0, 3),
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'm=audio 20000 RTP/SAVP 0',
    'm=video 20002 RTP/SAVP 96',
  );
  const found = addressKinds.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['media-hold']);
  t.is(found[0]?.mediaIndex, null);
});

test('an a=rtcp FQDN is reported too', (t) => {
  const text = sdp(
    ...HEAD.slice(0, 3),
    'c=IN IP4 168.86.140.10',
    't=0 0',
    'm=audio 14380 RTP/SAVP 0',
    'a=rtcp:14381 IN IP4 rtcp.example.net',
  );
  const found = addressKinds.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['fqdn-media-address']);
  t.is(found[0]?.evidence, 'a=rtcp:14381 IN IP4 rtcp.example.net');
});

test('unicast literals and rejected streams give nothing', (t) => {
  const text = sdp(
    ...HEAD,
    'm=audio 20000 RTP/SAVP 0',
    'c=IN IP4 203.0.113.10',
    'm=audio 0 RTP/SAVP 0',
    'c=IN IP4 224.2.1.1/127',
  );
  t.deepEqual(addressKinds.run(sdpContext(text)), []);
});

test('c=0.0.0.0 with port 9 is an ICE placeholder (JSEP, trickle ICE), not a hold', (t) => {
  const text = sdp(
    ...HEAD.slice(0, 3),
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
  );
  t.deepEqual(addressKinds.run(sdpContext(text)), []);
  const mixed = sdp(
    ...HEAD.slice(0, 3),
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'm=audio 20000 RTP/SAVP 0',
  );
  t.deepEqual(codesOf(addressKinds.run(sdpContext(mixed))), ['media-hold']);
});
