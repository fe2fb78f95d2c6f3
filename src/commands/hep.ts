/**
 * `trunkguard hep`: a HEPv3 collector. Judges the SIP that capture agents mirror to it, with the
 * proxy's logs, metrics, recent-calls store, HTTP API, dashboard and negotiation log, until
 * SIGTERM or SIGINT.
 *
 * Shutdown: close the HEP sockets, write a summary line for each call still open, flush the
 * negotiation log, close the HTTP server, flush the logs, exit 0.
 */
import { loadCollectorSettings } from '../proxy/load-proxy-settings.js';
import { logEvent } from '../report/logger.js';
import { HepCollector } from '../sources/hep/hep-collector.js';
import type { CommandIo } from './command-io.js';
import { parseHepArgs } from './hep-args.js';
import { messageOf, stopSignal, Watchers } from './watchers.js';

export async function runHep(args: readonly string[], io: CommandIo): Promise<number> {
  const { listen, flags } = parseHepArgs(args);
  const settings = await loadCollectorSettings(flags);
  let watchers: Watchers;
  try {
    watchers = new Watchers(settings);
  } catch (error) {
    io.stderr(`trunkguard hep: cannot start: ${messageOf(error)}`);
    return 2;
  }
  const collector = new HepCollector({
    judge: settings.judge,
    logger: watchers.logger,
    observers: watchers.observers,
    dialogs: settings.dialogs,
    limits: settings.limits,
  });
  try {
    await watchers.startHttp(collector);
    // The HEP sockets last: `ready` (logged by start) means everything is up.
    await collector.start(listen);
  } catch (error) {
    io.stderr(`trunkguard hep: cannot start: ${messageOf(error)}`);
    await collector.stop().catch(() => undefined);
    await watchers.close();
    return 2;
  }
  const signal = await stopSignal();
  logEvent(watchers.logger, 'info', 'stopping', `${signal}: stopping`, {});
  await collector.stop();
  await watchers.close();
  return 0;
}
