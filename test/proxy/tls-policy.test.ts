/**
 * The TLS policy (proxy.tls minVersion, ciphers, handshakeSeconds) on the proxy's TLS listener,
 * against real clients: Node's TLS client for versions and suites it can still speak, and a
 * hand-made TLS 1.2 ClientHello for RC4 and 3DES (neither Node's nor Debian's OpenSSL 3 will
 * offer them any more, which is the point). Refusals are logged as connection problems of kind
 * `tls-handshake`; a handshake that never starts hits the `tls-handshake-time` limit.
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { type ConnectionOptions, createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import type { TlsMaterial } from '../../src/proxy/transports/stream-transport.js';
import { LOG_BURST } from '../../src/report/log-budget.js';
import { actionOf, fieldOf, hop, UdpPeer } from './in-process.js';
import {
  closed,
  invite,
  limitHitLines,
  limitMetric,
  pem,
  type StreamScene,
  streamScene,
  tcpClient,
  until,
} from './stream-scene.js';

const MATERIAL: TlsMaterial = { cert: pem('proxy.crt'), key: pem('proxy.key'), ca: null, verifyPeer: true };

/** How a TLS client fared: the version and suite agreed, or the error it got. */
type Outcome = { readonly protocol: string | null; readonly cipher: string } | { readonly error: string };

function handshake(port: number, options: ConnectionOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: 'no outcome within 5000 ms' }), 5000);
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: pem('ca.crt'), ...options }, () => {
      clearTimeout(timer);
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message });
    });
  });
}

async function handshakeProblem(scene: StreamScene, pattern: RegExp) {
  return until(`a tls-handshake problem matching ${pattern}`, () =>
    scene.lines.find(
      (line) =>
        actionOf(line) === 'connection-problem' &&
        fieldOf(line, 'trunkguard.kind') === 'tls-handshake' &&
        pattern.test(line.message ?? ''),
    ),
  );
}

test('a TLS 1.1 client is refused; a TLS 1.2 client with the default suites is served', async (t) => {
  const scene = await streamScene(t, {}, {}, MATERIAL);
  const old = await handshake(scene.tlsPort, {
    minVersion: 'TLSv1.1',
    maxVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  t.true('error' in old, JSON.stringify(old));
  t.truthy(await handshakeProblem(scene, /unsupported protocol/));

  const current = await handshake(scene.tlsPort, { maxVersion: 'TLSv1.2' });
  t.like(current, { protocol: 'TLSv1.2' });
  t.regex(
    'cipher' in current ? current.cipher : '',
    /^ECDHE-RSA-AES\d+-GCM-SHA\d+$/,
    'forward-secret AEAD first',
  );
});

test('minVersion TLSv1.3: a client that stops at TLS 1.2 is refused', async (t) => {
  const scene = await streamScene(t, {}, { minVersion: 'TLSv1.3' }, MATERIAL);
  const refused = await handshake(scene.tlsPort, { maxVersion: 'TLSv1.2' });
  t.true('error' in refused, JSON.stringify(refused));
  t.truthy(await handshakeProblem(scene, /unsupported protocol/));
  const served = await handshake(scene.tlsPort);
  t.like(served, { protocol: 'TLSv1.3' });
});

test('the configured cipher list is the one offered: a TLS 1.2 client without a suite from it is refused', async (t) => {
  const scene = await streamScene(t, {}, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, MATERIAL);
  const refused = await handshake(scene.tlsPort, {
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-RSA-AES256-GCM-SHA384',
  });
  t.true('error' in refused, JSON.stringify(refused));
  t.truthy(await handshakeProblem(scene, /no shared cipher/));
  const served = await handshake(scene.tlsPort, {
    maxVersion: 'TLSv1.2',
    ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
  });
  t.like(served, { cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
});

/**
 * A TLS 1.2 ClientHello (RFC 5246 §7.4.1.2) offering exactly these suites, with one extension:
 * signature_algorithms (§7.4.1.4.1), since without it the server must assume SHA-1, which
 * OpenSSL 3 refuses whatever the suite.
 */
function clientHello(suites: readonly number[]): Buffer {
  const sigalgs = [0x0401, 0x0804]; // rsa_pkcs1_sha256, rsa_pss_rsae_sha256
  const sigalgsData = Buffer.concat([u16(sigalgs.length * 2), ...sigalgs.map(u16)]);
  const extension = Buffer.concat([u16(0x000d), u16(sigalgsData.length), sigalgsData]);
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0x00]), // no session id
    u16(suites.length * 2),
    Buffer.concat(suites.map(u16)),
    Buffer.from([0x01, 0x00]), // compression: null only
    u16(extension.length),
    extension,
  ]);
  const handshakeMessage = Buffer.concat([Buffer.from([0x01, 0x00]), u16(body.length), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(handshakeMessage.length), handshakeMessage]);
}

function u16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

/** Sends a raw ClientHello; resolves with the first record type the server answers (0x15 alert, 0x16 handshake). */
async function firstRecordType(t: ExecutionContext, port: number, hello: Buffer): Promise<number> {
  const socket = await tcpClient(t, port);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to the ClientHello within 3000 ms')), 3000);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk[0] ?? -1);
    });
    socket.write(hello);
  });
}

