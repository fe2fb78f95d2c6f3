/** Shared by the loader tests: where the broken YAML fixtures live, and the error one gives. */
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/policy/load-error.js';

const root = new URL('../../../', import.meta.url);

export function fixturePath(folder: 'config' | 'rules', name: string): string {
  return fileURLToPath(new URL(`test/fixtures/${folder}/${name}.yaml`, root));
}

/** The ConfigError that loading a fixture throws; fails the test when it loads cleanly. */
export function loadErrorOf(
  load: (file: string) => unknown,
  folder: 'config' | 'rules',
  name: string,
): ConfigError {
  try {
    load(fixturePath(folder, name));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${name}.yaml loaded without an error`);
}
