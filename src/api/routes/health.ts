/** `GET /healthz` (no token): the process is up, and what it listens on. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

export interface ListenerView {
  readonly transport: string;
  readonly host: string;
  readonly port: number;
  readonly side: string;
  /** `host:port` our Via and Record-Route carry for it. */
  readonly advertised: string;
}

export interface HealthView {
  readonly status: 'ok';
  readonly uptimeSeconds: number;
  readonly listeners: readonly ListenerView[];
}

export function registerHealthRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/healthz', { config: { public: true } }, async (): Promise<HealthView> => {
    return { status: 'ok', uptimeSeconds: context.uptimeSeconds(), listeners: context.listeners() };
  });
}
