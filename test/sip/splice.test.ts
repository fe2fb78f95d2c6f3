/**
 * The proxy's byte edits (RFC 3261 §16.4, §16.6, §16.7; RFC 5658): every expected output is
 * written out in full, and the fixture corpus checks that the output equals the input except for
 * exactly the permitted edits (DESIGN.md principle 1, bytes in = bytes out).
 */
import { readdirSync } from 'node:fs';
import test from 'ava';
import { canonicalHeaderName } from '../../src/sip/compact-forms.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { HeaderField, SipMessage } from '../../src/sip/message.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';
import {
  applyEdits,
  type ByteEdit,
  insertHeaderLines,
  lineEndingOf,
  maxForwardsEdit,
  removeFirstValue,
  removeLeadingRoutes,
} from '../../src/sip/splice.js';
import { fixture, messageOf, REPO_ROOT } from './fixtures.js';

const OUR_VIA_VALUE = 'SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-tg-7c1e';
const OUR_VIA = `Via: ${OUR_VIA_VALUE}`;
/** RFC 5658 double Record-Route: one value per interface the proxy joins. */
const OUR_RECORD_ROUTE = [
  'Record-Route: <sip:198.51.100.9;transport=tcp;lr;r2=on>',
  'Record-Route: <sip:203.0.113.9;lr;r2=on>',
];
const OUR_HOSTS = new Set(['203.0.113.9', '198.51.100.9']);

/** Whether a Route value names the proxy (by the host of its URI). */
function isOurs(value: string): boolean {
  const host = /^sips?:([^;:?>]+)/i.exec(parseNameAddr(value).uri)?.[1];
  return host !== undefined && OUR_HOSTS.has(host.toLowerCase());
}

