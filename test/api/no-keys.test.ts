/**
 * DESIGN.md principle 6: after calls with real SDES keys (offers, answers, a key leaving over UDP,
 * a broken a=crypto line), no response of the API carries key material.
 */
import test from 'ava';
import { containsSdesKey } from '../../src/sdp/redact.js';
import { answerOutOfRange, invite, KEYS, keyFor, response, sdesSdp } from './call-fixture.js';
import { serve } from './server-fixture.js';

test('no response holds an SDES key', async (t) => {
  const api = await serve();
  t.teardown(() => api.close());
  api.driver.call('clean@pbx');
  api.driver.call('out@pbx', { outOfRange: true });
  api.driver.send('customer', invite('udp@pbx'), { egress: 'udp' });
  api.driver.send('carrier', response('200 OK', '1 INVITE', 'udp@pbx', answerOutOfRange('udp@pbx')), {
    transport: 'udp',
  });
  const broken = sdesSdp(1, '198.51.100.20', 20000, keyFor('broken-line')).replace(
    'AES_CM_128_HMAC_SHA1_80 inline:',
    'inline:',
  );
  api.driver.send('customer', invite('broken@pbx', broken));
  t.true(KEYS.size >= 6);

  const paths = [
    '/api/calls?limit=500',
    '/api/calls/clean%40pbx',
    '/api/calls/out%40pbx',
    '/api/calls/udp%40pbx',
    '/api/calls/broken%40pbx',
    '/api/findings?limit=500',
    '/api/profiles',
    '/api/status',
    '/metrics',
    '/healthz',
  ];
  let findings = 0;
  for (const path of paths) {
    const res = await api.get(path);
    t.is(res.status, 200, path);
    const text = await res.text();
    t.false(containsSdesKey(text), path);
    for (const key of KEYS) t.false(text.includes(key), `${path} holds a key`);
    if (path.startsWith('/api/findings')) findings = JSON.parse(text).findings.length;
  }
  t.true(findings >= 4, 'the calls did produce findings with crypto evidence');
});
