/**
 * The proxy's guard, built from its settings: exempt are the carrier profile's signaling ranges,
 * carrierPeers and flood.exempt (the next hops are added once resolved), and a block's start and
 * end are each logged once (`source-blocked`, `source-unblocked`), never per dropped packet, and
 * within the log budget: spoofed UDP sources can start blocks at line rate.
 */
import type { LogBudget } from '../../report/log-budget.js';
import { logEvent, type ProxyLogger } from '../../report/logger.js';
import type { ProxySettings } from '../settings.js';
import { Exemptions } from './exemptions.js';
import { Guard } from './guard.js';

export function guardFor(
  settings: ProxySettings,
  log: ProxyLogger,
  budget: LogBudget,
  /** A source was just blocked: its open connections are closed. */
  onBlocked: (host: string) => void,
): Guard {
  const { profile, policy } = settings.judge;
  const exemptions = new Exemptions(settings.limits.flood.exempt, [
    ...profile.signaling.map((range) => range.cidr),
    ...policy.carrierPeers,
  ]);
  return new Guard(settings.limits.flood, exemptions, {
    blocked: (block) => {
      onBlocked(block.source);
      if (!budget.admit('source-blocked')) return;
      const until = new Date(block.until).toISOString();
      logEvent(
        log,
        'warn',
        'source-blocked',
        `source ${block.source} blocked until ${until} (${block.reason})`,
        {
          source: { address: block.source, ip: block.source },
          trunkguard: { reason: block.reason, until, block_seconds: settings.limits.flood.blockSeconds },
        },
      );
    },
    unblocked: ({ block, dropped, why }) => {
      if (!budget.admit('source-unblocked')) return;
      logEvent(
        log,
        'info',
        'source-unblocked',
        `source ${block.source} unblocked (${why === 'expired' ? 'block over' : 'blocklist full'}): ${dropped} messages dropped while blocked`,
        {
          source: { address: block.source, ip: block.source },
          trunkguard: {
            reason: block.reason,
            ended: why,
            dropped,
            since: new Date(block.since).toISOString(),
          },
        },
      );
    },
  });
}
