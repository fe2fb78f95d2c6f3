/**
 * sip.js 0.21.2 as an independent RFC 3261 oracle. Every corpus message is read by both; the
 * verdicts (accepted or not) and the Call-ID, CSeq, top Via branch and body must agree, except
 * for the disagreements listed below, each with why. An unlisted disagreement fails the test,
 * and so does a listed one that no longer happens (the table stays true).
 *
 * sip.js parses strings (it is a WebSocket UA): it is given the bytes decoded as UTF-8.
 */
import test from 'ava';
import { LoggerFactory } from 'sip.js/lib/core/log/logger-factory.js';
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import { readDatagram } from '../../src/sip/datagram.js';
import { BASIC_HEADERS, datFiles, fixture, sipMessage } from './fixtures.js';

type Field = 'callId' | 'cseq' | 'branch' | 'body';

type Disagreement =
  | { readonly kind: 'sipjs-rejects'; readonly why: string }
  | { readonly kind: 'we-reject'; readonly why: string }
  | { readonly kind: 'fields'; readonly fields: readonly Field[]; readonly why: string };

const BARE_LF =
  'the RFC 5118 archive uses bare LF line ends; sip.js requires CRLF, we read the message and report malformed-message (bare LF)';

/** Every known disagreement, and why it is right or acceptable. */
const DISAGREEMENTS: Readonly<Record<string, Disagreement>> = {
  'rfc4475/badaspec.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (RFC 4475 §3.1.2.14): sip.js refuses the To grammar; we read it and report malformed-message (whitespace inside <>)',
  },
  'rfc4475/baddn.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (§3.1.2.15): sip.js refuses the display names and the missing empty line; we report both as malformed-message',
  },
  'rfc4475/badinv01.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (§3.1.2.1): sip.js refuses the Via; we report the extraneous separators as malformed-message',
  },
  'rfc4475/ncl.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (§3.1.2.3): sip.js refuses Content-Length -999; we report content-length-mismatch and keep the body for inspection',
  },
  'rfc4475/quotbal.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (§3.1.2.6): sip.js refuses the To; we report the unterminated quoted string as malformed-message',
  },
  'rfc4475/regbadct.dat': {
    kind: 'sipjs-rejects',
    why: 'invalid (§3.1.2.13): sip.js refuses the Contact; we report "?" outside <> as malformed-message',
  },
  'rfc4475/unksm2.dat': {
    kind: 'sipjs-rejects',
    why: 'sip.js is too strict: its name-addr grammar only knows sip:/sips: URIs, while RFC 3261 §25.1 allows any absoluteURI and RFC 4475 §3.3.4 calls this message valid',
  },
  'rfc4475/badvers.dat': {
    kind: 'we-reject',
    why: 'sip.js does not check the SIP-Version (SIP/7.0); RFC 3261 §7.1 and RFC 4475 §3.1.2.16 want a 505, so we reject it',
  },
  'rfc4475/multi01.dat': {
    kind: 'fields',
    fields: ['callId', 'cseq'],
    why: 'two Call-ID and CSeq headers: sip.js silently keeps the last, we return the first and report malformed-message (RFC 4475 §3.3.8)',
  },
  'rfc4475/mcl01.dat': {
    kind: 'fields',
    fields: ['body'],
    why: 'two Content-Length headers (13, 5): sip.js frames by the last, we by the first and report duplicate-content-length (RFC 4475 §3.3.9)',
  },
  'rfc5118/ipv4-mapped-ipv6.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/ipv6-bad.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/ipv6-bug-abnf-3-colons.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/ipv6-correct-abnf-2-colons.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/ipv6-good.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/ipv6-in-sdp.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/mult-ip-in-header.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/mult-ip-in-sdp.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/port-ambiguous.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/port-unambiguous.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/via-received-param-no-delim.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/via-received-param-with-delim.dat': { kind: 'sipjs-rejects', why: BARE_LF },
  'rfc5118/wire/ipv6-bug-abnf-3-colons.dat': {
    kind: 'sipjs-rejects',
    why: 'sip.js refuses the IPv6 reference [2001:db8:::192.0.2.1]; RFC 5118 §4.10 says implementations must tolerate it',
  },
  'constructed/utf8-body-then-extra-bytes': {
    kind: 'fields',
    fields: ['body'],
    why: 'sip.js applies Content-Length to a decoded JS string, counting UTF-16 code units instead of bytes (RFC 3261 §20.14: octets), so it takes 6 extra characters',
  },
};

