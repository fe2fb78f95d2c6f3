/**
 * Properties (fast-check) of the proxy's byte edits (src/sip/splice.ts), DESIGN.md principle 1,
 * bytes in = bytes out:
 * - our Via inserted into a request (as SipProxy#forwardRequest builds it, RFC 3261 §16.6
 *   item 8) and then removed again (as SipProxy#onResponse removes it, §16.7 item 3) gives back
 *   the original bytes exactly, whatever else was edited alongside;
 * - the Max-Forwards decrement (§16.6 item 3) touches only the digits of the Max-Forwards value.
 * The messages are generated heads with varied header order, name case, compact forms, folding,
 * several Vias (one per line or comma-separated), either line end, and arbitrary bodies.
 */
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { loopPartOfBranch, ourBranch } from '../../src/proxy/branch.js';
import { readDatagram } from '../../src/sip/datagram.js';
import type { SipMessage } from '../../src/sip/message.js';
import {
  applyEdits,
  type ByteEdit,
  insertHeaderLines,
  maxForwardsEdit,
  removeFirstValue,
} from '../../src/sip/splice.js';
import { messageOf } from './fixtures.js';

/** Where a generated field folds onto a continuation line: replaced by the message's line end. */
const EOL_MARK = '{EOL}';

/** A Request-URI user part that needs no %-escaping (RFC 3261 §25.1 unreserved). */
const user = fc.stringMatching(/^[a-z0-9][a-z0-9.+_-]{0,11}$/);
const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]{0,11}$/);
const host = fc.oneof(
  fc.ipV4(),
  fc.constantFrom('pbx.example.com', 'trunk.example.net', '[2001:db8::7]', 'a.b'),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
/** Whitespace after the colon or around a comma: none, spaces, a tab, or a fold (line end + SP/HT). */
const gap = fc.constantFrom('', ' ', '  ', '\t', ` ${EOL_MARK} `, `${EOL_MARK}\t`);

const viaValue = fc
  .record({
    transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'udp', 'SCTP', 'WS'),
    host,
    port,
    branch: token,
    extra: fc.constantFrom('', ';rport', ';received=192.0.2.7', ';alias', ';ttl=16;maddr=224.2.0.1'),
  })
  .map(
    ({ transport, host, port, branch, extra }) =>
      `SIP/2.0/${transport} ${host}${port === undefined ? '' : `:${port}`};branch=z9hG4bK${branch}${extra}`,
  );

/** A Via line with 1-3 comma-separated values, the name in any spelling. */
const viaField = fc
  .record({
    name: fc.constantFrom('Via', 'via', 'VIA', 'v', 'V', 'vIa'),
    before: gap,
    values: fc.array(fc.record({ value: viaValue, comma: fc.constantFrom(',', ' ,', ', ', ',\t') }), {
      minLength: 1,
      maxLength: 3,
    }),
    after: fc.constantFrom('', ' ', '\t'),
  })
  .map(({ name, before, values, after }) => ({
    text: `${name}:${before}${values.map((v, i) => (i === 0 ? v.value : `${v.comma}${v.value}`)).join('')}${after}`,
  }));

/** Max-Forwards 1-255, maybe with leading zeros, whitespace or a fold around it. */
const maxForwardsField = fc
  .record({
    name: fc.constantFrom('Max-Forwards', 'max-forwards', 'MAX-FORWARDS', 'Max-forwards'),
    before: gap,
    value: fc.integer({ min: 1, max: 255 }),
    zeros: fc.constantFrom('', '0', '00'),
    after: fc.constantFrom('', ' ', '\t'),
  })
  .map(({ name, before, value, zeros, after }) => ({
    value,
    field: { text: `${name}:${before}${zeros}${value}${after}` },
  }));

