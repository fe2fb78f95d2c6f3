/**
 * Reads SDP fixtures relative to the repository root (tests run from dist/test/sdp/).
 */
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../../', import.meta.url);
const sdpFixtures = new URL('test/fixtures/sdp/', root);

/** A fixture's text, e.g. `readSdpFixture('rfc4317/2.2-answer.sdp')`. */
export function readSdpFixture(path: string): string {
  return readFileSync(new URL(path, sdpFixtures), 'utf8');
}

/** Every `.sdp` file under test/fixtures/sdp/<folder>/ (or all folders), as paths relative to it. */
export function listSdpFixtures(folder?: string): string[] {
  const folders =
    folder === undefined
      ? readdirSync(sdpFixtures, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
      : [folder];
  return folders
    .flatMap((name) => readdirSync(new URL(`${name}/`, sdpFixtures)).map((file) => `${name}/${file}`))
    .filter((path) => path.endsWith('.sdp'))
    .sort();
}

/** The shared-corpus part of the fixtures (everything but crafted/). */
export function listCorpusSdps(): string[] {
  return listSdpFixtures().filter((path) => !path.startsWith('crafted/'));
}

/** Every string anywhere inside a value (containsSdesKey reads text, not JSON). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
