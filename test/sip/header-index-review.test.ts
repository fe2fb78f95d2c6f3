/**
 * Counting Via values must stay linear in the head: a search for the next ',' per Via line (from the
 * line to the end of the head, when no comma follows) made a datagram of thousands of short Via
 * lines cost hundreds of megabytes of scanning, as a colon-less flood once did (header-index.ts).
 * The work is measured by what the ',' searches walk (String.prototype.indexOf wrapped for this
 * file's only test), not by time.
 */
import test from 'ava';
import { readDatagram } from '../../src/sip/datagram.js';
import { DEFAULT_MESSAGE_LIMITS } from '../../src/sip/message-limits.js';
import { sipMessage } from './fixtures.js';

/** Characters the ',' searches walked while `run` ran (the whole rest of the text when none is found). */
function commaSearchWork(run: () => void): number {
  const original = String.prototype.indexOf;
  let walked = 0;
  String.prototype.indexOf = function (this: string, search: string, from?: number): number {
    const found = original.call(this, search, from);
    if (search === ',') {
      const start = Math.max(0, Math.min(from ?? 0, this.length));
      walked += found < 0 ? this.length - start : found - start + 1;
    }
    return found;
  };
  try {
    run();
  } finally {
    String.prototype.indexOf = original;
  }
  return walked;
}

test('Via values are counted with one pass over the head, whether on lines of their own or folded', (t) => {
  // No comma anywhere: every Via line (or folded Via line) holds one value.
  const lines = 3000;
  const ownLines = sipMessage(
    'OPTIONS sip:bob@biloxi.example.com SIP/2.0',
    Array.from({ length: lines }, (_, i) => `v: SIP/2.0/UDP h${i};branch=z9hG4bK${i}`),
  );
  const folded = sipMessage('OPTIONS sip:bob@biloxi.example.com SIP/2.0', [
    `Via: SIP/2.0/UDP h;branch=z9hG4bK0${Array.from({ length: lines - 1 }, () => '\r\n x').join('')}`,
  ]);
  for (const [what, bytes, values] of [
    ['own lines', ownLines, lines],
    ['folded', folded, 1],
  ] as const) {
    let result: ReturnType<typeof readDatagram> | undefined;
    const walked = commaSearchWork(() => {
      result = readDatagram(bytes, { limits: DEFAULT_MESSAGE_LIMITS });
    });
    t.true(
      walked <= 2 * bytes.length,
      `${what}: ${walked} characters searched for ',' in a ${bytes.length}-byte head`,
    );
    t.false(result?.ok, what);
    if (what === 'own lines' && result !== undefined && !result.ok) {
      t.is(result.limit, 'vias');
      t.true(result.reason.includes(`${values} Via header field values`), result.reason);
    }
  }
});
