/**
 * `trunkguard proxy`: runs the inline proxy until SIGTERM or SIGINT, with what watches it: the
 * recent-calls store and metrics behind the HTTP API and dashboard, and the negotiation log.
 *
 * Shutdown (SIGTERM): stop accepting SIP, close every socket, write a summary line for each call
 * still open, flush the negotiation log, close the HTTP server, flush the logs, exit 0. Findings
 * are logged as they are produced, so none is lost.
 */
import { readFileSync } from 'node:fs';
import { loadProxySettings } from '../proxy/load-proxy-settings.js';
import type { TlsSettings } from '../proxy/settings.js';
import { SipProxy } from '../proxy/sip-proxy.js';
import type { TlsMaterial } from '../proxy/transports/stream-transport.js';
import { logEvent } from '../report/logger.js';
import type { CommandIo } from './command-io.js';
import { parseProxyArgs } from './proxy-args.js';
import { messageOf, stopSignal, Watchers } from './watchers.js';

export async function runProxy(args: readonly string[], io: CommandIo): Promise<number> {
  const settings = await loadProxySettings(parseProxyArgs(args));
  let watchers: Watchers;
  try {
    watchers = new Watchers(settings);
  } catch (error) {
    io.stderr(`trunkguard proxy: cannot start: ${messageOf(error)}`);
    return 2;
  }
  const proxy = new SipProxy(settings, watchers.logger, { observers: watchers.observers });
  try {
    await proxy.start(tlsMaterial(settings.tls));
    await watchers.startHttp(proxy);
  } catch (error) {
    io.stderr(`trunkguard proxy: cannot start: ${messageOf(error)}`);
    await proxy.stop().catch(() => undefined);
    await watchers.close();
    return 2;
  }
  const signal = await stopSignal();
  logEvent(watchers.logger, 'info', 'stopping', `${signal}: stopping`, {});
  await proxy.stop();
  await watchers.close();
  return 0;
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
