#!/usr/bin/env node
// Prints the README's table of finding codes from the catalogue (run after `npm run build`).
// README.md is checked against the catalogue by test/policy/codes.test.ts.
import { FINDING_CODES } from '../dist/src/policy/codes.js';

console.log('| code | default severity | meaning | basis |');
console.log('| --- | --- | --- | --- |');
for (const [code, info] of Object.entries(FINDING_CODES)) {
  console.log(`| \`${code}\` | ${info.severity} | ${info.meaning} | ${info.basis} |`);
}
