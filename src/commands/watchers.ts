/**
 * What watches a running source of SIP (the proxy, the HEP collector), the same for both: the
 * log, the recent-calls store, metrics and media endpoints behind the HTTP API and dashboard, and
 * the negotiation log. Created before the source, closed after it, in this order, so that no
 * finding the source produces is lost.
 */
import { isIP } from 'node:net';
import type { ApiProxyView } from '../api/context.js';
import { type ApiServer, startApiServer } from '../api/server.js';
import type { JudgeConfig } from '../policy/profile.js';
import type { ProxyObserver } from '../proxy/observer.js';
import type { HttpSettings, LogSettings, RecentCallsSettings } from '../proxy/settings.js';
import { closeLogger, createLogger, logEvent, type ProxyLogger } from '../report/logger.js';
import { MediaEndpoints } from '../report/media-endpoints.js';
import { Metrics } from '../report/metrics.js';
import { NegotiationLog } from '../report/negotiation-log.js';
import { RecentCalls } from '../report/recent-calls.js';

export interface WatchedSettings {
  readonly judge: JudgeConfig;
  readonly log: LogSettings;
  readonly recentCalls: RecentCallsSettings;
  readonly http: HttpSettings | null;
}

export class Watchers {
  readonly logger: ProxyLogger;
  readonly store: RecentCalls;
  readonly metrics = new Metrics();
  readonly mediaEndpoints: MediaEndpoints;
  readonly negotiations: NegotiationLog | null;
  /** What the source reports every judged message, call and problem to. */
  readonly observers: readonly ProxyObserver[];
  #api: ApiServer | null = null;

  /** Throws (a clear start-up error) when the negotiation log's secret cannot be read or made. */
  constructor(readonly settings: WatchedSettings) {
    this.logger = createLogger(settings.log);
    this.store = new RecentCalls(settings.recentCalls);
    this.mediaEndpoints = new MediaEndpoints(settings.judge.profile);
    try {
      this.negotiations = settings.log.negotiations
        ? new NegotiationLog(settings.log.negotiations, { logger: this.logger })
        : null;
    } catch (error) {
      void closeLogger(this.logger);
      throw new Error(`negotiation log: ${messageOf(error)}`);
    }
    this.observers = [
      this.metrics,
      this.store,
      this.mediaEndpoints,
      ...(this.negotiations ? [this.negotiations] : []),
    ];
  }

  /** Starts the HTTP API and dashboard when configured; logs where, and warns when it is exposed without a token. */
  async startHttp(source: ApiProxyView): Promise<void> {
    const http = this.settings.http;
    if (http === null) return;
    try {
      this.#api = await startApiServer({
        settings: http,
        proxy: source,
        store: this.store,
        metrics: this.metrics,
        mediaEndpoints: this.mediaEndpoints,
        judgeConfig: this.settings.judge,
      });
    } catch (error) {
      throw new Error(`the HTTP API on ${http.host}:${http.port}: ${messageOf(error)}`);
    }
    const { host, port } = this.#api.address;
    const server = { address: host, port };
    logEvent(
      this.logger,
      'info',
      'http-listening',
      `HTTP API and dashboard on http://${urlHost(host)}:${port}/`,
      {
        server,
      },
    );
    // An API open beyond this machine without a token shows every call's numbers and media.
    if (!isLoopback(host) && http.token === null) {
      const text = `the HTTP API listens on ${host} without a token (http.token)`;
      logEvent(this.logger, 'warn', 'http-unprotected', text, { server });
    }
  }

  /** After the source stopped: the negotiation log, the HTTP server, then the log, flushed. */
  async close(): Promise<void> {
    await this.negotiations?.close();
    await this.#api?.close().catch(() => undefined);
    await closeLogger(this.logger);
  }
}

/** Resolves with the signal that asks the process to stop (SIGTERM, or SIGINT: Ctrl-C). */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
