/**
 * The dashboard's static files: `GET /` is its `index.html`, `GET /assets/<path>` the file
 * `<path>` in the same folder. Public (no token): the page holds no data; each API call it makes
 * sends the token, which it asks for after a 401 and keeps in sessionStorage.
 *
 * Only regular files inside the folder are served: `..`, dot-files, backslashes and NUL are
 * refused before the path is resolved, and the resolved real path (symlinks followed) must still
 * be inside the folder's real path.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../context.js';

/** Where the dashboard is looked for when no folder is given: next to this module, then in the repo's src/. */
export const DEFAULT_DASHBOARD_DIRS: readonly string[] = [
  fileURLToPath(new URL('../dashboard/', import.meta.url)),
  fileURLToPath(new URL('../../../../src/api/dashboard/', import.meta.url)),
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page shows what peers sent (Call-IDs, evidence lines): nothing it shows may run. Scripts and
 * styles come from files of the dashboard only, never inline.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Dashboard files are small; anything bigger is not one of them. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The folder to serve from, or null when there is none (checked per request: it may appear later). */
async function dashboardRoot(context: ApiContext): Promise<string | null> {
  const candidates = context.dashboardDir !== null ? [resolve(context.dashboardDir)] : DEFAULT_DASHBOARD_DIRS;
  for (const candidate of candidates) if (await isDirectory(candidate)) return candidate;
  return null;
}

/** The relative path's segments when every one is an ordinary name, else null. */
function safeSegments(relative: string): string[] | null {
  if (relative === '' || relative.length > 512 || /[\\\0]/.test(relative)) return null;
  const segments = relative.split('/');
  for (const segment of segments) {
    if (segment === '' || segment.startsWith('.')) return null; // also `.` and `..`
  }
  return segments;
}

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').send({ error: 'not-found', message });
}

async function serveFile(context: ApiContext, relative: string, reply: FastifyReply): Promise<FastifyReply> {
  const root = await dashboardRoot(context);
  if (root === null) return notFound(reply, 'the dashboard is not installed on this server');
  const segments = safeSegments(relative);
  if (segments === null) return notFound(reply, 'no such file');
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, ...segments));
    if (!real.startsWith(realRoot + sep)) return notFound(reply, 'no such file');
    const info = await stat(real);
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return notFound(reply, 'no such file');
    const body = await readFile(real);
    const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
    reply.header('content-type', type).header('cache-control', 'no-cache');
    if (type.startsWith('text/html')) reply.header('content-security-policy', DASHBOARD_CSP);
    return reply.send(body);
  } catch {
    return notFound(reply, 'no such file');
  }
}

export function registerDashboardRoutes(app: FastifyInstance, context: ApiContext): void {
  const options = { config: { public: true } };
  app.get('/', options, (_request, reply) => serveFile(context, 'index.html', reply));
  app.get<{ Params: { '*': string } }>('/assets/*', options, (request, reply) =>
    serveFile(context, request.params['*'], reply),
  );
}
