import test from 'ava';
import fc from 'fast-check';
import { cryptoKeyReuse } from '../../src/policy/checks/crypto-key-reuse.js';
import { Judge } from '../../src/policy/engine.js';
import type { Envelope } from '../../src/sip/envelope.js';
import { config, DEFAULT_HEADERS, key, sdp, session, sipMessage } from './checks/context.js';

/**
 * The judge remembers SDES key digests across calls, at most maxRecentKeys of them, forgetting the
 * oldest first (a key seen again under another call counts as new). It finds the oldest with one
 * Map iterator kept across messages; these properties hold it to the plain algorithm it replaced,
 * a fresh iterator per eviction, through what crypto-key-reuse reports.
 */
class ReferenceKeys {
  readonly keys = new Map<string, string>();

  constructor(readonly max: number) {}

  /** The Call-ID crypto-key-reuse names for this key in this call, or null. */
  reuse(keyText: string, callId: string): string | null {
    const other = this.keys.get(keyText);
    return other !== undefined && other !== callId ? other : null;
  }

  remember(keyTexts: readonly string[], callId: string): void {
    for (const keyText of keyTexts) {
      const seenIn = this.keys.get(keyText);
      if (seenIn === callId) continue;
      if (seenIn !== undefined) this.keys.delete(keyText);
      this.keys.set(keyText, callId);
    }
    while (this.keys.size > this.max) {
      const oldest = this.keys.keys().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
  }
}

const ENVELOPE: Envelope = {
  transport: 'tls',
  src: { host: '203.0.113.10', port: 5061 },
  dst: { host: '54.172.60.1', port: 5061 },
  time: '2026-11-28T10:00:00.000Z',
};

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'].map((seed) => key(seed));

/** An INVITE in call `callId` whose SDP has one m= line per key. */
function invite(callId: string, cseq: number, keyIndexes: readonly number[]) {
  const media = keyIndexes.flatMap((index, n) => [
    `m=audio ${20000 + 2 * n} RTP/SAVP 0`,
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${KEYS[index]}`,
  ]);
  const headers = DEFAULT_HEADERS.map(([name, value]): [string, string] =>
    name === 'Call-ID' ? [name, callId] : name === 'CSeq' ? [name, `${cseq} INVITE`] : [name, value],
  );
  return sipMessage({ headers, body: sdp(...session('203.0.113.10'), ...media) });
}

test('keys are forgotten oldest first, as with a fresh iterator per eviction', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.array(
        fc.record({
          call: fc.constantFrom('a@pbx', 'b@pbx', 'c@pbx'),
          keys: fc.uniqueArray(fc.integer({ min: 0, max: KEYS.length - 1 }), { minLength: 1, maxLength: 2 }),
        }),
        { maxLength: 60 },
      ),
      (maxRecentKeys, messages) => {
        const judge = new Judge(config(), { maxRecentKeys, checks: [cryptoKeyReuse] });
        const reference = new ReferenceKeys(maxRecentKeys);
        let cseq = 1;
        for (const [index, { call, keys }] of messages.entries()) {
          const judged = judge.judgeMessage(invite(call, cseq++, keys), ENVELOPE, index);
          const named = judged.findings
            .map((finding) => /Call-ID (\S+)\)/.exec(finding.message)?.[1])
            .filter((callId) => callId !== undefined);
          const expected = keys
            .map((keyIndex) => reference.reuse(KEYS[keyIndex]!, call))
            .filter((callId) => callId !== null);
          if (named.join() !== expected.join()) return false;
          reference.remember(
            keys.map((keyIndex) => KEYS[keyIndex]!),
            call,
          );
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
