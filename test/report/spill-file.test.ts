import test from 'ava';
import { SpillFile } from '../../src/report/spill-file.js';

test('what is written comes back whole and in order, multibyte text across 1 MiB chunk edges included', (t) => {
  const spill = new SpillFile('t');
  t.true(spill.empty);
  const pieces: string[] = [];
  // 3-byte characters (€) so that 1 MiB read boundaries fall inside a character.
  for (let i = 0; i < 40_000; i++) pieces.push(`${i}:€€€ ✓ ${'x'.repeat(i % 50)}\n`);
  for (const piece of pieces) spill.write(piece);
  t.false(spill.empty);
  const out: string[] = [];
  spill.copyTo((text) => out.push(text));
  t.true(out.length > 1, 'read back in more than one piece');
  t.is(out.join(''), pieces.join(''));
  spill.dispose();
});

test('an empty spill copies nothing', (t) => {
  const spill = new SpillFile('t');
  const out: string[] = [];
  spill.copyTo((text) => out.push(text));
  t.deepEqual(out, []);
  spill.dispose();
});

test('copyBytesTo gives the UTF-8 bytes of what was written; texts larger than the write buffer keep their place', (t) => {
  const spill = new SpillFile('t');
  const pieces: string[] = [];
  for (let i = 0; i < 3000; i++) {
    // Now and then a text too large for the 64 KiB write buffer, between small ones.
    pieces.push(i % 500 === 250 ? `${i}:${'€'.repeat(70_000)}\n` : `${i}:€ ✓ 𝄞 ${'y'.repeat(i % 70)}\n`);
  }
  for (const piece of pieces) spill.write(piece);
  const chunks: Buffer[] = [];
  spill.copyBytesTo((bytes) => chunks.push(bytes));
  t.true(chunks.length > 1, 'read back in more than one piece');
  t.true(Buffer.concat(chunks).equals(Buffer.from(pieces.join(''), 'utf8')));
  const text: string[] = [];
  spill.copyTo((piece) => text.push(piece));
  t.is(text.join(''), pieces.join(''), 'and the same again as text');
  spill.dispose();
});
