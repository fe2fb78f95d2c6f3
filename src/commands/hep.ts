/**
 * `trunkguard hep`: a HEPv3 collector. Judges the SIP that capture agents mirror to it, with the
 * proxy's logs, metrics, recent-calls store, HTTP API, dashboard and negotiation log, until
 * SIGTERM or SIGINT.
 *
 * Shutdown: close the HEP sockets, write a summary line for each call still open, flush the
 * negotiation log, close the HTTP server, flush the logs, exit 0.
 */
import { isIP } from 'node:net';
import { startApiServer } from '../api/server.js';
import { loadCollectorSettings } from '../proxy/load-proxy-settings.js';
import type { ProxyObserver } from '../proxy/observer.js';
import { closeLogger, createLogger, logEvent } from '../report/logger.js';
import { MediaEndpoints } from '../report/media-endpoints.js';
import { Metrics } from '../report/metrics.js';
import { NegotiationLog } from '../report/negotiation-log.js';
import { RecentCalls } from '../report/recent-calls.js';
import { HepCollector } from '../sources/hep/hep-collector.js';
import type { CommandIo } from './command-io.js';
import { parseHepArgs } from './hep-args.js';

export async function runHep(args: readonly string[], io: CommandIo): Promise<number> {
  const { listen, flags } = parseHepArgs(args);
  const settings = await loadCollectorSettings(flags);
  const logger = createLogger(settings.log);
  const store = new RecentCalls(settings.recentCalls);
  const metrics = new Metrics();
  const mediaEndpoints = new MediaEndpoints(settings.judge.profile);
  const observers: ProxyObserver[] = [metrics, store, mediaEndpoints];
  let negotiations: NegotiationLog | null = null;
  let api: Awaited<ReturnType<typeof startApiServer>> | null = null;
  try {
    if (settings.log.negotiations) {
      negotiations = new NegotiationLog(settings.log.negotiations, { logger });
      observers.push(negotiations);
    }
  } catch (error) {
    io.stderr(`trunkguard hep: cannot start: negotiation log: ${message(error)}`);
    await closeLogger(logger);
    return 2;
  }
  const collector = new HepCollector({
    judge: settings.judge,
    logger,
    observers,
    dialogs: settings.dialogs,
  });
  const failed = async (what: string, error: unknown) => {
    io.stderr(`trunkguard hep: ${what}: ${message(error)}`);
    await collector.stop().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await negotiations?.close();
    await closeLogger(logger);
    return 2;
  };
  if (settings.http) {
    try {
      api = await startApiServer({
        settings: settings.http,
        proxy: collector,
        store,
        metrics,
        mediaEndpoints,
        judgeConfig: settings.judge,
      });
    } catch (error) {
      return failed(`cannot start the HTTP API on ${settings.http.host}:${settings.http.port}`, error);
    }
    const { host, port } = api.address;
    logEvent(logger, 'info', 'http-listening', `HTTP API and dashboard on http://${urlHost(host)}:${port}/`, {
      server: { address: host, port },
    });
    if (!isLoopback(host) && settings.http.token === null)
      logEvent(
        logger,
        'warn',
        'http-unprotected',
        `the HTTP API listens on ${host} without a token (http.token)`,
        {
          server: { address: host, port },
        },
      );
  }
  // The HEP sockets last: `ready` (logged by start) means everything is up.
  try {
    await collector.start(listen);
  } catch (error) {
    return failed('cannot start', error);
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logEvent(logger, 'info', 'stopping', `${signal}: stopping`, {});
  await collector.stop();
  await negotiations?.close();
  await api?.close();
  await closeLogger(logger);
  return 0;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
