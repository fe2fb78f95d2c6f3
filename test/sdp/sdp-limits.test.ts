/**
 * The SDP limits (src/sdp/sdp-limits.ts): lines per description and a=candidate lines per m=
 * section. At the limit the description is modelled; one over, it is not modelled at all and its
 * one problem names the limit.
 */
import test from 'ava';
import { parseSdp } from '../../src/sdp/parse.js';

const LIMITS = { maxSdpLines: 12, maxIceCandidates: 3 };
const HEAD = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0'];

function sdp(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

function candidate(i: number): string {
  return `a=candidate:${i} 1 udp 2130706431 192.0.2.1 ${40000 + i} typ host`;
}

function padded(total: number): string[] {
  const media = ['m=audio 49170 RTP/AVP 0'];
  const filler = Array.from({ length: total - HEAD.length - media.length }, (_, i) => `a=x-filler:${i}`);
  return [...HEAD, ...media, ...filler];
}

test('lines: at the limit the SDP is modelled; one over, it is not, and its one problem names the limit', (t) => {
  const at = parseSdp(sdp(padded(12)), { limits: LIMITS });
  t.is(at.media.length, 1);
  t.is(at.overLimit, undefined);
  const over = parseSdp(sdp(padded(13)), { limits: LIMITS });
  t.deepEqual(over, {
    origin: null,
    connection: null,
    connections: [],
    media: [],
    problems: [
      {
        code: 'malformed-sdp',
        reason: 'SDP not inspected: 13 lines in the SDP, over the limit of 12',
        mediaIndex: null,
        evidence: null,
      },
    ],
    overLimit: { limit: 'sdp-lines', reason: '13 lines in the SDP, over the limit of 12' },
  });
});

test('lines: the count is of the whole description, not where reading stopped', (t) => {
  const over = parseSdp(sdp(padded(5000)), { limits: LIMITS });
  t.is(over.problems[0]?.reason, 'SDP not inspected: 5000 lines in the SDP, over the limit of 12');
  // Trailing empty lines are not lines of the description.
  t.is(parseSdp(`${sdp(padded(12))}\r\n\r\n`, { limits: LIMITS }).media.length, 1);
});

test('ICE candidates: counted per m= section; one over in a section is not modelled', (t) => {
  const two = (first: number, second: number) => [
    ...HEAD,
    'm=audio 49170 RTP/AVP 0',
    ...Array.from({ length: first }, (_, i) => candidate(i)),
    'm=video 49172 RTP/AVP 96',
    ...Array.from({ length: second }, (_, i) => candidate(i)),
  ];
  const limits = { maxSdpLines: 2000, maxIceCandidates: 3 };
  const at = parseSdp(sdp(two(3, 3)), { limits });
  t.deepEqual(
    at.media.map((media) => media.candidates.length),
    [3, 3],
  );
  const over = parseSdp(sdp(two(3, 6)), { limits });
  t.is(over.media.length, 0);
  t.deepEqual(
    over.problems.map((problem) => [problem.code, problem.reason]),
    [['malformed-sdp', 'SDP not inspected: 6 a=candidate lines in m= section 1, over the limit of 3']],
  );
  t.deepEqual(over.overLimit, {
    limit: 'ice-candidates',
    reason: '6 a=candidate lines in m= section 1, over the limit of 3',
  });
});

test('without limits parseSdp models any description (the judge always passes them)', (t) => {
  const many = [...HEAD, 'm=audio 49170 RTP/AVP 0', ...Array.from({ length: 100 }, (_, i) => candidate(i))];
  t.is(parseSdp(sdp(many)).media[0]?.candidates.length, 100);
});
