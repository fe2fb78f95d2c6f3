/** `GET /metrics`: Prometheus text exposition of the proxy's metrics (src/report/metrics.ts). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { readQuery } from '../query.js';

export function registerMetricsRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/metrics', async (request, reply) => {
    readQuery(request.query, {});
    const text = await context.metrics.text();
    return reply.header('content-type', context.metrics.contentType).send(text);
  });
}
