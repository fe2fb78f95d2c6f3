/**
 * The negotiation log's redaction: replaceSdesKeys finds every key redactCryptoLine would hide and
 * hands it to a replacement, leaving every other byte; and the SDP reader takes the result,
 * `inline:redacted-<hex>`, as a key of unknown length whose digest is the hash.
 */
import test from 'ava';
import { srtpKeys } from '../../src/policy/checks/srtp-keys.js';
import { parseCryptoAttribute, redactCryptoLine } from '../../src/sdp/crypto.js';
import { isRedactedKeyDigest, redactedKeyDigest } from '../../src/sdp/key-digest.js';
import { parseSdp } from '../../src/sdp/parse.js';
import { containsSdesKey, replaceSdesKeys } from '../../src/sdp/redact.js';
import { codesOf, key, run, sdp, sdpContext, session } from '../policy/checks/context.js';

/** Each key becomes `<KEY n>` (its position), so the test sees exactly which spans were keys. */
function marked(text: string): { out: string; keys: string[] } {
  const keys: string[] = [];
  const out = replaceSdesKeys(text, (found) => {
    keys.push(found);
    return `<KEY ${keys.length}>`;
  });
  return { out, keys };
}

const K1 = key('one');
const K2 = key('two');
const HASH = `redacted-${'0123456789abcdef'.repeat(2).slice(0, 31)}`;

test('inline keys on an a=crypto line: the key||salt only, lifetime and MKI kept', (t) => {
  const line = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${K1}|2^20|1:4;inline:${K2}|2^20|2:4 FEC_ORDER=FEC_SRTP`;
  t.deepEqual(marked(`${line}\r\n`), {
    out: 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<KEY 1>|2^20|1:4;inline:<KEY 2>|2^20|2:4 FEC_ORDER=FEC_SRTP\r\n',
    keys: [K1, K2],
  });
});

test('what redactCryptoLine hides on a=crypto: a param without method, another method, FEC_KEY', (t) => {
  const text = [
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${K1}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_80 other:${K2}|2^20`,
    `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${K1} FEC_KEY=inline:${K2}|2^20`,
    `A=CRYPTO:4 AES_CM_128_HMAC_SHA1_80 INLINE:${K1}`,
    '',
  ].join('\n');
  t.deepEqual(marked(text), {
    out: [
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 <KEY 1>',
      'a=crypto:2 AES_CM_128_HMAC_SHA1_80 other:<KEY 2>|2^20',
      'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:<KEY 3> FEC_KEY=inline:<KEY 4>|2^20',
      'A=CRYPTO:4 AES_CM_128_HMAC_SHA1_80 INLINE:<KEY 5>',
      '',
    ].join('\n'),
    keys: [K1, K2, K1, K2, K1],
  });
  // The same lines as the judge keeps them: nothing of a key either.
  for (const line of text.split('\n')) t.false(redactCryptoLine(line).includes(K1.slice(0, 20)));
});

test('a key pasted anywhere else (a header, m=, an unknown line) after inline:', (t) => {
  const text = `INVITE sip:a@b SIP/2.0\r\nX-Key: inline:${K1};x\r\n\r\nm=audio 4000 RTP/SAVP 0 inline:${K2}\r\nq=INLINE:${K1}|1:4\r\n`;
  t.deepEqual(marked(text), {
    out: 'INVITE sip:a@b SIP/2.0\r\nX-Key: inline:<KEY 1>;x\r\n\r\nm=audio 4000 RTP/SAVP 0 inline:<KEY 2>\r\nq=INLINE:<KEY 3>|1:4\r\n',
    keys: [K1, K2, K1],
  });
});

test('nothing else changes; empty keys and hashes already in place are left alone', (t) => {
  const text = `v=0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${HASH}|2^20\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:\r\na=fingerprint:sha-256 AB:CD\r\n`;
  t.deepEqual(marked(text), { out: text, keys: [] });
  t.is(
    replaceSdesKeys('no keys here: a=rtpmap:0 PCMU/8000', () => 'X'),
    'no keys here: a=rtpmap:0 PCMU/8000',
  );
});

test('containsSdesKey: a hash is not a key, a key is', (t) => {
  t.false(containsSdesKey(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${HASH}|2^20`));
  t.true(containsSdesKey(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${K1}`));
  t.true(containsSdesKey('inline:redacted-0123'), 'too short to be a hash');
  t.true(containsSdesKey('inline:redacted-0123456789ABCDEF01234567'), 'upper-case hex is not ours');
});

test('redactedKeyDigest: redacted- and the first 24 hex digits, whatever the length', (t) => {
  t.is(redactedKeyDigest(HASH), `redacted-${'0123456789abcdef01234567'}`);
  t.is(redactedKeyDigest(`${HASH.slice(0, 33)}`), 'redacted-0123456789abcdef01234567');
  t.is(redactedKeyDigest(HASH.slice(0, 32)), null, '23 digits');
  t.is(redactedKeyDigest(K1), null);
  t.true(isRedactedKeyDigest(redactedKeyDigest(HASH)!));
});

test('the SDP reader: a hashed key is well-formed, of unknown length, its digest the hash', (t) => {
  const line = `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${HASH}|2^20|1:4`;
  const { attribute, reason } = parseCryptoAttribute(line.slice('a=crypto:'.length), redactCryptoLine(line));
  t.is(reason, null);
  t.deepEqual(attribute.keyParams, [
    {
      method: 'inline',
      keyLength: null,
      keyDigest: 'redacted-0123456789abcdef01234567',
      lifetime: '2^20',
      mki: { value: '1', length: 4 },
    },
  ]);
  t.is(attribute.line, 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^20|1:4');
  t.false(
    JSON.stringify(parseSdp(sdp(...session('192.0.2.10'), 'm=audio 4000 RTP/SAVP 0', line))).includes(HASH),
  );
});

test('srtp-keys: no wrong-length or not-base64 finding for a hashed key; a real one is still judged', (t) => {
  const media = (crypto: string) => sdp(...session('168.86.128.10'), 'm=audio 12000 RTP/SAVP 0', crypto);
  t.deepEqual(
    codesOf(run(srtpKeys, sdpContext(media(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${HASH}`)))),
    [],
  );
  t.deepEqual(
    codesOf(run(srtpKeys, sdpContext(media(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key('x', 20)}`)))),
    ['srtp-missing-keys'],
  );
  t.deepEqual(
    codesOf(run(srtpKeys, sdpContext(media('a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:redacted-xyz')))),
    ['srtp-missing-keys'],
    'not a hash: not base64',
  );
  t.deepEqual(
    parseSdp(media(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${HASH}`)).problems,
    [],
    'no malformed-sdp for it either',
  );
});
