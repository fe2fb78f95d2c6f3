/**
 * The shared grammar terminals and the address classifier, on their own.
 */
import test from 'ava';
import { classifyTypedAddress } from '../../src/sdp/connection-address.js';
import { isDigits, isToken, leadingInteger, toPort } from '../../src/sdp/syntax.js';

test('isToken follows RFC 8866 token-char exactly', (t) => {
  const inAbnf = (code: number) =>
    code === 0x21 ||
    (code >= 0x23 && code <= 0x27) ||
    (code >= 0x2a && code <= 0x2b) ||
    (code >= 0x2d && code <= 0x2e) ||
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x5e && code <= 0x7e);
  for (let code = 0; code < 0x100; code++) {
    t.is(isToken(String.fromCharCode(code)), inAbnf(code), `0x${code.toString(16)}`);
  }
  t.false(isToken(''));
  t.true(isToken('rtcp-mux'));
  t.false(isToken('RTP/AVP'));
});

test('digits, ports and the lenient atoi reading', (t) => {
  t.true(isDigits('0123'));
  t.false(isDigits(''));
  t.false(isDigits('12a'));
  t.false(isDigits('123', 2));
  t.is(toPort('65535'), 65535);
  t.is(toPort('65536'), null);
  t.is(toPort('080'), 80);
  t.is(toPort('-1'), null);
  t.is(leadingInteger('5000x'), 5000);
  t.is(leadingInteger('x5000'), null);
});

test('address kinds by addrtype', (t) => {
  const kind = (addrType: string, text: string) => {
    const verdict = classifyTypedAddress('IN', addrType, text);
    return [verdict.kind, verdict.address, verdict.mapped, verdict.reason === null];
  };
  t.deepEqual(kind('IP4', '168.86.128.10'), ['ip4', '168.86.128.10', false, true]);
  t.deepEqual(kind('IP4', '0.0.0.0'), ['hold', '0.0.0.0', false, true]);
  t.deepEqual(kind('IP4', '224.0.0.1'), ['multicast', '224.0.0.1', false, true]);
  t.deepEqual(kind('IP4', '239.255.255.255'), ['multicast', '239.255.255.255', false, true]);
  t.deepEqual(kind('IP4', '240.0.0.1'), ['ip4', '240.0.0.1', false, true]);
  t.deepEqual(kind('IP4', '01.2.3.4'), ['invalid', '01.2.3.4', false, false]);
  t.deepEqual(kind('IP4', '1.2.3'), ['invalid', '1.2.3', false, false]);
  t.deepEqual(kind('IP4', 'XX.XX.XX.XX'), ['invalid', 'XX.XX.XX.XX', false, false]);
  t.deepEqual(kind('IP4', 'sip.example.com'), ['fqdn', 'sip.example.com', false, true]);
  t.deepEqual(kind('IP4', 'pbx'), ['invalid', 'pbx', false, false]);
  t.deepEqual(kind('IP4', 'host_1.example.com'), ['invalid', 'host_1.example.com', false, false]);
  t.deepEqual(kind('IP4', 'media.example.com.'), ['fqdn', 'media.example.com.', false, true]);
  t.deepEqual(kind('IP6', '::ffff:0.0.0.0'), ['hold', '0.0.0.0', true, true]);
  t.deepEqual(kind('IP6', '::FFFF:168.86.128.10'), ['ip4', '168.86.128.10', true, true]);
  t.deepEqual(kind('IP6', 'FE80:0:0:0:0:0:0:1'), ['ip6', 'fe80::1', false, true]);
  t.deepEqual(kind('IP6', 'ff02::1'), ['multicast', 'ff02::1', false, true]);
  t.deepEqual(kind('IP6', '2001:db8::1::2'), ['invalid', '2001:db8::1::2', false, false]);
  t.deepEqual(kind('IP6', 'sip.example.com'), ['fqdn', 'sip.example.com', false, true]);
});
