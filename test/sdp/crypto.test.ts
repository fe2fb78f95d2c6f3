/**
 * a=crypto (RFC 4568) read on its own, including every example line the RFC publishes.
 */
import test from 'ava';
import { parseCryptoAttribute, redactCryptoLine } from '../../src/sdp/crypto.js';
import { base64ByteLength, digestSdesKey } from '../../src/sdp/key-digest.js';
import { containsSdesKey } from '../../src/sdp/redact.js';
import { readSdpFixture } from './fixtures.js';

function crypto(line: string) {
  return parseCryptoAttribute(line.slice('a=crypto:'.length), redactCryptoLine(line));
}

const rfcLines = readSdpFixture('rfc4568/crypto-attribute-examples.txt')
  .split('\n')
  .filter((line) => line.startsWith('a=crypto:'));

test('RFC 4568 example lines: all four are well-formed, keys 30 bytes, lines redacted', (t) => {
  t.is(rfcLines.length, 4);
  for (const line of rfcLines) {
    const { attribute, reason } = crypto(line);
    t.is(reason, null, line);
    t.true(attribute.wellFormed);
    t.true(attribute.keyParams.every((key) => key.keyLength === 30));
    t.false(containsSdesKey(attribute.line));
  }
  t.deepEqual(
    rfcLines.map((line) =>
      crypto(line).attribute.keyParams.map((key) => [key.lifetime, key.mki?.value, key.mki?.length]),
    ),
    [
      [['2^20', '1', 32]],
      [['2^20', '1', 4]],
      [
        ['2^20', '1', 4],
        ['2^20', '2', 4],
      ],
      [[null, '1066', 4]],
    ],
  );
});

test('a lifetime written in decimal, and the INLINE method in upper case', (t) => {
  const { attribute, reason } = crypto(
    'a=crypto:7 AES_CM_128_HMAC_SHA1_32 INLINE:dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl|1048576',
  );
  t.is(reason, null);
  t.like(attribute.keyParams[0], { method: 'inline', lifetime: '1048576', mki: null, keyLength: 30 });
  t.is(attribute.line, 'a=crypto:7 AES_CM_128_HMAC_SHA1_32 INLINE:[redacted]|1048576');
});

test('grammar breaks: tag, suite, key method, lifetime after MKI, a stray field, WSH, FEC_ORDER, flag with value', (t) => {
  const key = 'dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl';
  const cases: Array<[string, string]> = [
    [`a=crypto:1234567890 AES inline:${key}`, 'the tag must be 1 to 9 digits (RFC 4568 §9.1)'],
    [`a=crypto:1 AES-CM inline:${key}`, 'the crypto-suite must be letters, digits and _ (RFC 4568 §9.1)'],
    [`a=crypto:1 AES ${key}`, 'a key-param must be <key-method>:<key-info>'],
    [`a=crypto:1 AES inline:${key}|1:4|2^20`, 'nothing may follow the MKI in an inline key (RFC 4568 §9.2)'],
    [`a=crypto:1 AES inline:${key}|forever`, "'forever' is neither a lifetime nor an MKI (RFC 4568 §9.2)"],
    [`a=crypto:1 AES inline:${key} WSH=32`, 'WSH must be 64 or more (RFC 4568 §6.3.6)'],
    [
      `a=crypto:1 AES inline:${key} FEC_ORDER=LAST`,
      'FEC_ORDER must be FEC_SRTP or SRTP_FEC (RFC 4568 §6.3.4)',
    ],
    [
      `a=crypto:1 AES inline:${key} UNENCRYPTED_SRTP=1`,
      'this session parameter takes no value (RFC 4568 §9.2)',
    ],
    [`a=crypto:1 AES inline:${key}=x`, 'the inline key||salt is not base64 (RFC 4568 §9.2)'],
    [`a=crypto:1 AES inline:${key} `, 'a session parameter must be visible characters (RFC 4568 §9.1)'],
  ];
  for (const [line, reason] of cases) {
    const parsed = crypto(line);
    t.is(parsed.reason, reason, line);
    t.false(parsed.attribute.wellFormed, line);
    t.false(JSON.stringify(parsed).includes(key), line);
  }
});

test('session parameters are kept as written, key material in FEC_KEY redacted, extensions accepted', (t) => {
  const { attribute, reason } = crypto(
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl kdr=24 SRTP_VENDOR_X=7 FEC_KEY=inline:dHJ1bmtndWFyZC10ZXN0LWtleS10d28tMzBieXRl',
  );
  t.is(reason, null);
  t.deepEqual(attribute.sessionParams, ['kdr=24', 'SRTP_VENDOR_X=7', 'FEC_KEY=inline:[redacted]']);
});

test('redactCryptoLine: keys hidden even without the inline: prefix; lifetime, MKI and spacing kept', (t) => {
  t.is(
    redactCryptoLine(
      'a=crypto:1  AES_CM_128_HMAC_SHA1_80\tinline:S2V5|2^20|1:4;INLINE:S2V5Mg|2:4 KDR=1 FEC_KEY=inline:S2V5Mw|2^20',
    ),
    'a=crypto:1  AES_CM_128_HMAC_SHA1_80\tinline:[redacted]|2^20|1:4;INLINE:[redacted]|2:4 KDR=1 FEC_KEY=inline:[redacted]|2^20',
  );
  t.is(
    redactCryptoLine('a=crypto:1 AES_CM_128_HMAC_SHA1_80 S2V5bm9wcmVmaXg='),
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 [redacted]',
  );
  t.is(
    redactCryptoLine('a=crypto:1 AES_CM_128_HMAC_SHA1_80 mikey:S2V5'),
    'a=crypto:1 AES_CM_128_HMAC_SHA1_80 mikey:[redacted]',
  );
  t.is(redactCryptoLine('a=crypto:inline:S2V5'), 'a=crypto:inline:[redacted]');
});

test('a non-inline key method keeps no key information', (t) => {
  const { attribute, reason } = crypto('a=crypto:1 AES_CM_128_HMAC_SHA1_80 mikey:c2VjcmV0');
  t.is(reason, null);
  t.deepEqual(attribute.keyParams, [
    { method: 'mikey', keyLength: null, keyDigest: null, lifetime: null, mki: null },
  ]);
});

test('base64 length: padded, unpadded, invalid', (t) => {
  t.is(base64ByteLength('RTnR1GL+MCYUl7AJ5YU6YyASCdgauB/mMtlR3+QWSa+YqNdR8fOUREq92dL+UA=='), 46);
  t.is(base64ByteLength('RTnR1GL+MCYUl7AJ5YU6YyASCdgauB/mMtlR3+QWSa+YqNdR8fOUREq92dL+UA'), 46);
  t.is(base64ByteLength('dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl'), 30);
  t.is(base64ByteLength('abc=e'), null);
  t.is(base64ByteLength('abcde'), null);
  t.is(base64ByteLength('a=='), null);
  t.is(base64ByteLength(''), null);
  t.is(base64ByteLength('===='), null);
});

test('key digests: 16 hex characters, equal for equal keys only, not the key', (t) => {
  const one = digestSdesKey('dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl');
  t.regex(one, /^[0-9a-f]{16}$/);
  t.is(digestSdesKey('dHJ1bmtndWFyZC10ZXN0LWtleS1vbmUtMzBieXRl'), one);
  t.not(digestSdesKey('dHJ1bmtndWFyZC10ZXN0LWtleS10d28tMzBieXRl'), one);
});
