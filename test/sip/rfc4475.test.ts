/**
 * RFC 4475, SIP Torture Test Messages: all 49 messages (test/fixtures/rfc4475), with the
 * verdict column of its INDEX.md. Valid messages are read with their concrete fields and no
 * problem; invalid ones are rejected (the start line cannot be read) or read with the problem
 * that names what is wrong; semantic ones behave as the table documents.
 */
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import type { MessageProblemCode, ReadFailure, SipMessage } from '../../src/sip/message.js';
import { sdpBodies } from '../../src/sip/multipart.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';
import { StreamFramer } from '../../src/sip/stream-framer.js';
import { parseVia } from '../../src/sip/via.js';
import { datFiles, fixture, fixtureText, messageOf } from './fixtures.js';

type Problem = readonly [MessageProblemCode, RegExp];

type Expectation =
  | {
      readonly kind: 'read';
      /** Method, or status code for responses. */
      readonly start: string | number;
      readonly callId: string | null;
      readonly cseq: readonly [number, string];
      readonly branch: string | null;
      /** Every problem expected, each matched once; none for valid messages. */
      readonly problems?: readonly Problem[];
      /** Extra assertions on the message. */
      readonly more?: (message: SipMessage) => void;
    }
  | { readonly kind: 'reject'; readonly failure: ReadFailure; readonly reason: RegExp };

const MF: Problem[] = [];