/** Corpus files plus constructed messages that exercise a known sip.js difference. */
function corpus(): { name: string; bytes: Buffer }[] {
  const files = [
    ...datFiles('rfc4475').map((file) => `rfc4475/${file}`),
    ...datFiles('rfc4475/extra').map((file) => `rfc4475/extra/${file}`),
    ...datFiles('rfc5118').map((file) => `rfc5118/${file}`),
    ...datFiles('rfc5118/wire').map((file) => `rfc5118/wire/${file}`),
    ...datFiles('sip').map((file) => `sip/${file}`),
  ];
  const messages = files.map((name) => ({ name, bytes: fixture(name) }));
  // A UDP datagram: a UTF-8 body (Content-Length in bytes) followed by bytes to be discarded.
  const utf8 = sipMessage(
    'MESSAGE sip:bob@biloxi.example.com SIP/2.0',
    [
      ...BASIC_HEADERS.filter((line) => !line.startsWith('CSeq')),
      'CSeq: 2 MESSAGE',
      'Content-Type: text/plain;charset=utf-8',
    ],
    'héllo wörld ✓',
  );
  messages.push({
    name: 'constructed/utf8-body-then-extra-bytes',
    bytes: Buffer.concat([utf8, Buffer.from('junk!!\r\n')]),
  });
  return messages;
}

interface Reading {
  readonly callId: string | null;
  readonly cseq: string | null;
  readonly branch: string | null;
  readonly body: string;
}

function ours(bytes: Buffer): Reading | null {
  const result = readDatagram(bytes);
  if (!result.ok) return null;
  const message = result.message;
  return {
    callId: message.callId,
    cseq: message.cseq === null ? null : `${message.cseq.number} ${message.cseq.method}`,
    branch: message.topVia?.branch ?? null,
    body: message.body.toString('utf8'),
  };
}

const loggerFactory = new LoggerFactory();
loggerFactory.builtinEnabled = false;
const logger = loggerFactory.getLogger('oracle');

function theirs(bytes: Buffer): Reading | null {
  const message = Parser.parseMessage(bytes.toString('utf8'), logger);
  if (message === undefined) return null;
  // sip.js keeps the CSeq number parsed and, for requests, not the CSeq method: take it from the header.
  const cseqMethod = (message.getHeader('cseq') ?? '').trim().split(/\s+/).pop() ?? '';
  return {
    callId: message.callId ?? null,
    cseq: message.cseq === undefined ? null : `${message.cseq} ${cseqMethod}`,
    branch: message.viaBranch ?? null,
    body: message.body ?? '',
  };
}

function disagreement(a: Reading | null, b: Reading | null): Disagreement | null {
  if (a === null && b === null) return null;
  if (a === null) return { kind: 'we-reject', why: '' };
  if (b === null) return { kind: 'sipjs-rejects', why: '' };
  const fields = (['callId', 'cseq', 'branch', 'body'] as const).filter((field) => a[field] !== b[field]);
  return fields.length === 0 ? null : { kind: 'fields', fields, why: '' };
}

function describe(found: Disagreement | null): string {
  if (found === null) return 'agree';
  return found.kind === 'fields' ? `fields: ${found.fields.join(', ')}` : found.kind;
}

const messages = corpus();

test('sip.js and the reader agree on every corpus message, except the explained disagreements', (t) => {
  t.true(messages.length >= 80);
  const unexplained: string[] = [];
  for (const { name, bytes } of messages) {
    const a = ours(bytes);
    const b = theirs(bytes);
    const found = describe(disagreement(a, b));
    const listed = DISAGREEMENTS[name];
    const expected = describe(listed === undefined ? null : { ...listed });
    if (found !== expected) {
      unexplained.push(
        `${name}: expected ${expected}, found ${found}\n  ours:   ${JSON.stringify(a)}\n  sip.js: ${JSON.stringify(b)}`,
      );
    }
  }
  t.deepEqual(unexplained, []);
});

test('every disagreement listed names a corpus message and says why', (t) => {
  const names = new Set(messages.map((message) => message.name));
  for (const [name, listed] of Object.entries(DISAGREEMENTS)) {
    t.true(names.has(name), name);
    t.true(listed.why.length > 20, name);
  }
});

test('most of the corpus is accepted by both with identical fields', (t) => {
  const agreeing = messages.filter(({ name }) => DISAGREEMENTS[name] === undefined);
  const bothAccept = agreeing.filter(({ bytes }) => ours(bytes) !== null);
  t.true(bothAccept.length >= 45, `${bothAccept.length} messages accepted by both`);
});
