import { readdirSync } from 'node:fs';
import test from 'ava';
import type { CheckContext } from '../../../src/policy/check.js';
import { ALL_CHECKS } from '../../../src/policy/checks/index.js';
import type { Observation } from '../../../src/policy/finding.js';
import { parseSdp } from '../../../src/sdp/parse.js';
import { containsSdesKey } from '../../../src/sdp/redact.js';
import { key, messageContext, sdp, sdpContext, session, sipMessage } from './context.js';

const checksFolder = new URL('../../../../src/policy/checks/', import.meta.url);

test('every check file is in ALL_CHECKS under its file name, once', (t) => {
  const files = readdirSync(checksFolder)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.includes('helpers'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
  const names = ALL_CHECKS.map((check) => check.name);
  t.deepEqual([...names].sort(), files);
  t.is(new Set(names).size, names.length);
});

/** Keys in every place a key can hide: valid, MKI, lifetimes, wrong lengths, broken lines, echoes. */
const KEYS = [key('k1'), key('k2'), key('k3', 46), key('k4', 16), key('k5', 28), `${key('k6')}xyz`];

const KEYED_OFFER = sdp(
  ...session('192.168.1.20'),
  'm=audio 8000 RTP/SAVP 0',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:${KEYS[0]}|2^31|1:4 UNENCRYPTED_SRTP UNENCRYPTED_SRTCP UNAUTHENTICATED_SRTP`,
  `a=crypto:2 NULL_HMAC_SHA1_80 inline:${KEYS[1]};inline:${KEYS[3]}|2^20|2:4`,
  `a=crypto:3 FOO_CIPHER inline:${KEYS[2]}`,
  'a=direction:active',
  'm=video 9000 RTP/AVP 96',
  `a=crypto:4 AES_256_CM_HMAC_SHA1_80 inline:${KEYS[3]}`,
  `a=crypto:x BROKEN inline:${KEYS[4]} junk`,
  `a=crypto:5 AEAD_AES_128_GCM inline:${KEYS[5]}`,
  'm=audio 10002 RTP/SAVP 0',
  `a=crypto:6 AES_CM_128_HMAC_SHA1_80 inline:${KEYS[0]}`,
);

const KEYED_ANSWER = sdp(
  ...session('54.172.60.10'),
  'm=audio 61000 RTP/SAVP 0',
  `a=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:${KEYS[0]}|2^31|1:4 UNENCRYPTED_SRTP`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${KEYS[1]}`,
  'm=video 9000 RTP/SAVP 96',
  `a=crypto:4 AES_256_CM_HMAC_SHA1_80 inline:${KEYS[3]}`,
  'm=audio 10002 RTP/SAVP 0',
  `a=crypto:6 AES_CM_128_HMAC_SHA1_80 inline:${KEYS[2]}`,
);

function runAll(context: CheckContext): Observation[] {
  return ALL_CHECKS.filter((check) => check.scope === (context.sdp === null ? 'message' : 'sdp')).flatMap(
    (check) => check.run(context),
  );
}

test('no observation of any check carries an SDES key, in message or evidence', (t) => {
  const recentKeys = new Map<string, string>();
  for (const media of parseSdp(KEYED_OFFER).media) {
    for (const crypto of media.crypto) {
      for (const param of crypto.keyParams) if (param.keyDigest) recentKeys.set(param.keyDigest, 'other@pbx');
    }
  }
  const message = sipMessage({ body: KEYED_OFFER, size: 4000 });
  const contexts: CheckContext[] = [
    messageContext(message, { transport: 'udp', side: 'customer' }),
    sdpContext(KEYED_OFFER, { transport: 'udp', side: 'customer', recentKeys, message }),
    sdpContext(KEYED_OFFER, { transport: 'udp', side: 'carrier', policy: { srtp: 'forbidden' } }),
    sdpContext(KEYED_ANSWER, { transport: 'udp', side: 'carrier', offer: KEYED_OFFER, recentKeys }),
    sdpContext(KEYED_ANSWER, { transport: 'tcp', side: 'customer', offer: KEYED_OFFER }),
  ];
  let total = 0;
  for (const context of contexts) {
    for (const observation of runAll(context)) {
      total += 1;
      t.false(containsSdesKey(observation.message), `${observation.code} message: ${observation.message}`);
      t.false(
        containsSdesKey(observation.evidence ?? ''),
        `${observation.code} evidence: ${observation.evidence}`,
      );
      for (const secret of KEYS) {
        t.false(
          observation.message.includes(secret.slice(0, 16)),
          `${observation.code} message holds key text`,
        );
        t.false(
          (observation.evidence ?? '').includes(secret.slice(0, 16)),
          `${observation.code} evidence holds key text`,
        );
      }
    }
  }
  t.true(total > 20, `only ${total} observations: the SDPs should trip most checks`);
});

test('checks do not mutate the context and give the same answer twice', (t) => {
  const context = sdpContext(KEYED_ANSWER, { transport: 'udp', offer: KEYED_OFFER });
  const before = JSON.stringify(context.sdp);
  const first = runAll(context);
  t.deepEqual(runAll(context), first);
  t.is(JSON.stringify(context.sdp), before);
});

test('capability SDP: only sdp-problems speaks', (t) => {
  const context = sdpContext(KEYED_OFFER, { role: 'capability', transport: 'udp' });
  const codes = runAll(context).map((observation) => observation.code);
  t.true(
    codes.every((code) =>
      ['duplicate-connection-line', 'missing-connection-address', 'malformed-sdp'].includes(code),
    ),
  );
});
