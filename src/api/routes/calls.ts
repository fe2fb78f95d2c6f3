/**
 * `GET /api/calls?limit=&state=&verdict=`: recent calls, newest first, without their ladders.
 * `GET /api/calls/:callId`: one call with its ladder (the Call-ID percent-encoded in the path).
 */
import type { FastifyInstance } from 'fastify';
import type { CallDetail, CallView } from '../../report/recent-calls.js';
import type { ApiContext } from '../context.js';
import { integer, oneOf, readQuery } from '../query.js';

export const CALLS_DEFAULT_LIMIT = 50;
export const CALLS_MAX_LIMIT = 500;

const CALLS_QUERY = {
  limit: integer(1, CALLS_MAX_LIMIT),
  state: oneOf(['active', 'ended'] as const),
  verdict: oneOf(['ok', 'warn', 'fail'] as const),
};

export interface CallsResponse {
  readonly calls: readonly CallView[];
  /** Calls in the store matching the filter (before the limit). */
  readonly total: number;
}

export interface CallResponse {
  readonly call: CallDetail;
}

export function registerCallRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/calls', async (request): Promise<CallsResponse> => {
    const query = readQuery(request.query, CALLS_QUERY);
    return context.store.calls({
      limit: query.limit ?? CALLS_DEFAULT_LIMIT,
      ...(query.state && { state: query.state }),
      ...(query.verdict && { verdict: query.verdict }),
    });
  });

  app.get<{ Params: { callId: string } }>('/api/calls/:callId', async (request, reply) => {
    readQuery(request.query, {});
    const call = context.store.call(request.params.callId);
    if (call === null) {
      return reply.code(404).send({
        error: 'not-found',
        message: 'no such call among the recent calls (it may have been evicted)',
      });
    }
    return { call } satisfies CallResponse;
  });
}