const EXPECTED: Readonly<Record<string, Expectation>> = {
  // 3.1.1 valid
  'wsinv.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'wsinv.ndaksdj@192.0.2.1',
    cseq: [9, 'INVITE'],
    branch: '390skdjuw',
    more: (m) => {
      assertEq(m.header('to'), 'sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n');
      assertEq(m.header('max-forwards'), '0068');
      assertEq(m.header('NewFangledHeader'), 'newfangled value continued newfangled value');
      assertEq(m.header('subject'), '');
      assertEq(m.headerValues('via').length, 3);
      assertEq(m.contentLength, 150);
    },
  },
  'intmeth.dat': {
    kind: 'read',
    start: "!interesting-Method0123456789_*+`.%indeed'~",
    callId: 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
    cseq: [139122385, "!interesting-Method0123456789_*+`.%indeed'~"],
    branch: "z9hG4bK-.!%66*_+`'~",
    more: (m) => {
      assertEq(m.header("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
      assertEq(m.header('to')?.includes('NUL:\\\u0000'), true);
      assertEq(m.header('from')?.includes('"работающий"'), true);
    },
  },
  'esc01.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'esc01.239409asdfakjkn23onasd0-3234',
    cseq: [234234, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => assertEq(m.requestUri, 'sip:sips%3Auser%40example.com@example.net'),
  },
  'escnull.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd',
    cseq: [14398234, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => assertEq(m.headerValues('contact').length, 2),
  },
  'esc02.dat': {
    kind: 'read',
    start: 'RE%47IST%45R',
    callId: 'esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf',
    cseq: [29344, 'RE%47IST%45R'],
    branch: 'z9hG4bK209%fzsnel234',
    // `C%6Fntact` is an unknown header, not a third Contact.
    more: (m) => {
      assertEq(m.headerValues('contact').length, 2);
      assertEq(m.header('C%6Fntact'), '<sip:alias2@host2.example.com>');
    },
  },
  'lwsdisp.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'lwsdisp.1234abcd@funky.example.com',
    cseq: [60, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw',
  },
  'longreq.dat': {
    kind: 'read',
    start: 'INVITE',
    callId:
      'longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid',
    cseq: [3882340, 'INVITE'],
    // The top Via (sip33.example.com) has no branch: an RFC 2543-style hop.
    branch: null,
    more: (m) => {
      assertEq(m.headerValues('via').length, 34);
      assertEq(m.topVia?.host, 'sip33.example.com');
      assertEq(m.headerFields('via').length, 34);
    },
  },
  'dblreq.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'dblreq.0ha0isndaksdj99sdfafnl3lk233412',
    cseq: [8, 'REGISTER'],
    branch: 'z9hG4bKkdjuw23492',
    // RFC 3261 §18.3: the INVITE after Content-Length is discarded, not part of the message.
    more: (m) => {
      assertEq(m.body.length, 0);
      assertEq(m.bytes.length, 300);
      assertEq(m.bytes.includes('INVITE'), false);
    },
  },
  'semiuri.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'semiuri.0ha0isndaksdj',
    cseq: [8, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => {
      assertEq(m.requestUri, 'sip:user;par=u%40example.net@example.com');
      assertEq(m.headerValues('accept').length, 6);
    },
  },
  'transports.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'transports.kijh4akdnaqjkwendsasfdj',
    cseq: [60, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw',
    more: (m) =>
      assertEq(
        m
          .headerValues('via')
          .map((value) => parseVia(value).via?.transport)
          .join(','),
        'UDP,SCTP,TLS,UNKNOWN,TCP',
      ),
  },
  'mpart01.dat': {
    kind: 'read',
    start: 'MESSAGE',
    callId: '3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..',
    cseq: [1, 'MESSAGE'],
    branch: 'z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-',
    more: (m) => {
      assertEq(m.body.length, 553);
      assertEq(m.contentType, 'multipart/mixed');
      assertEq(m.topVia?.rport, true);
      assertEq(m.topVia?.port, 5070);
      const { bodies, problems } = sdpBodies(m);
      assertEq(bodies.length, 0);
      assertEq(problems.length, 0);
    },
  },
  'unreason.dat': {
    kind: 'read',
    start: 200,
    callId: 'unreason.1234ksdfak3j2erwedfsASdf',
    cseq: [35, 'INVITE'],
    branch: 'z9hG4bK1324923',
    more: (m) => assertEq(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое'),
  },
  'noreason.dat': {
    kind: 'read',
    start: 100,
    callId: 'noreason.asndj203insdf99223ndf',
    cseq: [35, 'INVITE'],
    branch: 'z9hG4bK2398ndaoe',
    more: (m) => assertEq(m.reason, ''),
  },

  // 3.1.2 invalid
  'badinv01.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'badinv01.0ha0isndaksdjasdf3234nas',
    cseq: [8, 'INVITE'],
    branch: null,
    problems: [
      ['malformed-message', /empty Via value \(extraneous ','\)/],
      ['malformed-message', /empty Via parameter \(extraneous ';'\)/],
      ['malformed-message', /Via ';' cannot be read/],
      ['malformed-message', /Contact: empty parameter \(extraneous ';'\)/],
    ],
  },
  'clerr.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'clerr.0ha0isndaksdjweiafasdk3',
    cseq: [8, 'INVITE'],
    branch: 'z9hG4bK-39234-23523',
    problems: [['content-length-mismatch', /Content-Length says 9999 but only 154 bytes follow/]],
    more: (m) => assertEq(m.contentLength, 9999),
  },
  'ncl.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'ncl.0ha0isndaksdj2193423r542w35',
    cseq: [0, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [['content-length-mismatch', /Content-Length '-999' is not a decimal number/]],
    more: (m) => assertEq(m.contentLength, null),
  },
  'scalar02.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'scalar02.23o0pd9vanlq3wnrlnewofjas9ui32',
    cseq: [Number('36893488147419103232'), 'REGISTER'],
    branch: 'z9hG4bK342sdfoi3',
    problems: [
      ['malformed-message', /CSeq number 36893488147419103232 is not less than 2\*\*31/],
      ['malformed-message', /Max-Forwards '300' is not an integer in 0-255/],
      ['malformed-message', /Contact expires=280297596632815 is not delta-seconds/],
      ['malformed-message', /Expires '1000.*' is not delta-seconds/],
    ],
  },
  'scalarlg.dat': {
    kind: 'read',
    start: 503,
    callId: 'scalarlg.noase0of0234hn2qofoaf0232aewf2394r',
    cseq: [Number('9292394834772304023312'), 'OPTIONS'],
    branch: 'z9hG4bKzzxdiwo34sw',
    problems: [
      ['malformed-message', /CSeq number 9292394834772304023312 is not less than 2\*\*31/],
      ['malformed-message', /Retry-After '949302838503028349304023988' is not delta-seconds/],
      ['malformed-message', /Warning '1812 overture .*' does not start with a 3-digit warn-code/],
    ],
  },
  'quotbal.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'quotbal.aksdj',
    cseq: [8, 'INVITE'],
    branch: 'z9hG4bKkdjuw39234',
    problems: [['malformed-message', /^To: unterminated quoted string/]],
  },
  'ltgtruri.dat': {
    kind: 'reject',
    failure: 'start-line',
    reason: /Request-URI '<sip:user@example.com>' is enclosed in "<>"/,
  },
  'lwsruri.dat': { kind: 'reject', failure: 'start-line', reason: /Request-URI contains whitespace/ },
  'lwsstart.dat': { kind: 'reject', failure: 'start-line', reason: /separated by more than one SP/ },
  'trws.dat': { kind: 'reject', failure: 'start-line', reason: /trailing SP/ },
  'escruri.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5',
    cseq: [149209342, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [['malformed-message', /Request-URI carries escaped headers '\?Route=%3Csip:example.com%3E'/]],
  },
  'baddate.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'baddate.239423mnsadf3j23lj42--sedfnm234',
    cseq: [1392934, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [['malformed-message', /Date 'Fri, 01 Jan 2010 16:00:00 EST' is not an RFC 1123 date in GMT/]],
  },
  'regbadct.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'regbadct.k345asrl3fdbv@10.0.0.1',
    cseq: [1, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    problems: [
      [
        'malformed-message',
        /Contact: URI 'sip:user@example.com\?Route=.*' contains '\?' but is not enclosed in '<>'/,
      ],
    ],
  },
  'badaspec.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3',
    cseq: [3923239, 'OPTIONS'],
    branch: 'z9hG4bKkdju43234',
    problems: [['malformed-message', /^To: whitespace inside '< sip:t.watson@example.org >'/]],
  },
  'baddn.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'baddn.31415@c.example.com',
    cseq: [3923239, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw',
    problems: [
      // The archive file itself ends after `l: 0` CRLF, without the empty line.
      ['malformed-message', /header section is not closed by an empty line/],
      ['malformed-message', /^To: unquoted display name 'Watson, Thomas' contains ','/],
      ['malformed-message', /^From: unquoted display name 'Bell, Alexander' contains ','/],
    ],
  },
  'badvers.dat': {
    kind: 'reject',
    failure: 'sip-version',
    reason: /unsupported SIP version 'SIP\/7.0'.*505/,
  },
  'mismatch01.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'mismatch01.dj0234sxdfl3',
    cseq: [8, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [['malformed-message', /CSeq method 'INVITE' does not match the request method 'OPTIONS'/]],
  },
  'mismatch02.dat': {
    kind: 'read',
    start: 'NEWMETHOD',
    callId: 'mismatch02.dj0234sxdfl3',
    cseq: [8, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [['malformed-message', /CSeq method 'INVITE' does not match the request method 'NEWMETHOD'/]],
  },
  'bigcode.dat': {
    kind: 'reject',
    failure: 'start-line',
    reason: /Status-Code '4294967301' is not 3 digits/,
  },

  // 3.2 transaction layer
  'badbranch.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'badbranch.sadonfo23i420jv0as0derf3j3n',
    cseq: [8, 'OPTIONS'],
    // Exactly the magic cookie: syntactically fine, the transaction layer's business.
    branch: 'z9hG4bK',
  },

  // 3.3 application layer
  'insuf.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: null,
    cseq: [193942, 'INVITE'],
    branch: 'z9hG4bKkdj.insuf',
    // Max-Forwards is missing too but never reported (RFC 2543 compatibility, see message-checks.ts).
    problems: [
      ['malformed-message', /^request lacks mandatory header To, From, Call-ID \(RFC 3261 §8.1.1\)$/],
    ],
  },
  'unkscm.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'unkscm.nasdfasser0q239nwsdfasdkl34',
    cseq: [3923423, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw39234',
    more: (m) => assertEq(m.requestUri, 'nobodyKnowsThisScheme:totallyopaquecontent'),
  },
  'novelsc.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'novelsc.asdfasser0q239nwsdfasdkl34',
    cseq: [3923423, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw39234',
    more: (m) => assertEq(m.requestUri, 'soap.beep://192.0.2.103:3002'),
  },
  'unksm2.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'unksm2.daksdj@hyphenated-host.example.com',
    cseq: [234902, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
  },
  'bext01.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'bext01.0ha0isndaksdj',
    cseq: [8, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw',
    more: (m) =>
      assertEq(m.headerValues('require').join('|'), 'nothingSupportsThis|nothingSupportsThisEither'),
  },
  'invut.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'invut.0ha0isndaksdjadsfij34n23d',
    cseq: [235448, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => {
      assertEq(m.contentType, 'application/unknownformat');
      assertEq(sdpBodies(m).bodies.length, 0);
    },
  },
  'regaut01.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'regaut01.0ha0isndaksdj',
    cseq: [9338, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => assertEq(m.header('authorization'), 'NoOneKnowsThisScheme opaque-data=here'),
  },
  'multi01.dat': {
    kind: 'read',
    start: 'INVITE',
    // The first occurrence is what the view returns; the duplicates are the problem.
    callId: 'multi01.98asdh@192.0.2.1',
    cseq: [5, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
    problems: [
      ['malformed-message', /^2 Call-ID header fields; Call-ID takes a single value/],
      ['malformed-message', /^2 CSeq header fields/],
      ['malformed-message', /^2 From header fields/],
      ['malformed-message', /^2 To header fields/],
      ['malformed-message', /^2 Max-Forwards header fields/],
    ],
  },
  'mcl01.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'mcl01.fhn2323orihawfdoa3o4r52o3irsdf',
    cseq: [15932, 'OPTIONS'],
    branch: 'z9hG4bK293423',
    problems: [
      ['duplicate-content-length', /Content-Length appears 2 times with different values \(13, 5\)/],
    ],
    more: (m) => {
      assertEq(m.contentLength, 13);
      assertEq(m.body.toString(), "There's no wa");
    },
  },
  'bcast.dat': {
    kind: 'read',
    start: 200,
    callId: 'bcast.0384840201234ksdfak3j2erwedfsASdf',
    cseq: [35, 'INVITE'],
    branch: 'z9hG4bK1324923',
    more: (m) => assertEq(parseVia(m.headerValues('via')[1] ?? '').via?.host, '255.255.255.255'),
  },
  'zeromf.dat': {
    kind: 'read',
    start: 'OPTIONS',
    callId: 'zeromf.jfasdlfnm2o2l43r5u0asdfas',
    cseq: [39234321, 'OPTIONS'],
    branch: 'z9hG4bKkdjuw2349i',
    more: (m) => assertEq(m.header('max-forwards'), '0'),
  },
  'cparam01.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'cparam01.70710@saturn.example.com',
    cseq: [2, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    // Without <>, ;unknownparam is a Contact header parameter (RFC 3261 §20.10).
    more: (m) => {
      const contact = parseNameAddr(m.header('contact') ?? '');
      assertEq(contact.uri, 'sip:+19725552222@gw1.example.net');
      assertEq(contact.params.map(([name]) => name).join(), 'unknownparam');
    },
  },
  'cparam02.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'cparam02.70710@saturn.example.com',
    cseq: [3, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    // With <>, ;unknownparam is a URI parameter.
    more: (m) => {
      const contact = parseNameAddr(m.header('m') ?? '');
      assertEq(contact.uri, 'sip:+19725552222@gw1.example.net;unknownparam');
      assertEq(contact.params.length, 0);
    },
  },
  'regescrt.dat': {
    kind: 'read',
    start: 'REGISTER',
    callId: 'regescrt.k345asrl3fdbv@192.0.2.1',
    cseq: [14398234, 'REGISTER'],
    branch: 'z9hG4bKkdjuw',
    more: (m) => assertEq(m.header('contact'), '<sip:user@example.com?Route=%3Csip:sip.example.com%3E>'),
  },
  'sdp01.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'sdp01.ndaksdj9342dasdd',
    cseq: [8, 'INVITE'],
    branch: 'z9hG4bKkdjuw',
  },

  // 3.4 backward compatibility
  'inv2543.dat': {
    kind: 'read',
    start: 'INVITE',
    callId: 'inv2543.1717@ift.client.example.com',
    cseq: [56, 'INVITE'],
    // RFC 2543: no branch, no Max-Forwards, no Content-Length (UDP: body to the end), no From tag.
    branch: null,
    more: (m) => {
      assertEq(m.contentLength, null);
      assertEq(m.header('max-forwards'), undefined);
      assertEq(m.body.length, 105);
    },
  },
};