const RC4_AND_3DES = [
  0x000a, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
  0xc012, // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
  0x0005, // TLS_RSA_WITH_RC4_128_SHA
  0x0004, // TLS_RSA_WITH_RC4_128_MD5
  0xc011, // TLS_ECDHE_RSA_WITH_RC4_128_SHA
];

test('a client offering only RC4 and 3DES suites gets a handshake failure alert', async (t) => {
  const scene = await streamScene(t, {}, {}, MATERIAL);
  // The same hand-made hello with TLS_RSA_WITH_AES_128_CBC_SHA (RFC 3261 §26.3.1) is answered.
  t.is(await firstRecordType(t, scene.tlsPort, clientHello([0x002f])), 0x16, 'a ServerHello');
  t.is(await firstRecordType(t, scene.tlsPort, clientHello(RC4_AND_3DES)), 0x15, 'an alert');
  t.truthy(await handshakeProblem(scene, /no shared cipher/));
});

test('opening: a TLS next hop that never answers the ClientHello is cut off after handshakeSeconds, the caller gets 503', async (t) => {
  // A TCP server that accepts and then says nothing.
  const held: Socket[] = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of held) socket.destroy();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  const scene = await streamScene(t, {}, { handshakeSeconds: 1 }, null, hop('127.0.0.1', port, 'tls'));
  const customer = await new UdpPeer().start();
  t.teardown(() => customer.close());
  customer.send(invite('silent-carrier', customer.port), scene.udpPort);
  const answer = (await customer.next(5000)).bytes.toString('latin1');
  t.regex(answer, /^SIP\/2\.0 503 /);
  const hits = limitHitLines(scene.lines, 'tls-handshake-time');
  t.is(hits.length, 1);
  t.is(await limitMetric(scene.metrics, 'tls-handshake-time'), 1);
  t.truthy(await handshakeProblem(scene, /TLS handshake not complete within 1 s/));
});

test('opening: a TLS next hop that only speaks TLS 1.1 is refused, the caller gets 503', async (t) => {
  const carrier = createTlsServer({
    cert: pem('server.crt'),
    key: pem('server.key'),
    minVersion: 'TLSv1.1',
    maxVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  });
  carrier.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => carrier.listen(0, '127.0.0.1', resolve));
  t.teardown(() => carrier.close());
  const port = (carrier.address() as AddressInfo).port;
  const material: TlsMaterial = { cert: null, key: null, ca: pem('ca.crt'), verifyPeer: true };
  const scene = await streamScene(t, {}, {}, null, hop('127.0.0.1', port, 'tls'));
  scene.pool.setTls(material);
  const customer = await new UdpPeer().start();
  t.teardown(() => customer.close());
  customer.send(invite('old-carrier', customer.port), scene.udpPort);
  const answer = (await customer.next(5000)).bytes.toString('latin1');
  t.regex(answer, /^SIP\/2\.0 503 /);
  t.truthy(await handshakeProblem(scene, /protocol version|unsupported protocol/));
});

test('a TCP connection to the TLS port that never starts a handshake is closed after handshakeSeconds', async (t) => {
  const scene = await streamScene(t, {}, { handshakeSeconds: 1 }, MATERIAL);
  const silent = await tcpClient(t, scene.tlsPort);
  await closed(silent, 5000);
  const hits = limitHitLines(scene.lines, 'tls-handshake-time');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /no TLS handshake within 1 s/);
  t.is(await limitMetric(scene.metrics, 'tls-handshake-time'), 1);
  t.truthy(await handshakeProblem(scene, /TLS handshake timeout/));
  t.true(await until('the slot to be freed', () => (scene.pool.sockets === 0 ? true : undefined)));
});

test('handshakes failed in a loop: every one counted, a few logged, the rest in one count', async (t) => {
  const scene = await streamScene(t, {}, { minVersion: 'TLSv1.3' }, MATERIAL);
  const attempts = 20;
  for (let i = 0; i < attempts; i++) {
    const refused = await handshake(scene.tlsPort, { maxVersion: 'TLSv1.2' });
    t.true('error' in refused);
  }
  const failures = async () =>
    Number(/^trunkguard_tls_handshake_failures_total (\d+)$/m.exec(await scene.metrics.text())?.[1] ?? 0);
  for (let waited = 0; (await failures()) < attempts && waited < 5000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(await failures(), attempts, 'the metric counts every failed handshake');
  const logged = scene.lines.filter(
    (line) => actionOf(line) === 'connection-problem' && fieldOf(line, 'trunkguard.kind') === 'tls-handshake',
  );
  t.is(logged.length, LOG_BURST, 'a peer failing handshakes in a loop cannot write a line each');
  await scene.proxy.stop();
  const suppressed = scene.lines.find((line) => actionOf(line) === 'log-lines-suppressed');
  t.is(fieldOf(suppressed, 'trunkguard.count'), attempts - LOG_BURST);
});
