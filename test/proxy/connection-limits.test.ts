/**
 * proxy.limits.connections in an in-process proxy between real sockets: the per-source and total
 * caps refuse a connection at once, a slow-drip sender is cut off after messageSeconds while a
 * normal sender keeps forwarding, too many unframed bytes close a connection, and so does
 * silence. Each hit is logged once (`limit-hit`) and counted in trunkguard_limit_hits_total.
 *
 * A keep-alive answered (RFC 5626 §3.5.1) is the proof that the proxy adopted a connection.
 */
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import {
  closed,
  forwarded,
  invite,
  limitHitLines,
  limitMetric,
  pinged,
  streamScene,
  tcpClient,
  until,
} from './stream-scene.js';

test('per source: the (n+1)th connection from one address is closed at once; another address, or a slot freed, gets in', async (t) => {
  const scene = await streamScene(t, { perSource: 3 });
  const first = [];
  for (let i = 0; i < 3; i++) {
    const socket = await tcpClient(t, scene.tcpPort);
    t.true(await pinged(socket), `connection ${i + 1} of 3 is served`);
    first.push(socket);
  }
  const refused = await tcpClient(t, scene.tcpPort);
  await closed(refused, 3000);
  t.true(await pinged(await tcpClient(t, scene.tcpPort, '127.0.0.2')), 'another source is not affected');

  first[0]?.destroy();
  await until('the proxy to forget the closed connection', () =>
    scene.pool.socketsFrom('127.0.0.1') === 2 ? true : undefined,
  );
  t.true(await pinged(await tcpClient(t, scene.tcpPort)), 'a fresh connection once one closed');

  const hits = limitHitLines(scene.lines, 'connections-per-source');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /refused a connection: 3 connections open from 127\.0\.0\.1/);
  t.is(await limitMetric(scene.metrics, 'connections-per-source'), 1);
  t.is(await limitMetric(scene.metrics, 'connections'), 0);
});

test('total: a connection over the cap is closed at once, whatever its source', async (t) => {
  const scene = await streamScene(t, { max: 2 });
  t.true(await pinged(await tcpClient(t, scene.tcpPort)));
  t.true(await pinged(await tcpClient(t, scene.tcpPort, '127.0.0.2')));
  const refused = await tcpClient(t, scene.tcpPort, '127.0.0.3');
  await closed(refused, 3000);
  t.is(limitHitLines(scene.lines, 'connections').length, 1);
  t.is(await limitMetric(scene.metrics, 'connections'), 1);
  t.is(scene.pool.sockets, 2);
});

test('message time: a slow-drip sender is cut off, a normal sender on another connection keeps forwarding', async (t) => {
  const scene = await streamScene(t, { messageSeconds: 1 });
  const normal = await tcpClient(t, scene.tcpPort);
  const slow = await tcpClient(t, scene.tcpPort);
  // The normal sender's first message starts before the slow one's and ends soon after: its
  // clock must stop when the message is complete, or it would be cut off first.
  const first = invite('normal-1');
  normal.write(first.subarray(0, 100));
  const bytes = invite('slow-drip');
  slow.write(bytes.subarray(0, 40));
  normal.write(first.subarray(100));
  // One more byte every 100 ms: never idle, never complete.
  let next = 40;
  const drip = setInterval(() => {
    if (next < bytes.length - 1 && !slow.closed) slow.write(bytes.subarray(next, ++next));
  }, 100);
  t.teardown(() => clearInterval(drip));

  t.regex(await forwarded(scene.carrier, 'normal-1'), /^INVITE /);
  await closed(slow, 5000);
  normal.write(invite('normal-2'));
  t.regex(await forwarded(scene.carrier, 'normal-2'), /^INVITE /);
  t.false(normal.closed, 'the normal sender keeps its connection');

  const hits = limitHitLines(scene.lines, 'message-time');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /still incomplete 1 s after its first byte/);
  t.is(await limitMetric(scene.metrics, 'message-time'), 1);
});

test('message time: a message that starts in the read completing the one before gets a clock of its own', async (t) => {
  const scene = await streamScene(t, { messageSeconds: 2 });
  const socket = await tcpClient(t, scene.tcpPort);
  const first = invite('clock-1');
  const second = invite('clock-2');
  socket.write(first.subarray(0, 100));
  await delay(1200);
  // The rest of the first message and the start of the second, together: the clock restarts here.
  socket.write(Buffer.concat([first.subarray(100), second.subarray(0, 100)]));
  t.regex(await forwarded(scene.carrier, 'clock-1'), /^INVITE /);
  await delay(1200);
  // 2.4 s after the first message's first byte, 1.2 s into the second's: within its own limit.
  socket.write(second.subarray(100));
  t.regex(await forwarded(scene.carrier, 'clock-2'), /^INVITE /);
  t.false(socket.closed);
  t.is(limitHitLines(scene.lines, 'message-time').length, 0);
});

test('message time: a sender dripping the body of an oversize message is cut off too', async (t) => {
  const scene = await streamScene(t, { messageSeconds: 1 });
  const socket = await tcpClient(t, scene.tcpPort);
  // Over maxMessageBytes (65535): the head is answered 513 and the body skipped as it arrives,
  // held nowhere; the clock still runs until the last byte of it.
  const head = invite('oversize')
    .toString('latin1')
    .replace(/Content-Length: \d+/i, 'Content-Length: 100000')
    .split('\r\n\r\n')[0];
  socket.write(`${head}\r\n\r\n`);
  const drip = setInterval(() => {
    if (!socket.closed) socket.write('x');
  }, 100);
  t.teardown(() => clearInterval(drip));
  await closed(socket, 5000);
  const hits = limitHitLines(scene.lines, 'message-time');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /of an oversize body still to come/);
});

test('buffered bytes: more unframed bytes than the cap close the connection', async (t) => {
  const scene = await streamScene(t, { maxBufferedBytes: 2048 });
  const socket = await tcpClient(t, scene.tcpPort);
  // A header section that never ends: 3000 bytes, within maxMessageBytes but over the buffer cap.
  socket.write(`INVITE sip:x@trunk.example.com SIP/2.0\r\nX-Filler: ${'a'.repeat(3000)}`);
  await closed(socket, 3000);
  const hits = limitHitLines(scene.lines, 'buffered-bytes');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /bytes of an incomplete message, over the 2048-byte limit/);
  t.is(await limitMetric(scene.metrics, 'buffered-bytes'), 1);
  t.false(
    scene.lines.some((line) => line.event?.action === 'connection-problem'),
    'closed by the limit, not as a framing error',
  );
});

test('idle: a connection without traffic is closed after idleSeconds', async (t) => {
  const scene = await streamScene(t, { idleSeconds: 1 });
  const socket = await tcpClient(t, scene.tcpPort);
  t.true(await pinged(socket));
  await closed(socket, 5000);
  const hits = limitHitLines(scene.lines, 'connection-idle');
  t.is(hits.length, 1);
  t.regex(hits[0]?.message ?? '', /no traffic for 1 s/);
  t.is(await limitMetric(scene.metrics, 'connection-idle'), 1);
  t.true(
    await until('the proxy to forget the connection', () => (scene.pool.sockets === 0 ? true : undefined)),
  );
});
