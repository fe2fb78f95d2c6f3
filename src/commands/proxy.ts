/**
 * `trunkguard proxy`: runs the inline proxy until SIGTERM or SIGINT.
 *
 * Shutdown (SIGTERM): stop accepting, close every socket, write a summary line for each call
 * still open, flush the logs, exit 0. Findings are logged as they are produced, so none is lost.
 */
import { readFileSync } from 'node:fs';
import { loadProxySettings } from '../proxy/load-proxy-settings.js';
import type { TlsSettings } from '../proxy/settings.js';
import { SipProxy } from '../proxy/sip-proxy.js';
import type { TlsMaterial } from '../proxy/transports/stream-transport.js';
import { closeLogger, createLogger } from '../report/logger.js';
import type { CommandIo } from './command-io.js';
import { parseProxyArgs } from './proxy-args.js';

export async function runProxy(args: readonly string[], io: CommandIo): Promise<number> {
  const settings = await loadProxySettings(parseProxyArgs(args));
  const logger = createLogger(settings.log);
  const proxy = new SipProxy(settings, logger);
  try {
    await proxy.start(tlsMaterial(settings.tls));
  } catch (error) {
    io.stderr(`trunkguard proxy: cannot start: ${error instanceof Error ? error.message : String(error)}`);
    await proxy.stop().catch(() => undefined);
    await closeLogger(logger);
    return 2;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info(`${signal}: stopping`, { event: 'stopping', signal });
  await proxy.stop();
  await closeLogger(logger);
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
