/**
 * Properties (fast-check): parseSdp never throws, stays bounded, never lets key material out, and
 * agrees with sdp-transform whenever it finds nothing wrong. SDP_FUZZ_RUNS=60000 runs them longer.
 */
import test from 'ava';
import fc from 'fast-check';
import sdpTransform from 'sdp-transform';
import { parseSdp } from '../../src/sdp/parse.js';
import { MAX_PROBLEMS } from '../../src/sdp/problems.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import {
  COMPARED_ATTRIBUTE,
  compareReadings,
  crossCheckWithSdpTransform,
  readWithSdpTransform,
} from '../../src/sdp/sdp-transform-view.js';
import type { SessionDescription } from '../../src/sdp/types.js';
import { listSdpFixtures, readSdpFixture, stringsIn } from './fixtures.js';

const CODES = new Set(['duplicate-connection-line', 'missing-connection-address', 'malformed-sdp']);

function assertWellShaped(description: SessionDescription): void {
  if (!Array.isArray(description.media) || !Array.isArray(description.problems))
    throw new Error('not arrays');
  if (description.problems.length > MAX_PROBLEMS + 1) throw new Error('unbounded problems');
  for (const problem of description.problems) {
    if (!CODES.has(problem.code)) throw new Error(`unknown code ${problem.code}`);
    if (problem.mediaIndex !== null && problem.mediaIndex >= description.media.length)
      throw new Error('bad index');
  }
  description.media.forEach((media, index) => {
    if (media.index !== index) throw new Error('media index out of step');
    if (!Number.isFinite(media.port) || !Number.isFinite(media.rtcp.port))
      throw new Error('port not a number');
  });
}

function assertNoKeyMaterial(description: SessionDescription): void {
  for (const text of stringsIn(description)) {
    if (containsSdesKey(text)) throw new Error(`key material in output: ${text}`);
  }
}

const seeds = listSdpFixtures().map(readSdpFixture);
/** Seeds both parsers read alike (port-count.sdp is a known sdp-transform gap, so it is not one). */
const agreedSeeds = seeds.filter((text) => {
  const description = parseSdp(text);
  return description.problems.length === 0 && crossCheckWithSdpTransform(text, description).length === 0;
});

/** One edit to an SDP: line-level (drop, duplicate, swap, line ends) or character-level. */
type Mutation =
  | { kind: 'drop-line' | 'duplicate-line'; at: number }
  | { kind: 'swap-lines'; at: number; other: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'line-ends'; to: '\n' | '\r' | '\r\n\r\n' }
  | { kind: 'truncate'; at: number };

const SDP_PIECES = [
  '=',
  ' ',
  '/',
  ':',
  ';',
  '|',
  '\r\n',
  '\n',
  '\r',
  '\0',
  'c=IN IP4 ',
  'm=audio ',
  'a=crypto:',
  'inline:',
  '0.0.0.0',
  '::',
  '2^20',
  '1:4',
  'a=rtcp:',
  'typ',
];

const lineMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop-line' as const, 'duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant('line-ends' as const),
    to: fc.constantFrom('\n' as const, '\r' as const, '\r\n\r\n' as const),
  }),
);
const anyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  lineMutation,
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...SDP_PIECES), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(text: string, mutation: Mutation): string {
  const lines = text.split('\r\n');
  const pick = (n: number) => n % Math.max(lines.length, 1);
  switch (mutation.kind) {
    case 'drop-line':
      lines.splice(pick(mutation.at), 1);
      return lines.join('\r\n');
    case 'duplicate-line': {
      const at = pick(mutation.at);
      lines.splice(at, 0, lines[at] ?? '');
      return lines.join('\r\n');
    }
    case 'swap-lines': {
      const [a, b] = [pick(mutation.at), pick(mutation.other)];
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\r\n');
    }
    case 'line-ends':
      return lines.join(mutation.to);
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
    case 'delete': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + mutation.length);
    }
    case 'truncate':
      return text.slice(0, mutation.at % (text.length + 1));
  }
}

const mutatedSdp = (from: readonly string[], mutation: fc.Arbitrary<Mutation>) =>
  fc
    .tuple(fc.constantFrom(...from), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([seed, mutations]) => mutations.reduce(mutate, seed));

test('arbitrary strings never throw and give a well-shaped, key-free result', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
      (text) => {
        const description = parseSdp(text);
        assertWellShaped(description);
        assertNoKeyMaterial(description);
      },
    ),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 2000) },
  );
  t.pass();
});

