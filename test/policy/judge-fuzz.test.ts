import test from 'ava';
import fc from 'fast-check';
import { Judge } from '../../src/policy/engine.js';
import { defaultPolicy } from '../../src/policy/load-config.js';
import { loadProfileByName } from '../../src/policy/load-profile.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import type { Envelope } from '../../src/sip/envelope.js';
import { readMessageBytes } from '../../src/sip/read-message.js';
import { datFiles, fixture, traceRecords } from '../sip/fixtures.js';
import { type Mutation, mutate, mutation } from '../sip/mutations.js';

const CONFIG = { profile: loadProfileByName('twilio'), policy: defaultPolicy() };
const CARRIER = '54.172.60.1';

interface Seed {
  readonly bytes: Buffer;
  readonly envelope: Envelope;
}

const fromTraces: Seed[] = traceRecords();
const torture: Seed[] = [
  ...datFiles('rfc4475').map((file) => fixture(`rfc4475/${file}`)),
  ...datFiles('rfc5118').map((file) => fixture(`rfc5118/${file}`)),
  ...datFiles('sip').map((file) => fixture(`sip/${file}`)),
].map((bytes, i) => ({
  bytes,
  envelope: {
    transport: 'udp' as const,
    src: { host: i % 2 === 0 ? CARRIER : '203.0.113.10', port: 5060 },
    dst: { host: i % 2 === 0 ? '203.0.113.10' : CARRIER, port: 5060 },
    time: '2026-11-28T10:00:00.000Z',
  },
}));
const seeds = [...fromTraces, ...torture];

/** One step: a seed, as it is or damaged. */
const step = fc.tuple(fc.nat(seeds.length - 1), fc.array(mutation, { maxLength: 4 }));

function judgeAll(steps: readonly [number, readonly Mutation[]][], crossCheckSdp: boolean): void {
  const judge = new Judge(CONFIG, { crossCheckSdp });
  steps.forEach(([index, mutations], messageIndex) => {
    const seed = seeds[index] as Seed;
    const result = readMessageBytes(mutate(seed.bytes, mutations), seed.envelope.transport);
    const judged = result.ok
      ? judge.judgeMessage(result.message, seed.envelope, messageIndex)
      : judge.judgeUnreadable(result.reason, seed.envelope, messageIndex);
    for (const finding of judged.findings) {
      if (containsSdesKey(finding.message) || containsSdesKey(finding.evidence ?? ''))
        throw new Error(`key material in a ${finding.code} finding`);
    }
  });
}

test('the seeds are real: trace messages with their envelopes, and the torture messages', (t) => {
  t.true(fromTraces.length >= 50, `${fromTraces.length} trace messages`);
  t.true(torture.length >= 40, `${torture.length} torture messages`);
});

test('damaged message sequences never make the judge throw, with or without the cross-check', (t) => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
      judgeAll(steps, true);
      judgeAll(steps, false);
    }),
    { numRuns: Number(process.env.JUDGE_FUZZ_RUNS ?? 2000) },
  );
  t.pass();
});
