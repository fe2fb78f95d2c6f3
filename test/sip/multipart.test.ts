/**
 * SDP bodies in plain and multipart bodies (RFC 2046 §5.1, RFC 5621): mixed, alternative,
 * related, nesting, binary parts, quoted boundaries, preamble and epilogue.
 */
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import { DEFAULT_MESSAGE_LIMITS } from '../../src/sip/message-limits.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { BASIC_HEADERS, fixture, messageOf, SIMPLE_SDP } from './fixtures.js';

function invite(contentHeaders: readonly string[], body: Buffer | string) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    ...BASIC_HEADERS,
    ...contentHeaders,
    `Content-Length: ${bytes.length}`,
  ];
  return messageOf(readDatagram(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), bytes])));
}

function sdpOf(file: string): string {
  const message = messageOf(readDatagram(fixture(file)));
  const text = message.body.toString('latin1');
  const start = text.indexOf('v=0');
  return text.slice(start, text.indexOf('\r\n--', start));
}

test('a plain application/sdp body is one SDP at path ""', (t) => {
  const message = invite(
    ['Content-Type: application/sdp', 'Content-Disposition: session;handling=required'],
    SIMPLE_SDP,
  );
  t.deepEqual(sdpBodies(message), {
    bodies: [{ text: SIMPLE_SDP, contentType: 'application/sdp', disposition: 'session', partPath: '' }],
    problems: [],
  });
});

test('Content-Type without a body, or no Content-Type, gives no SDP', (t) => {
  t.deepEqual(sdpBodies(invite(['Content-Type: application/sdp'], '')), { bodies: [], problems: [] });
  t.deepEqual(sdpBodies(invite([], '')).bodies, []);
  t.deepEqual(sdpBodies(messageOf(readDatagram(fixture('rfc4475/invut.dat')))).bodies, []);
});

test('SIPREC multipart/mixed: the SDP part, not the rs-metadata XML', (t) => {
  const message = messageOf(readDatagram(fixture('sip/siprec-multipart-mixed.dat')));
  t.deepEqual(message.problems, []);
  const { bodies, problems } = sdpBodies(message);
  t.deepEqual(problems, []);
  t.is(bodies.length, 1);
  t.is(bodies[0]?.partPath, '1');
  t.is(bodies[0]?.disposition, null);
  t.true(bodies[0]?.text.startsWith('v=0\r\no=SRC 2890844526'));
  t.true(bodies[0]?.text.endsWith('a=label:2\r\n'));
});

test('multipart/alternative with a quoted boundary, preamble, padding and epilogue: every SDP alternative', (t) => {
  const message = messageOf(readDatagram(fixture('sip/multipart-alternative.dat')));
  const { bodies, problems } = sdpBodies(message);
  t.deepEqual(problems, []);
  t.deepEqual(
    bodies.map((body) => [body.partPath, body.disposition, body.contentType]),
    [
      ['2', null, 'application/sdp'],
      ['3', 'session', 'application/sdp'],
    ],
  );
  t.true(bodies[0]?.text.includes('c=IN IP4 192.0.2.50\r\n'));
  t.true(bodies[1]?.text.includes('c=IN IP6 2001:db8::50\r\n'));
  t.true(
    bodies[1]?.text.endsWith(
      'a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n',
    ),
  );
});

test('nested multipart with a binary ISUP part: the SDP is found at path 1.2', (t) => {
  const message = messageOf(readDatagram(fixture('sip/nested-isup.dat')));
  const { bodies, problems } = sdpBodies(message);
  t.deepEqual(problems, []);
  t.is(bodies.length, 1);
  t.is(bodies[0]?.partPath, '1.2');
  t.true(bodies[0]?.text.startsWith('v=0\r\no=- 7 7 IN IP4 192.0.2.77'));
});

test('a base64 SDP part is decoded; the ISUP part after it is skipped', (t) => {
  const { bodies, problems } = sdpBodies(messageOf(readDatagram(fixture('sip/sipi-base64-sdp.dat'))));
  t.deepEqual(problems, []);
  t.is(bodies.length, 1);
  t.is(bodies[0]?.partPath, '1');
  t.is(bodies[0]?.text, sdpOf('sip/nested-isup.dat'));
});

test('a binary part holding every byte 0x00-0xff before the SDP does not disturb the delimiter scan', (t) => {
  const isup = Buffer.concat([
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    Buffer.from('\r\n--boun\r\nx--bound\r\n-\n'),
  ]);
  const body = Buffer.concat([
    Buffer.from('--bound\r\nContent-Type: application/isup;version=itu-t92+\r\n\r\n'),
    isup,
    Buffer.from(`\r\n--bound\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}\r\n--bound--\r\n`),
  ]);
  const { bodies, problems } = sdpBodies(invite(['Content-Type: multipart/mixed; boundary=bound'], body));
  t.deepEqual(problems, []);
  t.deepEqual(
    bodies.map((b) => [b.partPath, b.text]),
    [['2', SIMPLE_SDP]],
  );
});

