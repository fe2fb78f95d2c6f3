/**
 * Bearer token (RFC 6750 §2.1) on everything but the routes marked public (health and the
 * dashboard's static files: the page holds no data, every API call it makes needs the token).
 * The comparison takes the same time whatever the token given (RFC 6750 §5.3 leaves it to us):
 * both sides are hashed first, so even the length does not show.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed (health, the dashboard's static files). */
    public?: boolean;
  }
}

const BEARER = /^Bearer +(\S+) *$/i;

export const WWW_AUTHENTICATE = 'Bearer realm="trunkguard"';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Whether an Authorization header value carries exactly this token. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header === undefined ? null : BEARER.exec(header)?.[1];
  // Hashed even when absent, so a missing header costs what a wrong one does.
  const equal = timingSafeEqual(digest(given ?? ''), digest(token));
  return given != null && equal;
}

/** An onRequest hook: 401 unless the route is public or the request carries the token. */
export function requireBearer(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.routeOptions.config?.public === true) return;
    if (bearerMatches(request.headers.authorization, token)) return;
    await reply
      .code(401)
      .header('www-authenticate', WWW_AUTHENTICATE)
      .header('cache-control', 'no-store')
      .send({ error: 'unauthorized', message: 'this resource needs Authorization: Bearer <token>' });
  };
}
