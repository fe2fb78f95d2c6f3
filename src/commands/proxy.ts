/**
 * `trunkguard proxy`: runs the inline proxy until SIGTERM or SIGINT, with what watches it: the
 * recent-calls store and metrics behind the HTTP API and dashboard, and the negotiation log.
 *
 * Shutdown (SIGTERM): stop accepting SIP, close every socket, write a summary line for each call
 * still open, flush the negotiation log, close the HTTP server, flush the logs, exit 0. Findings
 * are logged as they are produced, so none is lost.
 *
 * SIGHUP re-reads the proxy.tls files (certificate, key, CA bundle): TLS connections accepted or
 * opened from then on use them; open connections and UDP traffic are untouched. A reload that
 * fails is logged (`tls-reload-failed`) and the proxy keeps serving the old certificate.
 */
import { loadProxySettings } from '../proxy/load-proxy-settings.js';
import type { TlsSettings } from '../proxy/settings.js';
import { SipProxy } from '../proxy/sip-proxy.js';
import { ReloadableTls, readTlsMaterial, summarizeCertificate } from '../proxy/transports/tls-material.js';
import { logEvent, type ProxyLogger } from '../report/logger.js';
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
  let tls: ReloadableTls;
  try {
    tls = new ReloadableTls(readTlsMaterial(settings.tls));
    await proxy.start(tls);
    await watchers.startHttp(proxy);
  } catch (error) {
    io.stderr(`trunkguard proxy: cannot start: ${messageOf(error)}`);
    await proxy.stop().catch(() => undefined);
    await watchers.close();
    return 2;
  }
  const reload = () => reloadTls(tls, settings.tls, watchers.logger);
  process.on('SIGHUP', reload);
  const signal = await stopSignal();
  process.off('SIGHUP', reload);
  logEvent(watchers.logger, 'info', 'stopping', `${signal}: stopping`, {});
  await proxy.stop();
  await watchers.close();
  return 0;
}

/** SIGHUP: the proxy.tls files again; on any problem the old material stays in use. */
function reloadTls(tls: ReloadableTls, files: TlsSettings, logger: ProxyLogger): void {
  try {
    const material = readTlsMaterial(files);
    tls.replace(material);
    const certificate = material.cert === null ? null : summarizeCertificate(material.cert);
    logEvent(
      logger,
      'info',
      'tls-reloaded',
      certificate === null
        ? 'SIGHUP: TLS files reloaded (no certificate configured)'
        : `SIGHUP: TLS files reloaded, serving ${certificate.subject}`,
      {
        ...(certificate === null
          ? {}
          : {
              tls: {
                server: {
                  subject: certificate.subject,
                  issuer: certificate.issuer,
                  hash: { sha256: certificate.fingerprint },
                  not_before: certificate.validFrom,
                  not_after: certificate.validTo,
                },
              },
            }),
        trunkguard: { cert_file: files.certFile, key_file: files.keyFile, ca_file: files.caFile },
      },
    );
  } catch (error) {
    logEvent(
      logger,
      'error',
      'tls-reload-failed',
      `SIGHUP: TLS files not reloaded, the previous certificate stays in use: ${messageOf(error)}`,
      {
        error: { message: messageOf(error) },
        trunkguard: { cert_file: files.certFile, key_file: files.keyFile, ca_file: files.caFile },
      },
    );
  }
}