// Messages whose INDEX.md SDP column says SDP but whose read message has no SDP body.
const SDP_ELSEWHERE: Readonly<Record<string, string>> = {
  'dblreq.dat': 'the SDP belongs to the INVITE after the REGISTER, discarded per RFC 3261 §18.3',
};

interface IndexRow {
  readonly file: string;
  readonly section: string;
  readonly verdict: string;
  readonly sdp: boolean;
}

/** The rows of INDEX.md's tables: file, section, verdict, SDP. */
function indexRows(): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const line of fixtureText('rfc4475/INDEX.md').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const [, file, section, verdict, sdp] = cells;
    if (
      file === undefined ||
      !file.endsWith('.dat') ||
      file.includes('/') ||
      section === undefined ||
      verdict === undefined
    ) {
      continue;
    }
    rows.push({ file, section, verdict, sdp: sdp === 'SDP' });
  }
  return rows;
}

function assertEq<T>(actual: T, expected: T): void {
  if (actual !== expected)
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const rows = indexRows();

test('the table covers the 49 messages of INDEX.md, and every file in the folder', (t) => {
  t.is(rows.length, 49);
  t.deepEqual(rows.map((row) => row.file).sort(), datFiles('rfc4475'));
  t.deepEqual(Object.keys(EXPECTED).sort(), datFiles('rfc4475'));
});

for (const row of rows) {
  test(`${row.file} (RFC 4475 §${row.section}, ${row.verdict})`, (t) => {
    const expected = EXPECTED[row.file];
    if (expected === undefined) return t.fail('no expectation');
    const result = readDatagram(fixture(`rfc4475/${row.file}`));
    if (expected.kind === 'reject') {
      t.is(row.verdict, 'invalid', 'only messages the RFC calls invalid are rejected');
      if (result.ok) return t.fail(`expected a rejection, read ${result.message.startLine}`);
      t.is(result.failure, expected.failure);
      t.regex(result.reason, expected.reason);
      return;
    }
    const message = messageOf(result);
    t.is(message.kind === 'request' ? message.method : message.status, expected.start);
    t.is(message.callId, expected.callId);
    t.deepEqual(message.cseq, { number: expected.cseq[0], method: expected.cseq[1] });
    t.is(message.topVia?.branch ?? null, expected.branch);

    const wanted = expected.problems ?? MF;
    const actual = message.problems.map((problem) => `${problem.code}: ${problem.reason}`);
    t.is(message.problems.length, wanted.length, actual.join('\n'));
    for (const [code, reason] of wanted) {
      t.true(
        message.problems.some((problem) => problem.code === code && reason.test(problem.reason)),
        `${code} ${reason} not in:\n${actual.join('\n')}`,
      );
    }
    for (const problem of message.problems) t.truthy(problem.evidence, `evidence for ${problem.reason}`);
    if (row.verdict === 'valid') t.is(message.problems.length, 0, 'valid messages have no problem');
    if (row.verdict === 'invalid') t.true(message.problems.length > 0, 'invalid messages are flagged');

    if (row.sdp && SDP_ELSEWHERE[row.file] === undefined) {
      // The body is the SDP, byte for byte, and sdpBodies finds it.
      t.true(message.body.toString('latin1').startsWith('v=0\r\n'));
      const { bodies, problems } = sdpBodies(message);
      t.deepEqual(problems, []);
      t.is(bodies.length, 1);
      t.is(bodies[0]?.text, message.body.toString('utf8'));
      t.is(bodies[0]?.partPath, '');
      t.is(message.contentType, 'application/sdp');
    }
    expected.more?.(message);
  });
}

test('every message is read to the same bytes by the stream framer when its Content-Length is right', (t) => {
  for (const row of rows) {
    const bytes = fixture(`rfc4475/${row.file}`);
    const datagram = readDatagram(bytes);
    if (!datagram.ok || datagram.message.contentLength === null) continue;
    const framingProblem = datagram.message.problems.some(
      (p) => p.code !== 'malformed-message' || p.reason.includes('not closed by an empty line'),
    );
    if (framingProblem) continue;
    const framer = new StreamFramer();
    const results = [...framer.push(datagram.message.bytes), ...framer.end()];
    t.is(results.length, 1, row.file);
    const streamed = results[0];
    if (streamed === undefined || !streamed.ok)
      return t.fail(`${row.file}: ${streamed?.ok === false ? streamed.reason : ''}`);
    t.true(streamed.message.bytes.equals(datagram.message.bytes), row.file);
    t.is(streamed.message.callId, datagram.message.callId);
  }
});

test('extra/test.dat (no SIP-Version on the request line) is rejected', (t) => {
  const result = readDatagram(fixture('rfc4475/extra/test.dat'));
  t.false(result.ok);
  if (!result.ok) {
    t.is(result.failure, 'start-line');
    t.regex(result.reason, /no SIP-Version/);
  }
});

test('a rejected datagram keeps its bytes for logging', (t) => {
  const bytes = fixture('rfc4475/badvers.dat');
  const result = readDatagram(bytes);
  if (result.ok) return t.fail();
  t.true(result.bytes.equals(bytes));
});