test('soups of SDP-looking lines never throw', (t) => {
  const line = fc
    .tuple(
      fc.constantFrom('v', 'o', 's', 'c', 't', 'm', 'a', 'b', 'k', 'x', 'M', ' '),
      fc.array(fc.constantFrom(...SDP_PIECES, 'IN', 'IP6', '5000', 'RTP/AVP', '127', 'sendonly'), {
        maxLength: 8,
      }),
    )
    .map(([type, pieces]) => `${type}=${pieces.join('')}`);
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const description = parseSdp(lines.join('\r\n'));
      assertWellShaped(description);
      assertNoKeyMaterial(description);
    }),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 2000) },
  );
  t.pass();
});

/*
 * sdp-transform turns every value that reads as a number into one (`a=fingerprint:1 AB` gives a
 * numeric hash function), whatever its types say: the cross-check must survive each of its fields
 * holding a number where a string is expected.
 */
test('attribute soups with number-like values never throw, with the sdp-transform cross-check', (t) => {
  const attribute = fc.constantFrom(
    'rtpmap:',
    'fmtp:',
    'rtcp:',
    'rtcp-fb:',
    'crypto:',
    'fingerprint:',
    'candidate:',
    'setup:',
    'mid:',
    'ssrc:',
    'extmap:',
    'ice-ufrag:',
    'ice-pwd:',
    'group:',
    'msid:',
    'sendrecv',
    'inactive',
    'rtcp-mux',
    'ptime:',
    'sctpmap:',
    'rid:',
    'simulcast:',
    'imageattr:',
    'source-filter: ',
    'framerate:',
  );
  const token = fc.constantFrom(
    '1',
    '0',
    '-1',
    '1e3',
    '0x1f',
    'Infinity',
    'NaN',
    '4294967296',
    'AB',
    'sha-256',
    'IN',
    'IP4',
    'IP6',
    '192.0.2.1',
    'udp',
    'typ',
    'host',
    'raddr',
    'rport',
    'inline:',
    'AES_CM_128_HMAC_SHA1_80',
    '*',
    'x=1',
  );
  const line = fc.oneof(
    fc
      .tuple(attribute, fc.array(token, { maxLength: 8 }))
      .map(([name, tokens]) => `a=${name}${tokens.join(' ')}`),
    fc.array(token, { maxLength: 5 }).map((tokens) => `c=${tokens.join(' ')}`),
    fc.array(token, { maxLength: 5 }).map((tokens) => `m=audio ${tokens.join(' ')}`),
    fc.constantFrom('m=audio 5000 RTP/AVP 0', 'c=IN IP4 192.0.2.1', 'v=0'),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
      const description = parseSdp(lines.join('\r\n'), { crossCheckWithSdpTransform: true });
      assertWellShaped(description);
      assertNoKeyMaterial(description);
    }),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 3000) },
  );
  t.pass();
});

test('mutated real and crafted SDPs never throw and never let key material out', (t) => {
  fc.assert(
    fc.property(mutatedSdp(seeds, anyMutation), (text) => {
      const description = parseSdp(text);
      assertWellShaped(description);
      assertNoKeyMaterial(description);
      for (const problem of crossCheckWithSdpTransform(text, description)) {
        if (containsSdesKey(problem.reason) || containsSdesKey(problem.evidence ?? ''))
          throw new Error('key in cross-check');
      }
    }),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 3000) },
  );
  t.pass();
});

test('when the strict pass finds nothing wrong after line edits, sdp-transform reads the same media', (t) => {
  fc.assert(
    fc.property(mutatedSdp(agreedSeeds, lineMutation), (text) => {
      const description = parseSdp(text);
      if (description.problems.length > 0) return;
      const disagreements = crossCheckWithSdpTransform(text, description);
      if (disagreements.length > 0)
        throw new Error(disagreements.map((problem) => problem.reason).join('\n'));
    }),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 2000) },
  );
  t.pass();
});

/*
 * crossCheckWithSdpTransform hands sdp-transform only the lines that reach a compared field
 * (comparedLines): the comparison must come out the same as on the whole SDP.
 */