test('RFC 4475 mpart01.dat: binary S/MIME with NUL and bare CR, no SDP and no problem', (t) => {
  t.deepEqual(sdpBodies(messageOf(readDatagram(fixture('rfc4475/mpart01.dat')))), {
    bodies: [],
    problems: [],
  });
});

test('multipart/related, LF-only delimiters, part without headers', (t) => {
  const body = `--rel\n\nplain text part without headers\n--rel\nContent-Type: application/sdp\n\n${SIMPLE_SDP}--rel--\n`;
  const { bodies, problems } = sdpBodies(
    invite(['Content-Type: multipart/related;type="application/sdp";boundary=rel'], body),
  );
  t.deepEqual(problems, []);
  t.deepEqual(
    bodies.map((b) => [b.partPath, b.text]),
    [['2', SIMPLE_SDP.replace(/\r\n$/, '')]],
  );
});

test('structural problems are reported, and what can be read is still read', (t) => {
  const noClose = sdpBodies(
    invite(
      ['Content-Type: multipart/mixed;boundary=b'],
      `--b\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}`,
    ),
  );
  t.is(noClose.bodies[0]?.text, SIMPLE_SDP);
  t.regex(noClose.problems[0]?.reason ?? '', /has no close delimiter/);

  const noBoundary = sdpBodies(invite(['Content-Type: multipart/mixed'], 'whatever'));
  t.regex(noBoundary.problems[0]?.reason ?? '', /no boundary parameter/);

  const absent = sdpBodies(invite(['Content-Type: multipart/mixed;boundary=zz'], `--b\r\n\r\n${SIMPLE_SDP}`));
  t.regex(absent.problems[0]?.reason ?? '', /boundary 'zz' never appears/);

  const twoTypes = sdpBodies(
    invite(
      ['Content-Type: multipart/mixed;boundary=b'],
      `--b\r\nContent-Type: text/plain\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}\r\n--b--`,
    ),
  );
  t.regex(twoTypes.problems[0]?.reason ?? '', /part 1 has 2 Content-Type headers/);
  t.is(twoTypes.bodies.length, 0, 'the first Content-Type (text/plain) is the one read');

  const qp = sdpBodies(
    invite(
      ['Content-Type: multipart/mixed;boundary=b'],
      `--b\r\nContent-Type: application/sdp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${SIMPLE_SDP}\r\n--b--`,
    ),
  );
  t.regex(qp.problems[0]?.reason ?? '', /Content-Transfer-Encoding 'quoted-printable': not inspected/);
});

test(`nesting deeper than ${DEFAULT_MESSAGE_LIMITS.maxMultipartDepth} levels is not followed`, (t) => {
  let body = `--b9\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}\r\n--b9--`;
  for (let level = 8; level >= 0; level--) {
    body = `--b${level}\r\nContent-Type: multipart/mixed;boundary=b${level + 1}\r\n\r\n${body}\r\n--b${level}--`;
  }
  const { bodies, overLimit } = sdpBodies(invite(['Content-Type: multipart/mixed;boundary=b0'], body));
  t.deepEqual(bodies, []);
  t.is(overLimit?.limit, 'multipart-depth');
  t.regex(overLimit?.reason ?? '', /^5 levels of multipart nesting, over the limit of 4/);

  let shallow = `--b3\r\nContent-Type: application/sdp\r\n\r\n${SIMPLE_SDP}\r\n--b3--`;
  for (let level = 2; level >= 0; level--) {
    shallow = `--b${level}\r\nContent-Type: multipart/mixed;boundary=b${level + 1}\r\n\r\n${shallow}\r\n--b${level}--`;
  }
  t.deepEqual(
    sdpBodies(invite(['Content-Type: multipart/mixed;boundary=b0'], shallow)).bodies.map((b) => b.partPath),
    ['1.1.1.1'],
  );
});

test('a gzip Content-Encoding body is inflated and inspected', (t) => {
  const message = invite(['Content-Type: application/sdp', 'Content-Encoding: gzip'], gzipSync(SIMPLE_SDP));
  t.deepEqual(
    sdpBodies(message).bodies.map((b) => b.text),
    [SIMPLE_SDP],
  );
  const unknown = sdpBodies(invite(['Content-Type: application/sdp', 'e: br'], 'xx'));
  t.regex(unknown.problems[0]?.reason ?? '', /Content-Encoding 'br' is not supported/);
  const broken = sdpBodies(invite(['Content-Type: application/sdp', 'Content-Encoding: gzip'], 'not gzip'));
  t.regex(broken.problems[0]?.reason ?? '', /does not decode/);
});