/** The other fields a request carries, in varied spellings. */
const otherField = fc.oneof(
  fc
    .tuple(fc.constantFrom('To', 't', 'TO'), gap, token)
    .map(([n, g, user]) => `${n}:${g}<sip:${user}@trunk.example.net>`),
  fc
    .tuple(fc.constantFrom('From', 'f', 'from'), gap, token, token)
    .map(([n, g, user, tag]) => `${n}:${g}"A, B" <sip:${user}@pbx.example.com>;tag=${tag}`),
  fc.tuple(fc.constantFrom('Call-ID', 'i', 'call-id'), gap, token).map(([n, g, id]) => `${n}:${g}${id}@h`),
  fc
    .tuple(fc.constantFrom('Contact', 'm'), gap, token)
    .map(([n, g, user]) => `${n}:${g}<sip:${user}@192.0.2.1:5060>;expires=60`),
  fc
    .tuple(fc.constantFrom('Record-Route', 'record-route'), gap)
    .map(([n, g]) => `${n}:${g}<sip:192.0.2.9;lr>,${EOL_MARK} <sip:198.51.100.3;lr>`),
  fc.tuple(fc.constantFrom('Route', 'ROUTE'), gap).map(([n, g]) => `${n}:${g}<sip:192.0.2.77;lr>`),
  fc.tuple(fc.constantFrom('Subject', 's'), gap, token).map(([n, g, s]) => `${n}:${g}${s}${EOL_MARK} more`),
  fc.tuple(fc.constantFrom('X-Custom', 'x-weird-Name'), gap, token).map(([n, g, v]) => `${n}:${g}${v}`),
  fc.constantFrom(
    'Supported: timer, 100rel',
    'k: replaces',
    'User-Agent: test/1.0 (x)',
    'Allow: INVITE, ACK',
  ),
);

const method = fc.constantFrom('INVITE', 'OPTIONS', 'REGISTER', 'MESSAGE', 'BYE', 'UPDATE', 'NOTIFY');

interface GeneratedRequest {
  readonly bytes: Buffer;
  /** The Max-Forwards value written, or null when the request has none. */
  readonly maxForwards: number | null;
}

/**
 * A request: start line, the fields shuffled (Vias keep their relative order: the reader must
 * see a top Via), Content-Length in any spelling with the right value, then the body.
 */
const request: fc.Arbitrary<GeneratedRequest> = fc
  .record({
    method,
    user,
    eol: fc.constantFrom('\r\n', '\n'),
    vias: fc.array(viaField, { minLength: 1, maxLength: 4 }),
    maxForwards: fc.option(maxForwardsField, { nil: undefined }),
    others: fc.array(otherField, { maxLength: 8 }),
    cseq: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    contentLengthName: fc.constantFrom('Content-Length', 'content-length', 'l', 'L'),
    body: fc.uint8Array({ maxLength: 300 }),
    bodyType: fc.constantFrom('application/sdp', 'text/plain', 'multipart/mixed;boundary=x'),
    // Where each non-Via field goes among the Vias: a sort key per field.
    order: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 }),
  })
  .map((g) => {
    const body = Buffer.from(g.body);
    const unordered: string[] = [
      ...g.others,
      `CSeq: ${g.cseq} ${g.method}`,
      `${g.contentLengthName}: ${body.length}`,
      ...(body.length > 0 ? [`Content-Type: ${g.bodyType}`] : []),
      ...(g.maxForwards === undefined ? [] : [g.maxForwards.field.text]),
    ];
    // The Vias in their order at evenly spread keys; the others at their generated keys.
    const keyed = [
      ...g.vias.map((via, i) => ({ key: (i + 0.5) / g.vias.length, text: via.text })),
      ...unordered.map((text, i) => ({ key: g.order[i % g.order.length] ?? 0, text })),
    ].sort((a, b) => a.key - b.key);
    const head = [`${g.method} sip:${g.user}@trunk.example.net SIP/2.0`, ...keyed.map((f) => f.text)]
      .map((line) => line.split(EOL_MARK).join(g.eol))
      .join(g.eol);
    return {
      bytes: Buffer.concat([Buffer.from(`${head}${g.eol}${g.eol}`, 'latin1'), body]),
      maxForwards: g.maxForwards?.value ?? null,
    };
  });

