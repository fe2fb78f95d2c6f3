/**
 * Where the shipped rules and config live. Compiled, this file is
 * `dist/src/policy/load-paths.js`, so the repository (or installed package) root is three
 * levels up; `rules/` and `config/` ship beside `dist/` (package.json "files").
 */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The shipped carrier profiles. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../../rules/', import.meta.url));

/** The shipped default config. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../../config/trunkguard.yaml', import.meta.url));
