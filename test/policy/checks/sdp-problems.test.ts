import test from 'ava';
import { sdpProblems } from '../../../src/policy/checks/sdp-problems.js';
import { codesOf, key, sdp, sdpContext, session } from './context.js';

test('a clean SDP has no problems', (t) => {
  t.deepEqual(sdpProblems.run(sdpContext(sdp(...session('203.0.113.10'), 'm=audio 20000 RTP/SAVP 0'))), []);
});

test('two c= lines at session level are duplicate-connection-line', (t) => {
  const text = sdp(
    'v=0',
    'o=- 1 1 IN IP4 203.0.113.10',
    's=-',
    'c=IN IP4 203.0.113.10',
    'c=IN IP4 198.51.100.66',
    't=0 0',
    'm=audio 20000 RTP/SAVP 0',
  );
  const found = sdpProblems.run(sdpContext(text, { side: 'customer' }));
  t.true(codesOf(found).includes('duplicate-connection-line'));
  t.is(found.find((item) => item.code === 'duplicate-connection-line')?.mediaIndex, null);
});

test('a stream with no c= anywhere and a broken m= line are reported with their stream', (t) => {
  const text = sdp(
    'v=0',
    'o=- 1 1 IN IP4 168.86.140.10',
    's=-',
    't=0 0',
    'm=audio 14380 RTP/SAVP 0',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('ss-a')}`,
    'm=video notaport RTP/SAVP 96',
  );
  const found = sdpProblems.run(sdpContext(text));
  const codes = codesOf(found);
  t.true(codes.includes('missing-connection-address'));
  t.true(codes.includes('malformed-sdp'));
  t.is(found.find((item) => item.code === 'missing-connection-address')?.mediaIndex, 0);
  for (const item of found) t.false((item.evidence ?? '').includes(key('ss-a')));
});

test('syntax is judged even in a capability SDP', (t) => {
  const text = sdp(
    'v=0',
    'o=- 1 1 IN IP4 10.9.9.9',
    's=-',
    'c=IN IP4 10.9.9.9',
    'c=IN IP4 10.9.9.8',
    't=0 0',
    'm=audio 9 RTP/AVP 0',
  );
  t.true(
    codesOf(sdpProblems.run(sdpContext(text, { role: 'capability' }))).includes('duplicate-connection-line'),
  );
});
