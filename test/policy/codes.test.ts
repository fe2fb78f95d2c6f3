import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { ALL_CHECKS } from '../../src/policy/checks/index.js';
import { ALL_CODES, FINDING_CODES, isFindingCode } from '../../src/policy/codes.js';

const root = new URL('../../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

test('README lists every finding code with its default severity', (t) => {
  for (const code of ALL_CODES) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    t.truthy(row, `README has no table row for ${code}`);
    t.true(
      row?.includes(`| ${FINDING_CODES[code].severity} |`),
      `README row for ${code} lacks severity ${FINDING_CODES[code].severity}`,
    );
  }
});

test('README lists no code the catalogue does not know', (t) => {
  const listed = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((match) => match[1] ?? '');
  t.true(listed.length >= ALL_CODES.length);
  for (const code of listed) t.true(isFindingCode(code), `README lists unknown code ${code}`);
});

test('codes are kebab-case and each cites its basis', (t) => {
  for (const code of ALL_CODES) {
    t.regex(code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    t.true(FINDING_CODES[code].basis.length > 0);
  }
});

test('every check file cites the RFC section or carrier document it enforces', (t) => {
  const folder = new URL('src/policy/checks/', root);
  const files = readdirSync(folder).filter(
    (file) => file.endsWith('.ts') && file !== 'index.ts' && !file.includes('helpers'),
  );
  t.true(files.length >= 10, `only ${files.length} check files`);
  for (const file of files) {
    const source = readFileSync(new URL(file, folder), 'utf8');
    t.regex(
      source,
      /RFC \d{4}|draft-ietf-[a-z-]+|carrier|Twilio|profile|policy/i,
      `${file} cites no RFC or carrier source`,
    );
  }
});

test('every check has a one-line comment above it citing its RFC section or carrier document', (t) => {
  const folder = new URL('src/policy/checks/', root);
  let checks = 0;
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const lines = readFileSync(new URL(file, folder), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/^export const \w+: Check = \{$/.test(line)) return;
      checks++;
      t.regex(
        lines[i - 1] ?? '',
        /^\/\/ .*(RFC \d{4}|draft-ietf-[a-z-]+|[Cc]arrier profile)/,
        `${file}:${i + 1}: no citing comment above ${line}`,
      );
    });
  }
  t.is(checks, ALL_CHECKS.length, 'every check the judge runs was found');
});
