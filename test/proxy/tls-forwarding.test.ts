/**
 * UDP in, TLS out (the common trunk: a PBX on UDP, Twilio requiring TLS >= 1.2), against a Node
 * TLS server holding a certificate from the test CA: the carrier's certificate is verified, SNI
 * is sent for a host name and not for an IP (RFC 6066 §3), a carrier the proxy cannot trust gets
 * no bytes and the caller a 503 (RFC 3261 §16.9).
 */
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import test from 'ava';
import { DEFAULT_TLS_CIPHERS } from '../../src/proxy/load-proxy-settings.js';
import type { TlsMaterial } from '../../src/proxy/transports/stream-transport.js';
import { actionOf, hop, REPO, StreamCollector, startProxy, UdpPeer } from './in-process.js';

const TLS = new URL('test/fixtures/tls/', REPO);
const pem = (name: string) => readFileSync(new URL(name, TLS));
const INVITE = readFileSync(new URL('test/fixtures/sip/splice/invite-compact.sip', REPO)).toString('latin1');

async function tlsCarrier(): Promise<{
  port: number;
  connections: { socket: TLSSocket; collector: StreamCollector }[];
  close: () => void;
}> {
  const connections: { socket: TLSSocket; collector: StreamCollector }[] = [];
  const server = createServer(
    { cert: pem('server.crt'), key: pem('server.key'), minVersion: 'TLSv1.2' },
    (socket) => connections.push({ socket, collector: new StreamCollector(socket) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections,
    close: () => {
      for (const { socket } of connections) socket.destroy();
      server.close();
    },
  };
}

/** The proxy's own certificate (its TLS listener, which Record-Route names) and the test CA. */
const trusting: TlsMaterial = {
  cert: pem('proxy.crt'),
  key: pem('proxy.key'),
  ca: pem('ca.crt'),
  verifyPeer: true,
  minVersion: 'TLSv1.2',
};

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('UDP in, TLS out: Via says TLS, double Record-Route (RFC 5658), the response comes back over UDP', async (t) => {
  const carrier = await tlsCarrier();
  const customer = await new UdpPeer().start();
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'tls'), {}, {}, trusting);
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  customer.send(INVITE, running.udpPort);
  const far = await until('a TLS connection', () => carrier.connections[0]);
  const forwarded = (await far.collector.message()).toString('latin1');
  t.true(['TLSv1.2', 'TLSv1.3'].includes(far.socket.getProtocol() ?? ''));
  // Carrier given as an IP: no SNI (RFC 6066 §3: literal addresses are not permitted).
  t.false(Boolean((far.socket as TLSSocket & { servername?: string | false }).servername));
  const via = new RegExp(
    `^Via: SIP/2\\.0/TLS 127\\.0\\.0\\.1:${running.tlsPort};branch=z9hG4bKtg[A-Za-z0-9_-]+;alias\r\n`,
    'm',
  ).exec(forwarded);
  t.truthy(via, forwarded);
  const recordRoutes = forwarded.match(/^Record-Route: .*$/gm) ?? [];
  t.deepEqual(recordRoutes, [
    `Record-Route: <sip:127.0.0.1:${running.tlsPort};transport=tls;lr>`,
    `Record-Route: <sip:127.0.0.1:${running.udpPort};transport=udp;lr>`,
  ]);
  const response = forwarded
    .slice(0, forwarded.indexOf('\r\n\r\n') + 2)
    .split('\r\n')
    .filter((line) => /^(via|v|f|t|i|cseq|record-route)[ \t]*:/i.test(line))
    .join('\r\n');
  const ringing = `SIP/2.0 180 Ringing\r\n${response}\r\nContent-Length: 0\r\n\r\n`;
  far.socket.write(ringing);
  const back = (await customer.next()).bytes.toString('latin1');
  t.is(back, ringing.replace(via?.[0] ?? '', ''));
});

test('TLS out with a host name: SNI and certificate checked against it', async (t) => {
  const carrier = await tlsCarrier();
  const customer = await new UdpPeer().start();
  const running = await startProxy(
    hop('127.0.0.1', carrier.port, 'tls'),
    {
      tls: {
        certFile: null,
        keyFile: null,
        caFile: null,
        verifyPeer: true,
        serverName: 'localhost',
        minVersion: 'TLSv1.2',
        ciphers: DEFAULT_TLS_CIPHERS,
        handshakeSeconds: 10,
      },
    },
    {},
    trusting,
  );
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  customer.send(INVITE, running.udpPort);
  const far = await until('a TLS connection', () => carrier.connections[0]);
  await far.collector.message();
  t.is((far.socket as TLSSocket & { servername?: string }).servername, 'localhost');
});

test('a carrier certificate the proxy cannot verify: nothing is sent, the caller gets 503, the failure is logged', async (t) => {
  const carrier = await tlsCarrier();
  const customer = await new UdpPeer().start();
  // No CA given: Node's store does not know the test CA.
  const running = await startProxy(hop('127.0.0.1', carrier.port, 'tls'), {}, {}, { ...trusting, ca: null });
  t.teardown(async () => {
    carrier.close();
    customer.close();
    await running.stop();
  });
  customer.send(INVITE, running.udpPort);
  const answer = (await customer.next()).bytes.toString('latin1');
  t.regex(
    answer,
    /^SIP\/2\.0 503 Service Unavailable \(next hop 127\.0\.0\.1:\d+;transport=tls unreachable\)\r\n/,
  );
  t.true(
    running.lines.some(
      (line) => actionOf(line) === 'connection-problem' && /certificate/i.test(String(line.message)),
    ),
  );
  t.is(carrier.connections.filter((c) => c.collector.socket.bytesRead > 0 && c.socket.authorized).length, 0);
});
