/**
 * A real API server on 127.0.0.1 and a free port, over a store and metrics fed with real calls,
 * a fake proxy view (listeners, counters) and a temporary dashboard folder with a secret file
 * beside it (for traversal attempts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../../src/api/server.js';
import { MediaEndpoints } from '../../src/report/media-endpoints.js';
import { Metrics } from '../../src/report/metrics.js';
import { RecentCalls } from '../../src/report/recent-calls.js';
import { CONFIG, ProxyDriver } from './call-fixture.js';

/** An error body: `{error, message}`, with `parameter` for bad-parameter. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly parameter?: string;
}

/** A response's JSON body, as the type the route declares. */
export async function json<T = ErrorBody>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export const SECRET_TEXT = 'this file sits beside the dashboard folder and must never be served';

export interface Served {
  readonly server: ApiServer;
  readonly base: string;
  readonly store: RecentCalls;
  readonly metrics: Metrics;
  readonly mediaEndpoints: MediaEndpoints;
  readonly driver: ProxyDriver;
  readonly dashboardDir: string;
  /** GET with node's fetch; `token` adds the Authorization header. */
  get(path: string, token?: string): Promise<Response>;
  /** GET with node:http, the path sent exactly as given (fetch would normalize `..`). */
  raw(path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly token?: string | null;
  /** Omit the dashboard folder (to see the 404 when it is missing). */
  readonly noDashboard?: boolean;
  /** Give no dashboardDir: the server looks in its default places. */
  readonly defaultDashboard?: boolean;
  readonly maxCalls?: number;
}

export async function serve(options: ServeOptions = {}): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), 'trunkguard-api-'));
  const dashboardDir = join(root, 'dashboard');
  writeFileSync(join(root, 'secret.txt'), SECRET_TEXT);
  if (!options.noDashboard) {
    mkdirSync(join(dashboardDir, 'img'), { recursive: true });
    writeFileSync(
      join(dashboardDir, 'index.html'),
      '<!doctype html><title>trunkguard</title><script src="/assets/app.js"></script>',
    );
    writeFileSync(join(dashboardDir, 'app.js'), 'console.log("dashboard");\n');
    writeFileSync(join(dashboardDir, 'style.css'), 'body { margin: 0; }\n');
    writeFileSync(join(dashboardDir, 'img', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dashboardDir, '.env'), SECRET_TEXT);
  }
  const store = new RecentCalls({ maxCalls: options.maxCalls ?? 1000, maxBytes: 50_000_000 });
  const metrics = new Metrics({ defaultMetrics: false });
  const mediaEndpoints = new MediaEndpoints(CONFIG.profile);
  const driver = new ProxyDriver(store, metrics, mediaEndpoints);
  const serverOptions: ApiServerOptions = {
    settings: { host: '127.0.0.1', port: 0, token: options.token ?? null },
    proxy: {
      listeners: [
        {
          transport: 'udp',
          side: 'auto',
          bound: { host: '0.0.0.0', port: 5060 },
          advertised: { host: '192.0.2.10', port: 5060 },
        },
        {
          transport: 'tls',
          side: 'carrier',
          bound: { host: '::', port: 5061 },
          advertised: { host: '2001:db8::10', port: 5061 },
        },
      ],
      counters: { received: 7, forwarded: 6, answered: 1, dropped: 0, findings: 2, callsEnded: 1 },
    },
    store,
    metrics,
    mediaEndpoints,
    judgeConfig: CONFIG,
    ...(!options.defaultDashboard && { dashboardDir }),
  };
  const server = await startApiServer(serverOptions);
  const base = `http://127.0.0.1:${server.address.port}`;
  return {
    server,
    base,
    store,
    metrics,
    mediaEndpoints,
    driver,
    dashboardDir,
    get: (path, token) =>
      fetch(`${base}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    raw: (path) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: server.address.port, path, method: 'GET' },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                headers: res.headers,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