/** Reads a message written as text (lines joined by the caller, line ends included). */
function read(bytes: string | Buffer): SipMessage {
  return messageOf(readDatagram(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
}

/** Applies the edits and gives the result as latin1 text (one character per byte). */
function edited(message: SipMessage, edits: readonly (ByteEdit | null)[]): string {
  return applyEdits(
    message.bytes,
    edits.filter((edit) => edit !== null),
  ).toString('latin1');
}

function crlf(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

const TAIL = ['Call-ID: splice-1@192.0.2.1', 'CSeq: 1 OPTIONS', 'Content-Length: 0', ''];

test('insertHeaderLines puts our Via before a compact v: first Via, leaving it as written', (t) => {
  const message = read(
    crlf(
      'OPTIONS sip:bob@trunk.example.com SIP/2.0',
      'Max-Forwards: 70',
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa',
      'V : SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb',
      ...TAIL,
    ),
  );
  const edit = insertHeaderLines(message, 'via', [OUR_VIA]);
  const at = 'OPTIONS sip:bob@trunk.example.com SIP/2.0\r\nMax-Forwards: 70\r\n'.length;
  t.deepEqual(edit, { at, remove: 0, insert: `${OUR_VIA}\r\n` });
  t.is(
    edited(message, [edit]),
    crlf(
      'OPTIONS sip:bob@trunk.example.com SIP/2.0',
      'Max-Forwards: 70',
      OUR_VIA,
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa',
      'V : SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb',
      ...TAIL,
    ),
  );
});

test('insertHeaderLines with no such header goes right after the start line; lines keep their order', (t) => {
  const message = read(
    crlf('OPTIONS sip:bob@trunk.example.com SIP/2.0', 'Via: SIP/2.0/UDP a;branch=z9hG4bKa', ...TAIL),
  );
  const edit = insertHeaderLines(message, 'record-route', OUR_RECORD_ROUTE);
  t.is(
    edited(message, [edit]),
    crlf(
      'OPTIONS sip:bob@trunk.example.com SIP/2.0',
      ...OUR_RECORD_ROUTE,
      'Via: SIP/2.0/UDP a;branch=z9hG4bKa',
      ...TAIL,
    ),
  );
  // A start line and nothing else (no line end at all): the line goes after a line end of its own.
  const bare = read('OPTIONS sip:bob@trunk.example.com SIP/2.0');
  t.is(
    edited(bare, [insertHeaderLines(bare, 'via', [OUR_VIA])]),
    `OPTIONS sip:bob@trunk.example.com SIP/2.0\r\n${OUR_VIA}`,
  );
});

test('insertHeaderLines refuses a line end inside a line (it would smuggle header lines)', (t) => {
  const message = read(crlf('OPTIONS sip:bob@trunk.example.com SIP/2.0', ...TAIL));
  t.throws(() => insertHeaderLines(message, 'via', [`${OUR_VIA}\r\nX-Injected: 1`]), {
    instanceOf: RangeError,
  });
  t.throws(() => insertHeaderLines(message, 'via', ['Via: a\nb']), { instanceOf: RangeError });
});

test('removeFirstValue removes a single-value Via line whole and gives its value', (t) => {
  const message = read(
    crlf(
      'SIP/2.0 200 OK',
      `Via: ${OUR_VIA_VALUE};received=203.0.113.9`,
      'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa',
      ...TAIL,
    ),
  );
  const removed = removeFirstValue(message, 'via');
  t.is(removed?.value, `${OUR_VIA_VALUE};received=203.0.113.9`);
  t.is(
    edited(message, [removed?.edit ?? null]),
    crlf('SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa', ...TAIL),
  );
  t.is(removeFirstValue(message, 'route'), null);
});

test('removeFirstValue of `Via: a, b` leaves `Via: b`; compact `v: a,b` leaves `v: b`', (t) => {
  const long = read(
    crlf('SIP/2.0 200 OK', `Via: ${OUR_VIA_VALUE} ,  SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKa`, ...TAIL),
  );
  const removedLong = removeFirstValue(long, 'via');
  t.is(removedLong?.value, OUR_VIA_VALUE);
  t.is(
    edited(long, [removedLong?.edit ?? null]),
    crlf('SIP/2.0 200 OK', 'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKa', ...TAIL),
  );

  const compact = read(crlf('SIP/2.0 180 Ringing', `v: ${OUR_VIA_VALUE},SIP/2.0/UDP b.example`, ...TAIL));
  const removedCompact = removeFirstValue(compact, 'via');
  t.is(removedCompact?.value, OUR_VIA_VALUE);
  t.is(
    edited(compact, [removedCompact?.edit ?? null]),
    crlf('SIP/2.0 180 Ringing', 'v: SIP/2.0/UDP b.example', ...TAIL),
  );

  // The second value on a continuation line: the comma, line break and indent go with the first.
  const folded = read(
    crlf('SIP/2.0 200 OK', `VIA  :   ${OUR_VIA_VALUE},`, '\t SIP/2.0/UDP b.example', ...TAIL),
  );
  t.is(
    edited(folded, [removeFirstValue(folded, 'via')?.edit ?? null]),
    crlf('SIP/2.0 200 OK', 'VIA  :   SIP/2.0/UDP b.example', ...TAIL),
  );

  // Nothing but a trailing comma after it: the line goes whole rather than leave an empty Via.
  const trailing = read(
    crlf('SIP/2.0 200 OK', `Via: ${OUR_VIA_VALUE}, `, 'Via: SIP/2.0/UDP b.example', ...TAIL),
  );
  t.is(
    edited(trailing, [removeFirstValue(trailing, 'via')?.edit ?? null]),
    crlf('SIP/2.0 200 OK', 'Via: SIP/2.0/UDP b.example', ...TAIL),
  );
});

test('a folded single-value Via line is removed whole with its continuation lines', (t) => {
  const message = read(
    crlf(
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP',
      '   203.0.113.9:5060',
      '\t;branch=z9hG4bK-tg-7c1e',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa',
      ...TAIL,
    ),
  );
  const removed = removeFirstValue(message, 'via');
  t.is(removed?.value, 'SIP/2.0/UDP 203.0.113.9:5060 ;branch=z9hG4bK-tg-7c1e');
  t.is(
    edited(message, [removed?.edit ?? null]),
    crlf('SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa', ...TAIL),
  );
});

const BYE = 'BYE sip:bob@192.0.2.30 SIP/2.0';
const VIA_A = 'Via: SIP/2.0/UDP 192.0.2.31;branch=z9hG4bKbye';

/** The proxy's two double Record-Route values as the UA returns them, in one Route line. */
const OWN_ROUTES = 'Route: <sip:203.0.113.9;lr;r2=on>, <sip:198.51.100.9;transport=tcp;lr;r2=on>';

test('removeLeadingRoutes: two own values in one line, stopping at a foreign one', (t) => {
  const message = read(
    crlf(BYE, VIA_A, `${OWN_ROUTES}, <sip:edge.example.com;lr>`, 'Route: <sip:203.0.113.9;lr>', ...TAIL),
  );
  const edits = removeLeadingRoutes(message, isOurs);
  t.is(edits.length, 1);
  t.is(
    edited(message, edits),
    crlf(BYE, VIA_A, 'Route: <sip:edge.example.com;lr>', 'Route: <sip:203.0.113.9;lr>', ...TAIL),
  );
});

test('removeLeadingRoutes: own values across two lines (any spelling), stopping at a foreign one', (t) => {
  const message = read(
    crlf(
      BYE,
      'route: <sip:203.0.113.9;lr;r2=on>',
      VIA_A,
      'ROUTE  : <sip:198.51.100.9;transport=tcp;lr;r2=on>',
      'Route: <sip:edge.example.com;lr>, <sip:203.0.113.9;lr>',
      ...TAIL,
    ),
  );
  const edits = removeLeadingRoutes(message, isOurs);
  t.is(edits.length, 2);
  t.is(
    edited(message, edits),
    crlf(BYE, VIA_A, 'Route: <sip:edge.example.com;lr>, <sip:203.0.113.9;lr>', ...TAIL),
  );
});

test('removeLeadingRoutes removes nothing when the first value is foreign, or there is no Route', (t) => {
  const foreign = read(crlf(BYE, VIA_A, 'Route: <sip:edge.example.com;lr>, <sip:203.0.113.9;lr>', ...TAIL));
  t.deepEqual(removeLeadingRoutes(foreign, isOurs), []);
  t.deepEqual(removeLeadingRoutes(read(crlf(BYE, VIA_A, ...TAIL)), isOurs), []);
});

test('commas inside quotes and <> do not separate values', (t) => {
  const route = read(
    crlf(
      BYE,
      VIA_A,
      'Route: <sip:203.0.113.9;lr;x=",">, "Edge, Inc" <sip:edge.example.com;lr;y=a,b>',
      ...TAIL,
    ),
  );
  const seen: string[] = [];
  const edits = removeLeadingRoutes(route, (value) => {
    seen.push(value);
    return isOurs(value);
  });
  t.deepEqual(seen, ['<sip:203.0.113.9;lr;x=",">', '"Edge, Inc" <sip:edge.example.com;lr;y=a,b>']);
  t.is(edited(route, edits), crlf(BYE, VIA_A, 'Route: "Edge, Inc" <sip:edge.example.com;lr;y=a,b>', ...TAIL));

  // A quoted Via parameter holding a comma, then a second value.
  const via = read(
    crlf('SIP/2.0 200 OK', `Via: ${OUR_VIA_VALUE};x="a, \\"b,", SIP/2.0/UDP c.example`, ...TAIL),
  );
  const removed = removeFirstValue(via, 'via');
  t.is(removed?.value, `${OUR_VIA_VALUE};x="a, \\"b,"`);
  t.is(edited(via, [removed?.edit ?? null]), crlf('SIP/2.0 200 OK', 'Via: SIP/2.0/UDP c.example', ...TAIL));
});

const INVITE = 'INVITE sip:bob@trunk.example.com SIP/2.0';

test('Max-Forwards is decremented in place: only the digits change', (t) => {
  const message = read(crlf(INVITE, VIA_A, 'Max-Forwards:   10', ...TAIL));
  const { edit, value } = maxForwardsEdit(message);
  t.is(value, 10);
  t.is(edited(message, [edit]), crlf(INVITE, VIA_A, 'Max-Forwards:   9', ...TAIL));

  const folded = read(crlf(INVITE, VIA_A, 'MAX-FORWARDS :', '\t 70 ', ...TAIL));
  t.is(
    edited(folded, [maxForwardsEdit(folded).edit]),
    crlf(INVITE, VIA_A, 'MAX-FORWARDS :', '\t 69 ', ...TAIL),
  );

  const one = read(crlf(INVITE, VIA_A, 'Max-Forwards: 1', ...TAIL));
  t.is(edited(one, [maxForwardsEdit(one).edit]), crlf(INVITE, VIA_A, 'Max-Forwards: 0', ...TAIL));
});

test('Max-Forwards: 0 is the 483 signal: no edit, value 0', (t) => {
  t.deepEqual(maxForwardsEdit(read(crlf(INVITE, VIA_A, 'Max-Forwards: 0', ...TAIL))), {
    edit: null,
    value: 0,
  });
  t.deepEqual(maxForwardsEdit(read(crlf(INVITE, VIA_A, 'Max-Forwards: 000', ...TAIL))), {
    edit: null,
    value: 0,
  });
});

test('Max-Forwards absent: `Max-Forwards: 70` is inserted before the first Via', (t) => {
  const message = read(crlf(INVITE, 'To: <sip:bob@trunk.example.com>', VIA_A, ...TAIL));
  const { edit, value } = maxForwardsEdit(message);
  t.is(value, null);
  t.is(
    edited(message, [edit]),
    crlf(INVITE, 'To: <sip:bob@trunk.example.com>', 'Max-Forwards: 70', VIA_A, ...TAIL),
  );
});

test('Max-Forwards that is not 1*DIGIT in 0-255 gives NaN (the caller answers 400)', (t) => {
  for (const bad of ['abc', '10, 20', '-1', '7a', '256', '99999999999999999999999', '']) {
    const result = maxForwardsEdit(read(crlf(INVITE, VIA_A, `Max-Forwards: ${bad}`, ...TAIL)));
    t.is(result.edit, null, bad);
    t.true(Number.isNaN(result.value), bad);
  }
  t.is(maxForwardsEdit(read(crlf(INVITE, VIA_A, 'Max-Forwards: 255', ...TAIL))).value, 255);
});

test('RFC 4475: zeromf.dat (Max-Forwards: 0) gives 0; scalar02.dat (Max-Forwards: 300) gives NaN', (t) => {
  t.deepEqual(maxForwardsEdit(read(fixture('rfc4475/zeromf.dat'))), { edit: null, value: 0 });
  const overlarge = maxForwardsEdit(read(fixture('rfc4475/scalar02.dat')));
  t.is(overlarge.edit, null);
  t.true(Number.isNaN(overlarge.value));
});

test('a bare-LF message gets bare-LF inserted lines', (t) => {
  const message = read(
    [
      INVITE,
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlf',
      'Call-ID: lf@192.0.2.1',
      'Content-Length: 0',
      '',
      '',
    ].join('\n'),
  );
  t.is(lineEndingOf(message), '\n');
  t.is(lineEndingOf(read(crlf(INVITE, VIA_A, ...TAIL))), '\r\n');
  const edits = [
    insertHeaderLines(message, 'via', [OUR_VIA]),
    maxForwardsEdit(message).edit,
    insertHeaderLines(message, 'record-route', OUR_RECORD_ROUTE),
  ];
  t.is(
    edited(message, edits),
    [
      INVITE,
      // All three at the first header line's offset: in the order the edits were given.
      OUR_VIA,
      'Max-Forwards: 70',
      ...OUR_RECORD_ROUTE,
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKlf',
      'Call-ID: lf@192.0.2.1',
      'Content-Length: 0',
      '',
      '',
    ].join('\n'),
  );
});

test('a multipart body with binary bytes is identical after every edit', (t) => {
  const original = fixture('sip/splice/invite-multipart-binary.sip');
  const message = read(original);
  const body = message.body;
  t.true(body.includes(Buffer.from([0x00, 0x0d, 0x0a, 0xff])), 'the fixture holds the binary bytes');
  const all = requestEdits(message);
  t.is(all.length, 4);
  for (const edits of [...all.map((edit) => [edit]), all]) {
    const output = applyEdits(message.bytes, edits);
    t.true(output.subarray(output.length - body.length).equals(body));
    const reread = read(output);
    t.true(reread.body.equals(body));
    t.is(reread.bodyOffset, output.length - body.length);
  }
});

test('applyEdits sorts, keeps the order of inserts at one offset, and throws on overlap or range', (t) => {
  const bytes = Buffer.from('0123456789', 'latin1');
  const edits: ByteEdit[] = [
    { at: 8, remove: 2, insert: 'Z' },
    { at: 2, remove: 0, insert: 'a' },
    { at: 2, remove: 3, insert: 'R' },
    { at: 2, remove: 0, insert: 'b' },
  ];
  t.is(applyEdits(bytes, edits).toString('latin1'), '01abR567Z');
  t.is(applyEdits(bytes, [{ at: 10, remove: 0, insert: '\u00ff' }]).toString('latin1'), '0123456789\u00ff');
  const copy = applyEdits(bytes, []);
  t.true(copy.equals(bytes));
  copy[0] = 0x78;
  t.is(bytes[0], 0x30, 'a new Buffer, not a view of the input');
  const overlaps: ByteEdit[][] = [
    [
      { at: 2, remove: 3, insert: '' },
      { at: 4, remove: 1, insert: '' },
    ],
    [
      { at: 2, remove: 3, insert: '' },
      { at: 3, remove: 0, insert: 'x' },
    ],
    [
      { at: 2, remove: 2, insert: 'x' },
      { at: 2, remove: 1, insert: 'y' },
    ],
  ];
  for (const overlap of overlaps) t.throws(() => applyEdits(bytes, overlap), { instanceOf: RangeError });
  for (const bad of [
    { at: 9, remove: 2, insert: '' },
    { at: -1, remove: 0, insert: '' },
    { at: 11, remove: 0, insert: '' },
    { at: 1.5, remove: 0, insert: '' },
    { at: 0, remove: 0, insert: '\u0100' },
  ]) {
    t.throws(() => applyEdits(bytes, [bad]), { instanceOf: RangeError });
  }
});

/** What the proxy does to a request: our Via, Max-Forwards, our Record-Route, our Route values out. */
function requestEdits(message: SipMessage): ByteEdit[] {
  const maxForwards = maxForwardsEdit(message);
  return [
    insertHeaderLines(message, 'via', [OUR_VIA]),
    ...(maxForwards.edit === null ? [] : [maxForwards.edit]),
    insertHeaderLines(message, 'record-route', OUR_RECORD_ROUTE),
    ...removeLeadingRoutes(message, isOurs),
  ];
}

test("any HeaderField works, not only the reader's HeaderLine (value bounds found from the bytes)", (t) => {
  for (const name of ['invite-folded.sip', 'ack-route-two-lines.sip', 'invite-bare-lf.sip']) {
    const message = read(fixture(`sip/splice/${name}`));
    // The same message, its header fields as plain objects of the HeaderField contract.
    const headers: HeaderField[] = message.headers.map(({ name, rawName, value, start, end }) => ({
      name,
      rawName,
      value,
      start,
      end,
    }));
    const plain: SipMessage = Object.assign(Object.create(message) as SipMessage, {
      headers,
      headerFields: (wanted: string) => headers.filter((field) => field.name === canonicalHeaderName(wanted)),
    });
    t.false(headers.some((field) => 'valueStart' in field));
    t.deepEqual(requestEdits(plain), requestEdits(message), name);
    t.deepEqual(removeFirstValue(plain, 'via'), removeFirstValue(message, 'via'), name);
  }
});

const PROXY_VIA = 'SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-tg-5f1a;received=203.0.113.9';
const UAC_VIA = 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcmp1;rport=5060';
const EDGE_AND_CORE = '"Edge, Inc" <sip:edge.example.com;lr>,\r\n  <sip:core.example.com;lr>\r\n';
/**
 * Per fixture, the exact header lines (with their line ends) the Route or Via removal changes,
 * and what each becomes. Insertions and Max-Forwards are derived below by plain rules.
 */
const CORPUS: Record<string, Record<string, string>> = {
  'invite-compact.sip': {},
  'invite-folded.sip': {},
  'invite-multipart-binary.sip': { 'Route: <sip:203.0.113.9;lr>\r\n': '' },
  'invite-bare-lf.sip': {},
  'response-200-two-vias.sip': {
    [`Via: ${PROXY_VIA}, ${UAC_VIA}\r\n`]: `Via: ${UAC_VIA}\r\n`,
  },
  'bye-route-set.sip': { [`${OWN_ROUTES}\r\n`]: '' },
  'ack-route-two-lines.sip': {
    'route: <sip:203.0.113.9;lr;r2=on;x=",">\r\n': '',
    [`ROUTE  : <sip:198.51.100.9;transport=tcp;lr;r2=on>, ${EDGE_AND_CORE}`]: `ROUTE  : ${EDGE_AND_CORE}`,
  },
  'register-utf8.sip': {},
};

/**
 * The expected output built without the splice code: the head cut into header fields (a line
 * plus its continuation lines) by plain string rules, the permitted edits made on that list,
 * and the rest of the message (empty line and body) appended as the original bytes.
 */
function expectedOutput(original: Buffer, changes: Record<string, string>): Buffer {
  const text = original.toString('latin1');
  const crlfEnd = text.indexOf('\n\r\n');
  const lfEnd = text.indexOf('\n\n');
  const headEnd = (lfEnd >= 0 && (crlfEnd < 0 || lfEnd < crlfEnd) ? lfEnd : crlfEnd) + 1;
  const [startLine = '', ...lines] = text.slice(0, headEnd).match(/[^\n]*\n/g) ?? [];
  const fields: string[] = [];
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) fields[fields.length - 1] += line;
    else fields.push(line);
  }
  const eol = startLine.endsWith('\r\n') ? '\r\n' : '\n';
  const nameOf = (field: string): string => {
    const name = field.slice(0, field.indexOf(':')).trim().toLowerCase();
    return name === 'v' ? 'via' : name;
  };
  const used = new Set<string>();
  const out = fields.map((field) => {
    if (!(field in changes)) return field;
    used.add(field);
    return changes[field] as string;
  });
  // Insertions before field i, in the order the proxy gives its edits (requests only).
  const before = fields.map(() => '');
  if (!startLine.startsWith('SIP/2.0 ')) {
    const via = fields.findIndex((field) => nameOf(field) === 'via');
    before[via] += OUR_VIA + eol;
    const maxForwards = fields.findIndex((field) => nameOf(field) === 'max-forwards');
    if (maxForwards < 0) before[via] += `Max-Forwards: 70${eol}`;
    else out[maxForwards] = out[maxForwards]?.replace(/\d+/, (digits) => String(Number(digits) - 1)) ?? '';
    const recordRoute = fields.findIndex((field) => nameOf(field) === 'record-route');
    before[Math.max(recordRoute, 0)] += OUR_RECORD_ROUTE.map((line) => line + eol).join('');
  }
  if (used.size !== Object.keys(changes).length) throw new Error('a listed change was not found');
  const head = startLine + out.map((field, i) => before[i] + field).join('');
  return Buffer.concat([Buffer.from(head, 'latin1'), original.subarray(headEnd)]);
}

const SPLICE_DIR = new URL('test/fixtures/sip/splice/', REPO_ROOT);

test('the corpus table lists every .sip fixture', (t) => {
  const files = readdirSync(SPLICE_DIR).filter((name) => name.endsWith('.sip'));
  t.deepEqual(files.sort(), Object.keys(CORPUS).sort());
});

for (const [name, changes] of Object.entries(CORPUS)) {
  test(`byte-exact: ${name} differs from its input by exactly the permitted edits`, (t) => {
    const original = fixture(`sip/splice/${name}`);
    const message = read(original);
    t.true(message.bytes.equals(original), 'the fixture is one whole message');
    let edits: ByteEdit[];
    if (message.kind === 'response') {
      const removed = removeFirstValue(message, 'via');
      t.truthy(removed);
      t.true(removed?.value.startsWith('SIP/2.0/UDP 203.0.113.9:5060;') ?? false, 'our Via was on top');
      edits = removed === null ? [] : [removed.edit];
    } else {
      edits = requestEdits(message);
    }
    const output = applyEdits(message.bytes, edits);
    const expected = expectedOutput(original, changes);
    t.true(
      output.equals(expected),
      `got:\n${output.toString('latin1')}\nexpected:\n${expected.toString('latin1')}`,
    );
    // Still one message, with the same body and framing as received.
    const reread = read(output);
    t.true(reread.body.equals(message.body));
    t.is(reread.contentLength, message.contentLength);
    t.deepEqual(
      reread.problems.map((problem) => problem.code),
      message.problems.map((problem) => problem.code),
    );
  });

  test(`round trip: ${name} with our Via inserted, then removed, is the input again`, (t) => {
    const original = fixture(`sip/splice/${name}`);
    const message = read(original);
    const withVia = read(applyEdits(message.bytes, [insertHeaderLines(message, 'via', [OUR_VIA])]));
    t.is(withVia.topVia?.branch, 'z9hG4bK-tg-7c1e');
    const removed = removeFirstValue(withVia, 'via');
    t.is(removed?.value, OUR_VIA_VALUE);
    t.true(applyEdits(withVia.bytes, removed === null ? [] : [removed.edit]).equals(original));
  });
}