/** The listener our Via names: a transport, a sent-by, and the params SipProxy adds for it. */
const ourListener = fc.constantFrom(
  { transport: 'UDP', sentBy: '127.0.0.1:5060', params: ';rport' },
  { transport: 'TCP', sentBy: '203.0.113.9:5080', params: ';alias' },
  { transport: 'TLS', sentBy: '[2001:db8::1]:5061', params: '' },
);

/** Runs the property; on failure, the counterexample and the error it raised go to the test's message. */
function holds<Ts>(t: ExecutionContext, property: fc.IProperty<Ts>, numRuns: number): void {
  const details = fc.check(property, { numRuns });
  if (details.failed) t.fail(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
  else t.pass();
}

function read(bytes: Buffer): SipMessage {
  return messageOf(readDatagram(bytes));
}

/** Our Via line, built as SipProxy#forwardRequest builds it (the real branch function). */
function ourVia(message: SipMessage, listener: { transport: string; sentBy: string; params: string }) {
  const value = `SIP/2.0/${listener.transport} ${listener.sentBy};branch=${ourBranch(message).branch}${listener.params}`;
  return { line: `Via: ${value}`, value };
}

/**
 * The response path (SipProxy#onResponse): the top Via must be ours (our branch), and removing
 * its first value gives the bytes forwarded on. Returns them, with the value removed.
 */
function removeOurVia(bytes: Buffer): { bytes: Buffer; value: string; branch: string | null } {
  const message = read(bytes);
  const removal = removeFirstValue(message, 'via');
  if (removal === null) throw new Error('no Via to remove');
  return {
    bytes: applyEdits(message.bytes, [removal.edit]),
    value: removal.value,
    branch: message.topVia?.branch ?? null,
  };
}

/** The response a UAS sends: the request's header section (Vias as received), a status line. */
function asResponse(bytes: Buffer): Buffer {
  const lf = bytes.indexOf(0x0a);
  const cr = lf > 0 && bytes[lf - 1] === 0x0d ? 1 : 0;
  return Buffer.concat([Buffer.from('SIP/2.0 200 OK'), bytes.subarray(lf - cr)]);
}

test('our Via inserted into a request, then removed, gives back the original bytes exactly', (t) => {
  holds(
    t,
    fc.property(request, ourListener, (generated, listener) => {
      const original = read(generated.bytes);
      // The generated request is read whole (nothing cut off, no part left over).
      if (!original.bytes.equals(generated.bytes))
        throw new Error('the generated request was not read whole');
      const via = ourVia(original, listener);
      const forwarded = applyEdits(original.bytes, [insertHeaderLines(original, 'via', [via.line])]);
      // The next hop reads our Via on top, before every Via the request came with.
      const reread = read(forwarded);
      if (reread.headerValues('via')[0] !== via.value)
        throw new Error(`top Via is not ours: ${reread.headerValues('via')[0]}`);
      if (reread.headerValues('via').length !== original.headerValues('via').length + 1) {
        throw new Error('the Via count did not grow by one');
      }
      if (!reread.body.equals(original.body)) throw new Error('the body changed');

      // Removing it again (a request-shaped check, then as the UAS's response carries it).
      for (const bytes of [forwarded, asResponse(forwarded)]) {
        const back = removeOurVia(bytes);
        if (back.value !== via.value) throw new Error(`removed '${back.value}', not our Via`);
        if (loopPartOfBranch(back.branch) === null)
          throw new Error('the top Via branch is not recognised as ours');
        const expected = bytes === forwarded ? generated.bytes : asResponse(generated.bytes);
        if (!back.bytes.equals(expected)) {
          throw new Error(
            `not restored:\n${JSON.stringify(back.bytes.toString('latin1'))}\n${JSON.stringify(expected.toString('latin1'))}`,
          );
        }
      }
    }),
    1500,
  );
});

test('with every request edit applied, removing our Via undoes exactly the Via insert', (t) => {
  holds(
    t,
    fc.property(request, ourListener, fc.boolean(), (generated, listener, recordRoute) => {
      const original = read(generated.bytes);
      const via = ourVia(original, listener);
      const maxForwards = maxForwardsEdit(original);
      // The other edits, in SipProxy#forwardRequest's order: Max-Forwards, Record-Route, then Via.
      const others: ByteEdit[] = [];
      if (maxForwards.edit !== null) others.push(maxForwards.edit);
      if (recordRoute) {
        others.push(
          insertHeaderLines(original, 'record-route', [
            `Record-Route: <sip:${listener.sentBy};transport=${listener.transport.toLowerCase()};lr>`,
          ]),
        );
      }
      const forwarded = applyEdits(original.bytes, [
        ...others,
        insertHeaderLines(original, 'via', [via.line]),
      ]);
      const back = removeOurVia(forwarded);
      const expected = applyEdits(original.bytes, others);
      if (back.value !== via.value) throw new Error(`removed '${back.value}', not our Via`);
      if (!back.bytes.equals(expected)) {
        throw new Error(
          `not restored:\n${JSON.stringify(back.bytes.toString('latin1'))}\n${JSON.stringify(expected.toString('latin1'))}`,
        );
      }
    }),
    1500,
  );
});

test('the Max-Forwards decrement touches only the digits of the Max-Forwards value', (t) => {
  let decremented = 0;
  holds(
    t,
    fc.property(request, (generated) => {
      const original = read(generated.bytes);
      const { edit, value } = maxForwardsEdit(original);
      if (generated.maxForwards === null) {
        // Absent: RFC 3261 §16.6 item 3, one is added (with 70) before the first Via, nothing removed.
        const firstVia = original.headerFields('via')[0];
        if (value !== null || edit === null) throw new Error('absent Max-Forwards: expected an insert');
        if (edit.remove !== 0 || edit.at !== firstVia?.start)
          throw new Error('the insert is not before the first Via');
        return;
      }
      if (value !== generated.maxForwards || edit === null) {
        throw new Error(`read Max-Forwards ${value}, wrote ${generated.maxForwards}`);
      }
      decremented++;
      const field = original.headerFields('max-forwards')[0];
      if (field === undefined) throw new Error('no Max-Forwards field');
      const colon = original.bytes.indexOf(0x3a, field.start);
      // The replaced range lies inside the field's value, after its colon...
      if (edit.at <= colon || edit.at + edit.remove > field.end) throw new Error('the edit leaves the value');
      // ... and is exactly the digit run, replaced by the value less one.
      const replaced = original.bytes.toString('latin1', edit.at, edit.at + edit.remove);
      if (!/^[0-9]+$/.test(replaced) || Number(replaced) !== value) throw new Error(`replaced '${replaced}'`);
      const before = original.bytes[edit.at - 1];
      const after = original.bytes[edit.at + edit.remove];
      if ((before !== undefined && isDigit(before)) || (after !== undefined && isDigit(after))) {
        throw new Error('the edit cuts a digit run');
      }
      if (edit.insert !== String(value - 1)) throw new Error(`inserted '${edit.insert}'`);
      // Every other byte is as received.
      const output = applyEdits(original.bytes, [edit]);
      const shift = edit.insert.length - edit.remove;
      if (!output.subarray(0, edit.at).equals(original.bytes.subarray(0, edit.at)))
        throw new Error('prefix changed');
      if (
        !output.subarray(edit.at + edit.remove + shift).equals(original.bytes.subarray(edit.at + edit.remove))
      ) {
        throw new Error('suffix changed');
      }
      if (read(output).header('max-forwards')?.trim() !== String(value - 1)) throw new Error('re-read value');
    }),
    1500,
  );
  // The generator offers a Max-Forwards about half the time: the decrement path really ran.
  t.true(decremented > 100, `only ${decremented} requests had a Max-Forwards`);
});

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
