import test from 'ava';
import { messageProblems } from '../../../src/policy/checks/message-problems.js';
import { codesOf, DEFAULT_HEADERS, messageContext, sipMessage } from './context.js';

const BODY =
  'v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n';

test('a clean message has no problems', (t) => {
  t.deepEqual(messageProblems.run(messageContext(sipMessage({ body: BODY }))), []);
});

test('each reader problem becomes one observation with the same code, reason and evidence', (t) => {
  const message = sipMessage({
    body: BODY,
    headers: [
      ...DEFAULT_HEADERS,
      ['Content-Type', 'application/sdp'],
      ['Content-Length', String(BODY.length + 50)],
    ],
  });
  t.true(message.problems.length > 0);
  const found = messageProblems.run(messageContext(message, { side: 'customer', transport: 'udp' }));
  t.deepEqual(
    found,
    message.problems.map((problem) => ({
      code: problem.code,
      message: problem.reason,
      mediaIndex: null,
      evidence: problem.evidence,
    })),
  );
  t.true(codesOf(found).includes('content-length-mismatch'));
});

test('two Content-Length headers are duplicate-content-length', (t) => {
  const message = sipMessage({
    body: BODY,
    headers: [
      ...DEFAULT_HEADERS,
      ['Content-Type', 'application/sdp'],
      ['Content-Length', String(BODY.length)],
      ['l', String(BODY.length - 10)],
    ],
  });
  t.true(codesOf(messageProblems.run(messageContext(message))).includes('duplicate-content-length'));
});

test('a grammar break is malformed-message', (t) => {
  const message = sipMessage({
    headers: DEFAULT_HEADERS.map(([name, value]) => [name, name === 'CSeq' ? '1 BYE' : value]),
  });
  const found = messageProblems.run(messageContext(message));
  t.true(codesOf(found).includes('malformed-message'));
  t.true(found.every((item) => item.mediaIndex === null));
});
