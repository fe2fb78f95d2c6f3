import test from 'ava';
import { udpSize } from '../../../src/policy/checks/udp-size.js';
import { codesOf, messageContext, sipMessage } from './context.js';

test('a request over 1300 bytes on UDP MUST go over TCP (RFC 3261 §18.1.1)', (t) => {
  const found = udpSize.run(
    messageContext(sipMessage({ size: 1400 }), { transport: 'udp', side: 'customer' }),
  );
  t.deepEqual(codesOf(found), ['udp-message-too-large']);
  t.is(found[0]?.mediaIndex, null);
  t.regex(found[0]?.message ?? '', /INVITE request of 1400 bytes over UDP \(limit 1300\).*MUST go over TCP/);
  t.is(found[0]?.evidence, 'INVITE sip:+14155550199@mytrunk.pstn.twilio.com SIP/2.0');
});

test('a large response over UDP is reported as a response that fragments', (t) => {
  const found = udpSize.run(
    messageContext(sipMessage({ startLine: 'SIP/2.0 200 OK', size: 1500 }), { transport: 'udp' }),
  );
  t.deepEqual(codesOf(found), ['udp-message-too-large']);
  t.regex(found[0]?.message ?? '', /^200 response of 1500 bytes over UDP.*fragmented/);
  t.notRegex(found[0]?.message ?? '', /MUST/);
});

test('at the limit, over TCP or TLS, or with a raised limit: nothing', (t) => {
  t.deepEqual(udpSize.run(messageContext(sipMessage({ size: 1300 }), { transport: 'udp' })), []);
  t.deepEqual(udpSize.run(messageContext(sipMessage({ size: 5000 }), { transport: 'tcp' })), []);
  t.deepEqual(udpSize.run(messageContext(sipMessage({ size: 5000 }), { transport: 'tls' })), []);
  t.deepEqual(
    udpSize.run(
      messageContext(sipMessage({ size: 1400 }), { transport: 'udp', policy: { udpMaxBytes: 1450 } }),
    ),
    [],
  );
});
