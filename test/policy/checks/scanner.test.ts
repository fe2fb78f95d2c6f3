import test from 'ava';
import { scanner } from '../../../src/policy/checks/scanner.js';
import { codesOf, messageContext, sipMessage } from './context.js';

function withHeader(name: string, value: string, startLine?: string) {
  return sipMessage({
    ...(startLine === undefined ? {} : { startLine }),
    headers: [
      ['Via', 'SIP/2.0/UDP 192.0.2.66:5070;branch=z9hG4bK-scan'],
      ['Call-ID', 'scan@192.0.2.66'],
      ['CSeq', '1 OPTIONS'],
      [name, value],
    ],
  });
}

test('a scanner User-Agent is reported, naming the pattern', (t) => {
  const found = scanner.run(
    messageContext(withHeader('User-Agent', 'friendly-scanner'), { side: 'customer' }),
  );
  t.deepEqual(codesOf(found), ['scanner-user-agent']);
  t.is(found[0]?.evidence, 'User-Agent: friendly-scanner');
  t.regex(found[0]?.message ?? '', /"friendly-scanner" matches the SIP scanner pattern "friendly-scanner"/);
});

test('matching is case-insensitive and covers the Server header of responses', (t) => {
  const found = scanner.run(messageContext(withHeader('Server', 'SIPVicious 0.3.4', 'SIP/2.0 200 OK')));
  t.deepEqual(codesOf(found), ['scanner-user-agent']);
  t.regex(found[0]?.message ?? '', /"sipvicious"/);
});

test('ordinary user agents and an empty pattern list give nothing', (t) => {
  t.deepEqual(scanner.run(messageContext(withHeader('User-Agent', 'Asterisk PBX 20.5.0'))), []);
  t.deepEqual(
    scanner.run(
      messageContext(withHeader('User-Agent', 'friendly-scanner'), { policy: { scannerUserAgents: [] } }),
    ),
    [],
  );
  t.deepEqual(
    scanner.run(messageContext(withHeader('User-Agent', 'x'), { policy: { scannerUserAgents: [''] } })),
    [],
  );
});
