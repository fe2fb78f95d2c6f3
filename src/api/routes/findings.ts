/**
 * `GET /api/findings?code=&severity=&side=&since=&limit=&cursor=`: the latest findings, newest
 * first. `severity` is a minimum (`high` gives high and critical); `cursor` is a previous page's
 * `next`, which is null on the last page.
 */
import type { FastifyInstance } from 'fastify';
import type { Finding } from '../../policy/finding.js';
import type { ApiContext } from '../context.js';
import { cursor, encodeCursor, findingCode, integer, isoTime, oneOf, readQuery, severity } from '../query.js';

export const FINDINGS_DEFAULT_LIMIT = 100;
export const FINDINGS_MAX_LIMIT = 500;

const FINDINGS_QUERY = {
  code: findingCode,
  severity,
  side: oneOf(['carrier', 'customer'] as const),
  since: isoTime,
  limit: integer(1, FINDINGS_MAX_LIMIT),
  cursor,
};

export interface FindingsResponse {
  readonly findings: readonly Finding[];
  readonly next: string | null;
}

export function registerFindingRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/findings', async (request): Promise<FindingsResponse> => {
    const query = readQuery(request.query, FINDINGS_QUERY);
    const page = context.store.findings({
      limit: query.limit ?? FINDINGS_DEFAULT_LIMIT,
      ...(query.code && { code: query.code }),
      ...(query.severity && { minSeverity: query.severity }),
      ...(query.side && { side: query.side }),
      ...(query.since !== undefined && { since: query.since }),
      ...(query.cursor !== undefined && { before: query.cursor }),
    });
    return { findings: page.findings, next: page.next === null ? null : encodeCursor(page.next) };
  });
}