test('the cross-check on the compared lines alone finds what it finds on the whole SDP', (t) => {
  const sameAsWhole = (text: string) => {
    const description = parseSdp(text);
    const whole = compareReadings(readWithSdpTransform(text), description);
    t.deepEqual(crossCheckWithSdpTransform(text, description), whole, JSON.stringify(text));
  };
  for (const seed of seeds) sameAsWhole(seed);
  const soupLine = fc
    .tuple(
      fc.constantFrom('c', 'm', 'a', 'o', 'b', 'A', ' '),
      fc.constantFrom('=', ':', ''),
      fc.array(
        fc.constantFrom(
          ...SDP_PIECES,
          'IN IP4 192.0.2.1',
          'audio 5000 RTP/AVP 0',
          'sendrecv',
          'rtcp-mux',
          'fingerprint:sha-256 AB',
          'candidate:1 1 udp 1 192.0.2.1 5000 typ host',
          'rtpmap:0 PCMU/8000',
          'inactive',
        ),
        { maxLength: 4 },
      ),
    )
    .map(([type, equals, pieces]) => `${type}${equals}${pieces.join('')}`);
  fc.assert(
    fc.property(
      fc.oneof(
        mutatedSdp(seeds, anyMutation),
        fc
          .tuple(fc.array(soupLine, { maxLength: 20 }), fc.constantFrom('\r\n', '\n', '\r'))
          .map(([lines, end]) => lines.join(end)),
      ),
      (text) => {
        const description = parseSdp(text);
        const whole = compareReadings(readWithSdpTransform(text), description);
        const compared = crossCheckWithSdpTransform(text, description);
        if (JSON.stringify(compared) !== JSON.stringify(whole))
          throw new Error(`${JSON.stringify(compared)} != ${JSON.stringify(whole)}`);
      },
    ),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 3000) },
  );
});

/*
 * comparedLines' list is sound only while every sdp-transform rule filling a compared field is
 * anchored on one of its prefixes: a new rule, or a rule that matches more, must fail here.
 */
test('sdp-transform fills the compared fields only from lines comparedLines keeps', (t) => {
  const compared = new Set(['direction', 'rtcp', 'rtcpMux', 'crypto', 'candidates', 'fingerprint']);
  // The grammar table is exported at run time (sdp-transform's index.js) but not in its types.
  const { grammar } = sdpTransform as unknown as {
    grammar: Record<string, { name?: string; push?: string; reg: RegExp }[]>;
  };
  const filling = Object.entries(grammar).flatMap(([type, rules]) =>
    rules.filter((rule) => compared.has(rule.push ?? rule.name ?? '')).map((rule) => ({ type, rule })),
  );
  t.deepEqual(filling.map(({ type, rule }) => `${type}=${rule.push ?? rule.name}`).sort(), [
    'a=candidates',
    'a=crypto',
    'a=direction',
    'a=fingerprint',
    'a=rtcp',
    'a=rtcpMux',
  ]);
  const prefixes = [
    'sendrecv',
    'recvonly',
    'sendonly',
    'inactive',
    'rtcp:',
    'rtcp-mux',
    'crypto:',
    'candidate:',
    'fingerprint:',
  ];
  // Near misses of each prefix (cut short, one character changed or doubled) and arbitrary text.
  const content = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc
      .tuple(
        fc.constantFrom(...prefixes),
        fc.nat(),
        fc.string({ maxLength: 2 }),
        fc.string({ maxLength: 20 }),
      )
      .map(([prefix, at, edit, tail]) => {
        const cut = at % (prefix.length + 1);
        return prefix.slice(0, cut) + edit + prefix.slice(cut + (at % 2)) + tail;
      }),
  );
  fc.assert(
    fc.property(content, (text) => {
      for (const { rule } of filling) {
        if (rule.reg.test(text) && !COMPARED_ATTRIBUTE.test(text))
          throw new Error(`rule ${rule.push ?? rule.name} reads '${text}', which comparedLines drops`);
      }
    }),
    { numRuns: Number(process.env.SDP_FUZZ_RUNS ?? 5000) },
  );
  // And no prefix is kept for nothing: a line of each is read by a compared rule.
  const examples = [
    'sendrecv',
    'recvonly',
    'sendonly',
    'inactive',
    'rtcp:5001',
    'rtcp-mux',
    'crypto:1 AES_CM_128_HMAC_SHA1_80 x',
    'candidate:1 1 udp 1 192.0.2.1 5000 typ host',
    'fingerprint:sha-256 AB',
  ];
  t.deepEqual(
    examples.map((example) => prefixes.find((prefix) => example.startsWith(prefix))),
    prefixes,
  );
  for (const example of examples)
    t.true(
      filling.some(({ rule }) => rule.reg.test(example)),
      example,
    );
});
