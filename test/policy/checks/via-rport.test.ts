import test from 'ava';
import { viaRport } from '../../../src/policy/checks/via-rport.js';
import { codesOf, messageContext, sipMessage } from './context.js';

function request(via: string, startLine?: string) {
  return sipMessage({
    ...(startLine === undefined ? {} : { startLine }),
    headers: [
      ['Via', via],
      ['Call-ID', 'nat@pbx.example.com'],
      ['CSeq', '1 INVITE'],
    ],
  });
}

test('a customer request asking for rport is reported (RFC 3581)', (t) => {
  const found = viaRport.run(
    messageContext(request('SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1;rport'), { side: 'customer' }),
  );
  t.deepEqual(codesOf(found), ['via-rport']);
  t.is(found[0]?.mediaIndex, null);
  t.is(found[0]?.evidence, 'Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1;rport');
  t.regex(found[0]?.message ?? '', /INVITE top Via asks for rport/);
  t.notRegex(found[0]?.message ?? '', /sent-by/);
});

test('a private sent-by is named as the NAT evidence', (t) => {
  const found = viaRport.run(
    messageContext(request('SIP/2.0/UDP 192.168.1.20:5060;rport;branch=z9hG4bK-2'), { side: 'customer' }),
  );
  t.regex(found[0]?.message ?? '', /sent-by 192\.168\.1\.20 is a private \(RFC 1918\) address/);
});

test('only the top Via of a customer request counts', (t) => {
  const noRport =
    'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-3, SIP/2.0/UDP 10.0.0.2:5060;rport;branch=z9hG4bK-0';
  t.deepEqual(viaRport.run(messageContext(request(noRport), { side: 'customer' })), []);
  const rport = 'SIP/2.0/UDP 203.0.113.10:5060;rport;branch=z9hG4bK-3';
  t.deepEqual(viaRport.run(messageContext(request(rport), { side: 'carrier' })), []);
  t.deepEqual(viaRport.run(messageContext(request(rport, 'SIP/2.0 200 OK'), { side: 'customer' })), []);
});

test('in-dialog requests (To tag) are not reported again: once per call, on the dialog-creating request', (t) => {
  const inDialog = (to: string) =>
    sipMessage({
      startLine: 'BYE sip:+14155550199@168.86.140.1 SIP/2.0',
      headers: [
        ['Via', 'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-9;rport'],
        ['To', to],
        ['Call-ID', 'nat@pbx.example.com'],
        ['CSeq', '2 BYE'],
      ],
    });
  t.deepEqual(
    viaRport.run(messageContext(inDialog('<sip:bob@example.com>;tag=tw-1'), { side: 'customer' })),
    [],
  );
  t.deepEqual(
    viaRport.run(messageContext(inDialog('<sip:bob@example.com> ; TAG = x'), { side: 'customer' })),
    [],
  );
  t.deepEqual(
    codesOf(viaRport.run(messageContext(inDialog('<sip:bob@example.com>'), { side: 'customer' }))),
    ['via-rport'],
  );
});
