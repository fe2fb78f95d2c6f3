/** `GET /api/status`: the proxy's counters and the recent-calls store's size, for the dashboard's header. */
import type { FastifyInstance } from 'fastify';
import type { RecentCallsStats } from '../../report/recent-calls.js';
import type { ApiContext } from '../context.js';
import { readQuery } from '../query.js';
import type { ListenerView } from './health.js';

export interface StatusResponse {
  readonly uptimeSeconds: number;
  readonly profile: string;
  readonly listeners: readonly ListenerView[];
  /** received, forwarded, answered, dropped, findings, callsEnded since start. */
  readonly counters: Readonly<Record<string, number>>;
  readonly store: RecentCallsStats;
  /** Sources whose messages are being dropped (proxy.limits.flood.block). */
  readonly blockedSources: number;
}

export function registerStatusRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/api/status', async (request): Promise<StatusResponse> => {
    readQuery(request.query, {});
    return {
      uptimeSeconds: context.uptimeSeconds(),
      profile: context.judgeConfig.profile.name,
      listeners: context.listeners(),
      counters: { ...context.proxy.counters },
      store: context.store.stats(),
      blockedSources: context.proxy.blockedSources ?? 0,
    };
  });
}
