/**
 * A check that throws (a bug some input reaches) does not take the judge down: the message gets one
 * finding naming the check, the other checks still judge it, and the next message is judged as usual.
 */
import test from 'ava';
import type { Check } from '../../src/policy/check.js';
import { ALL_CHECKS } from '../../src/policy/checks/index.js';
import { Judge } from '../../src/policy/engine.js';
import type { Envelope } from '../../src/sip/envelope.js';
import { CUSTOMER_HOST, config, key, sdp, session, sipMessage } from './checks/context.js';

const envelope: Envelope = {
  transport: 'udp',
  src: { host: CUSTOMER_HOST, port: 5060 },
  dst: { host: '54.172.60.1', port: 5060 },
  time: '2026-12-06T21:00:00.000Z',
};

/** Throws on the first message it judges only, with SDES key material in its error. */
function throwingOnce(scope: Check['scope']): Check {
  let thrown = false;
  return {
    name: `broken-${scope}`,
    scope,
    run: () => {
      if (thrown) return [];
      thrown = true;
      throw new TypeError(`cannot read inline:${key('leak')} of undefined`);
    },
  };
}

const offer = (callId: string) =>
  sipMessage({
    headers: [
      ['Via', `SIP/2.0/UDP ${CUSTOMER_HOST}:5060;branch=z9hG4bK-${callId}`],
      ['From', '<sip:a@pbx.example.com>;tag=a'],
      ['To', '<sip:b@example.com>'],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Max-Forwards', '70'],
    ],
    body: sdp(...session('203.0.113.10'), 'm=audio 40000 RTP/AVP 0'),
  });

for (const scope of ['message', 'sdp'] as const) {
  test(`a ${scope} check that throws: one finding names it, the other checks still judge`, (t) => {
    const judge = new Judge(config(), { checks: [...ALL_CHECKS, throwingOnce(scope)] });
    const first = judge.judgeMessage(offer('one@pbx'), envelope, 0);
    const failed = first.findings.filter((finding) => finding.message.includes(`'broken-${scope}' check`));
    t.is(failed.length, 1);
    t.like(failed[0], { code: 'malformed-message', callId: 'one@pbx', messageIndex: 0 });
    t.regex(
      failed[0]?.message ?? '',
      /^internal error in the 'broken-\w+' check, which could not judge this message: TypeError: cannot read /,
    );
    t.false(failed[0]?.message.includes(key('leak')), 'the key in the error is redacted');
    // The real checks judged the same message: plain RTP is reported as ever.
    t.true(first.findings.some((finding) => finding.code === 'srtp-not-negotiated'));
    const second = judge.judgeMessage(offer('two@pbx'), envelope, 1);
    t.deepEqual(
      second.findings.map((finding) => finding.code),
      first.findings.filter((finding) => finding !== failed[0]).map((finding) => finding.code),
    );
  });
}
