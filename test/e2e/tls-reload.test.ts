/**
 * Certificate reload on SIGHUP, on a real `trunkguard proxy` with a TLS listener: the cert and
 * key files are replaced by another pair (the test CA's `server` certificate, CN=localhost, in
 * place of the proxy's own, CN=trunkguard proxy), SIGHUP is sent, and a new TLS connection is
 * served the new certificate, while SIPp calls over UDP through the proxy go on undisturbed and a
 * TLS connection opened before the reload keeps working. Then a broken certificate file and
 * SIGHUP: `tls-reload-failed` with the reason, and the previous certificate is still served.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import test, { type ExecutionContext } from 'ava';
import { CUSTOMER_MEDIA } from './harness/media.js';
import { freePort } from './harness/ports.js';
import { bounded } from './harness/processes.js';
import { fieldOf, REPO_ROOT, startProxyProcess } from './harness/proxy.js';
import { runSipp, startSippUas, UAC_SCENARIO } from './harness/sipp.js';

const TLS = join(REPO_ROOT, 'test', 'fixtures', 'tls');
const CALLS = 20;

/** A TLS connection to the proxy, trusting the test CA only; resolves once the handshake is done. */
async function tlsClient(t: ExecutionContext, port: number): Promise<TLSSocket> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(join(TLS, 'ca.crt')) });
  t.teardown(() => socket.destroy());
  await bounded(
    new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    }),
    5000,
    'a TLS handshake with the proxy',
  );
  return socket;
}

/** The common name of the certificate a fresh TLS connection is served. */
async function servedName(t: ExecutionContext, port: number): Promise<string> {
  const socket = await tlsClient(t, port);
  const name = String(socket.getPeerCertificate().subject.CN);
  socket.end();
  return name;
}

/** A keep-alive (RFC 5626 §3.5.1) answered on an open connection. */
async function pongs(socket: TLSSocket): Promise<boolean> {
  return bounded(
    new Promise<boolean>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString() === '\r\n'));
      socket.write('\r\n\r\n');
    }),
    3000,
    'a keep-alive pong',
  );
}

test('SIGHUP reloads the TLS certificate without disturbing UDP calls; a broken file keeps the old one', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-tls-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  copyFileSync(join(TLS, 'proxy.crt'), certFile);
  copyFileSync(join(TLS, 'proxy.key'), keyFile);

  const uas = await startSippUas({
    localPort: await freePort(),
    transport: 'u1',
    calls: CALLS,
    traceDir: dir,
    t,
  });
  const proxy = await startProxyProcess({
    carrier: `${uas.address};transport=udp`,
    listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
    extraArgs: ['--tls-cert', certFile, '--tls-key', keyFile],
    t,
  });
  t.teardown(() => {
    if (!t.passed) t.log(`proxy output:\n${proxy.proc.tail(40)}`);
  });
  const { tlsPort, udpPort } = proxy;
  if (tlsPort === null || udpPort === null) throw new Error('the proxy logged no TLS or UDP listener');
  t.is(await servedName(t, tlsPort), 'trunkguard proxy');
  const before = await tlsClient(t, tlsPort);

  // UDP calls through the proxy, running while the certificate is replaced.
  const calls = runSipp({
    scenario: UAC_SCENARIO,
    remote: `127.0.0.1:${udpPort}`,
    localPort: await freePort(),
    transport: 'u1',
    calls: CALLS,
    rate: 10,
    keys: CUSTOMER_MEDIA,
    timeoutMs: 20_000,
    recvTimeoutMs: 5000,
    traceDir: dir,
    t,
  });
  await uas.waitForMessages((messages) => messages.some((m) => m.method === 'INVITE'), 10_000);

  copyFileSync(join(TLS, 'server.crt'), certFile);
  copyFileSync(join(TLS, 'server.key'), keyFile);
  process.kill(proxy.proc.pid, 'SIGHUP');
  const [reloaded] = await proxy.waitForEvents('tls-reloaded', 1, 5000);
  const expected = new X509Certificate(readFileSync(join(TLS, 'server.crt')));
  t.is(fieldOf(reloaded, 'tls.server.hash.sha256'), expected.fingerprint256);
  t.regex(String(fieldOf(reloaded, 'tls.server.subject')), /CN=localhost/);
  t.is(fieldOf(reloaded, 'tls.server.not_after'), new Date(expected.validTo).toISOString());
  t.is(await servedName(t, tlsPort), 'localhost', 'a new connection gets the new certificate');
  t.true(await pongs(before), 'the connection opened before the reload still works');

  const result = await calls;
  t.is(result.code, 0, `UDP calls during the reload:\n${result.errors}`);
  t.is(result.stats.successful, CALLS);
  t.is(result.stats.failed, 0);

  // A broken certificate: the reload fails, says why, and the certificate served stays the same.
  writeFileSync(certFile, 'this is not a certificate\n');
  process.kill(proxy.proc.pid, 'SIGHUP');
  const [failed] = await proxy.waitForEvents('tls-reload-failed', 1, 5000);
  t.is(failed?.log && (failed.log as { level?: string }).level, 'error');
  t.regex(failed?.message ?? '', /the certificate cannot be used/);
  t.is(await servedName(t, tlsPort), 'localhost', 'the previous certificate is still served');

  // Key material never reaches the log.
  const keyBody = readFileSync(join(TLS, 'server.key'), 'utf8').split('\n')[1] ?? '';
  t.true(keyBody.length > 20);
  t.false(proxy.proc.lines.some((line) => line.includes(keyBody)));
  t.deepEqual(proxy.otherLines(), []);
});
