/**
 * The HTTP API and dashboard (fastify): health, Prometheus metrics, recent calls and findings,
 * the loaded profile, and the dashboard's static files.
 *
 *   GET /healthz                      no token: status, uptime, listeners
 *   GET /metrics                      Prometheus text
 *   GET /api/calls                    ?limit=1-500 (50) &state=active|ended &verdict=ok|warn|fail
 *   GET /api/calls/:callId            one call with its ladder; 404 when not (or no longer) kept
 *   GET /api/findings                 ?code= &severity=(minimum) &side= &since= &limit=1-500 (100) &cursor=
 *   GET /api/profiles                 the carrier profile and policy, facts with sources
 *   GET /api/status                   the proxy's counters and the store's size
 *   GET /api/media-endpoints          the carrier's media prefixes (/24, /48), inside or outside its ranges
 *   GET / , GET /assets/*             no token: the dashboard's files
 *
 * With `http.token` set, everything but /healthz and the dashboard's files needs
 * `Authorization: Bearer <token>` (401 with `WWW-Authenticate: Bearer realm="trunkguard"`).
 * Errors are JSON `{error, message}` (`bad-parameter` adds `parameter`); API responses carry
 * `cache-control: no-store`. Nothing served holds SDES key material: findings are redacted by the
 * judge and the store keeps suite names only.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { JudgeConfig } from '../policy/profile.js';
import type { HttpSettings } from '../proxy/settings.js';
import type { MediaEndpoints } from '../report/media-endpoints.js';
import type { Metrics } from '../report/metrics.js';
import type { RecentCalls } from '../report/recent-calls.js';
import { formatEndpoint } from '../sip/envelope.js';
import { requireBearer } from './auth.js';
import type { ApiContext, ApiProxyView } from './context.js';
import { BadParameter, quote } from './query.js';
import { registerCallRoutes } from './routes/calls.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerFindingRoutes } from './routes/findings.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMediaEndpointRoutes } from './routes/media-endpoints.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerProfileRoutes } from './routes/profiles.js';
import { registerStatusRoutes } from './routes/status.js';

export type { ApiProxyView } from './context.js';

export interface ApiServerOptions {
  readonly settings: HttpSettings;
  /** The running proxy (its `listeners` and `counters`). */
  readonly proxy: ApiProxyView;
  readonly store: RecentCalls;
  readonly metrics: Metrics;
  readonly judgeConfig: JudgeConfig;
  /** The carrier media endpoints behind /api/media-endpoints; without it the route answers an empty list. */
  readonly mediaEndpoints?: MediaEndpoints;
  /** Folder of the dashboard's files; default: src/api/dashboard/ of this installation. */
  readonly dashboardDir?: string;
}

export interface ApiServer {
  /** Where it listens (the port the system chose when settings.port is 0). */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Builds the fastify app without listening. */
export function buildApiApp(options: ApiServerOptions): FastifyInstance {
  const started = performance.now();
  const context: ApiContext = {
    proxy: options.proxy,
    store: options.store,
    metrics: options.metrics,
    judgeConfig: options.judgeConfig,
    mediaEndpoints: options.mediaEndpoints ?? null,
    dashboardDir: options.dashboardDir ?? null,
    uptimeSeconds: () => Math.floor((performance.now() - started) / 1000),
    listeners: () =>
      options.proxy.listeners.map((listener) => ({
        transport: listener.transport,
        host: listener.bound.host,
        port: listener.bound.port,
        side: listener.side,
        advertised: formatEndpoint(listener.advertised),
      })),
  };

  const app = Fastify({
    logger: false,
    // Call-IDs are path parameters; RFC 3261 sets no length, real ones stay well under this.
    routerOptions: { maxParamLength: 1024 },
    bodyLimit: 16 * 1024,
    requestTimeout: 30_000,
    forceCloseConnections: true,
    // The router's own refusals (a malformed percent-encoding, a too long parameter) in our shape.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .code(400)
        .header('cache-control', 'no-store')
        .send({ error: 'bad-request', message: error.message });
    },
  });

  if (options.settings.token !== null) app.addHook('onRequest', requireBearer(options.settings.token));
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  app.setErrorHandler(async (error: FastifyError | BadParameter, _request, reply) => {
    if (error instanceof BadParameter) {
      return reply
        .code(400)
        .send({ error: 'bad-parameter', parameter: error.parameter, message: error.message });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: 'bad-request', message: error.message });
    return reply.code(500).send({ error: 'internal-error', message: 'internal error' });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: 'not-found',
      message: `no resource ${request.method} ${quote(request.url.split('?')[0] ?? '')}`,
    }),
  );

  registerHealthRoutes(app, context);
  registerMetricsRoutes(app, context);
  registerCallRoutes(app, context);
  registerFindingRoutes(app, context);
  registerProfileRoutes(app, context);
  registerStatusRoutes(app, context);
  registerMediaEndpointRoutes(app, context);
  registerDashboardRoutes(app, context);
  return app;
}

/** Builds the app and listens on settings.host:port. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const app = buildApiApp(options);
  try {
    await app.listen({ host: options.settings.host, port: options.settings.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const bound = app.server.address() as AddressInfo;
  return {
    address: { host: bound.address, port: bound.port },
    close: async () => {
      await app.close();
    },
  };
}
