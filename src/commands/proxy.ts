/**
 * `trunkguard proxy`: runs the inline proxy until SIGTERM or SIGINT, with what watches it: the
 * recent-calls store and metrics behind the HTTP API and dashboard, and the negotiation log.
 *
 * Shutdown (SIGTERM): stop accepting SIP, close every socket, write a summary line for each call
 * still open, flush the negotiation log, close the HTTP server, flush the logs, exit 0. Findings
 * are logged as they are produced, so none is lost.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { startApiServer } from '../api/server.js';
import { loadProxySettings } from '../proxy/load-proxy-settings.js';
import type { ProxyObserver } from '../proxy/observer.js';
import type { TlsSettings } from '../proxy/settings.js';
import { SipProxy } from '../proxy/sip-proxy.js';
import type { TlsMaterial } from '../proxy/transports/stream-transport.js';
import { closeLogger, createLogger, logEvent } from '../report/logger.js';
import { MediaEndpoints } from '../report/media-endpoints.js';
import { Metrics } from '../report/metrics.js';
import { NegotiationLog } from '../report/negotiation-log.js';
import { RecentCalls } from '../report/recent-calls.js';
import type { CommandIo } from './command-io.js';
import { parseProxyArgs } from './proxy-args.js';

export async function runProxy(args: readonly string[], io: CommandIo): Promise<number> {
  const settings = await loadProxySettings(parseProxyArgs(args));
  const logger = createLogger(settings.log);
  const store = new RecentCalls(settings.recentCalls);
  const metrics = new Metrics();
  const mediaEndpoints = new MediaEndpoints(settings.judge.profile);
  let negotiations: NegotiationLog | null = null;
  let api: Awaited<ReturnType<typeof startApiServer>> | null = null;
  const observers: ProxyObserver[] = [metrics, store, mediaEndpoints];
  const failed = async (what: string, error: unknown) => {
    io.stderr(`trunkguard proxy: ${what}: ${error instanceof Error ? error.message : String(error)}`);
    await proxy.stop().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await negotiations?.close();
    await closeLogger(logger);
    return 2;
  };
  try {
    if (settings.log.negotiations) {
      negotiations = new NegotiationLog(settings.log.negotiations, { logger });
      observers.push(negotiations);
    }
  } catch (error) {
    io.stderr(
      `trunkguard proxy: cannot start: negotiation log: ${error instanceof Error ? error.message : String(error)}`,
    );
    await closeLogger(logger);
    return 2;
  }
  const proxy = new SipProxy(settings, logger, { observers });
  try {
    await proxy.start(tlsMaterial(settings.tls));
  } catch (error) {
    return failed('cannot start', error);
  }
  if (settings.http) {
    try {
      api = await startApiServer({
        settings: settings.http,
        proxy,
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
    // An API open beyond this machine without a token shows every call's numbers and media.
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
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logEvent(logger, 'info', 'stopping', `${signal}: stopping`, {});
  await proxy.stop();
  await negotiations?.close();
  await api?.close();
  await closeLogger(logger);
  return 0;
}

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Reads the PEM files once at start; a missing file is a clear start-up error. */
function tlsMaterial(tls: TlsSettings): TlsMaterial {
  const read = (file: string | null, what: string) => {
    if (file === null) return null;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(
        `cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  };
  return {
    cert: read(tls.certFile, 'certificate'),
    key: read(tls.keyFile, 'key'),
    ca: read(tls.caFile, 'CA bundle'),
    verifyPeer: tls.verifyPeer,
    minVersion: tls.minVersion,
  };
}
