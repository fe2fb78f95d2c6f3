/**
 * Query parameters of the API: each route names the parameters it takes and how to read each one;
 * anything else, a repeated parameter or a value that does not read is a 400 that names the
 * parameter and quotes what was given:
 *
 *   {"error":"bad-parameter","parameter":"limit","message":"limit must be an integer 1-500, got \"abc\""}
 */
import { type FindingCode, isFindingCode, isSeverity, type Severity } from '../policy/codes.js';

export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadParameter';
  }
}

/** Reads one parameter's text; throws BadParameter (through `bad`) when it does not read. */
export type ParamReader<T> = (text: string, name: string) => T;

export type ParamSpec = Readonly<Record<string, ParamReader<unknown>>>;

export type QueryValues<S extends ParamSpec> = { -readonly [K in keyof S]?: ReturnType<S[K]> };

/** The longest piece of a given value quoted back in an error message. */
const MAX_QUOTED = 80;

/** `"abc"` as JSON would write it, cut to MAX_QUOTED characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

export function bad(name: string, expected: string, text: string): never {
  throw new BadParameter(name, `${name} must be ${expected}, got ${quote(text)}`);
}

/**
 * Reads a route's query object (fastify's parsed query string) against its spec. Parameters not
 * given are absent from the result; readers supply defaults at the call site.
 */
export function readQuery<S extends ParamSpec>(query: unknown, spec: S): QueryValues<S> {
  const given = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(spec, name));
  if (unknown.length > 0) {
    const expected = Object.keys(spec);
    const names = unknown.map((name) => quote(name)).join(', ');
    throw new BadParameter(
      unknown[0]!,
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${names} (${
        expected.length === 0 ? 'this resource takes none' : `expected ${expected.join(', ')}`
      })`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (Array.isArray(value)) throw new BadParameter(name, `${name} given more than once`);
    values[name] = spec[name]!(typeof value === 'string' ? value : String(value), name);
  }
  return values as QueryValues<S>;
}

// ---- readers -------------------------------------------------------------------------------------

export function integer(min: number, max: number): ParamReader<number> {
  return (text, name) => {
    const value = /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) bad(name, `an integer ${min}-${max}`, text);
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): ParamReader<T> {
  return (text, name) => {
    if (!(values as readonly string[]).includes(text)) bad(name, `one of ${values.join(', ')}`, text);
    return text as T;
  };
}

export const findingCode: ParamReader<FindingCode> = (text, name) => {
  if (!isFindingCode(text)) bad(name, 'a finding code (see the README, e.g. media-ip-out-of-range)', text);
  return text;
};

export const severity: ParamReader<Severity> = (text, name) => {
  if (!isSeverity(text)) bad(name, 'one of info, low, medium, high, critical', text);
  return text;
};

/**
 * An ISO-8601 date (`2026-11-28`, midnight UTC) or date-time with a zone (`Z` or `±hh:mm`): a time
 * without a zone would be read in the server's zone, which the caller cannot know. Epoch ms.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

export const isoTime: ParamReader<number> = (text, name) => {
  const time = ISO_TIME.test(text) ? Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : Number.NaN;
  if (!Number.isFinite(time)) bad(name, 'an ISO-8601 time with a zone, e.g. 2026-11-28T10:00:00Z', text);
  return time;
};

/** Pagination cursors: opaque to clients (base64url of a position). */
export function encodeCursor(position: number): string {
  return Buffer.from(`f${position}`, 'utf8').toString('base64url');
}

export const cursor: ParamReader<number> = (text, name) => {
  const decoded = /^[A-Za-z0-9_-]{1,24}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  const match = /^f(\d{1,15})$/.exec(decoded);
  if (!match) bad(name, 'the "next" value of a previous page', text);
  return Number(match[1]);
};
