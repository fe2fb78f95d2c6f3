/**
 * The TLS material a SIGHUP reload swaps in is checked first: a certificate that does not parse,
 * or a key that is not the certificate's, is refused with a reason that never quotes the PEM, and
 * the previous material stays in use.
 */
import test from 'ava';
import {
  checkTlsMaterial,
  ReloadableTls,
  summarizeCertificate,
} from '../../src/proxy/transports/tls-material.js';
import { pem } from './stream-scene.js';

const proxyPair = { cert: pem('proxy.crt'), key: pem('proxy.key'), ca: null, verifyPeer: true };

test('a matching pair passes; a key of another certificate is refused', (t) => {
  t.notThrows(() => checkTlsMaterial(proxyPair));
  const error = t.throws(() => checkTlsMaterial({ ...proxyPair, key: pem('server.key') }));
  t.is(error?.message, 'the key does not belong to the certificate');
});

test('a file that is not a certificate is refused without quoting it', (t) => {
  const key = pem('proxy.key');
  const error = t.throws(() => checkTlsMaterial({ ...proxyPair, cert: Buffer.from('not a certificate') }));
  t.regex(error?.message ?? '', /^the certificate cannot be used: /);
  const broken = t.throws(() => checkTlsMaterial({ ...proxyPair, key: key.subarray(0, 200) }));
  t.regex(broken?.message ?? '', /^the key cannot be used: /);
  t.false((broken?.message ?? '').includes(key.toString('latin1').split('\n')[1] ?? '-'), 'no key material');
});

test('ReloadableTls: a refused replacement keeps the current material and tells no listener', (t) => {
  const tls = new ReloadableTls(proxyPair);
  let told = 0;
  tls.onReplace(() => told++);
  t.throws(() => tls.replace({ ...proxyPair, cert: pem('server.crt') }));
  t.is(tls.cert, proxyPair.cert);
  t.is(told, 0);
  tls.replace({ cert: pem('server.crt'), key: pem('server.key'), ca: null, verifyPeer: true });
  t.is(told, 1);
  t.regex(summarizeCertificate(tls.cert as Buffer).subject, /CN=localhost/);
});
