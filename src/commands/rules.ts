/**
 * `trunkguard rules`: what the carrier profiles in rules/ say, with where each fact comes from.
 *
 *   trunkguard rules                 one line per profile
 *   trunkguard rules show NAME       every fact of one profile, with source URL, checked date
 *                                    and whether the carrier confirmed it
 *   trunkguard rules export --profile NAME [--format F] [--direction D] [--include-signaling] [--as-of DATE]
 *                                    a firewall allowlist of the facts applying on a date
 *   trunkguard rules diff --profile NAME --from DATE --to DATE [--include-signaling] [--format text|json]
 *                                    what to add to / remove from the allowlist between two dates
 */
import { parseArgs } from 'node:util';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  renderAllowlist,
  renderDiff,
} from '../policy/allowlist/render.js';
import { buildAllowlist, type DirectionOption, diffAllowlist, isCalendarDay } from '../policy/allowlist.js';

import { listProfiles, loadProfileByName } from '../policy/load-profile.js';
import type { CarrierProfile, Fact } from '../policy/profile.js';
import { type CommandIo, UsageError } from './command-io.js';

export const RULES_USAGE = `Usage: trunkguard rules              list the carrier profiles
       trunkguard rules show NAME    show one profile's facts and their sources
       trunkguard rules export --profile NAME [--format nftables|iptables|ufw|aws-sg|csv|json]
                               [--direction inbound|outbound|both] [--include-signaling] [--as-of DATE]
                                     a firewall allowlist of the profile's ranges (default: nftables,
                                     inbound, media only, facts applying today)
       trunkguard rules diff --profile NAME --from DATE --to DATE [--include-signaling] [--format text|json]
                                     allowlist entries to add (+) and remove (-) between two dates`;

export async function runRules(args: readonly string[], io: CommandIo): Promise<number> {
  const [action, name, ...rest] = args;
  if (action === undefined || action === 'list') {
    for (const profileName of listProfiles()) io.stdout(`${summaryLine(loadProfileByName(profileName))}\n`);
    return 0;
  }
  if (action === 'export') return runExport(args.slice(1), io);
  if (action === 'diff') return runDiff(args.slice(1), io);
  if (action !== 'show')
    throw new UsageError(`unknown rules action "${action}" (expected list, show, export or diff)`);
  if (name === undefined || rest.length > 0)
    throw new UsageError('rules show takes exactly one profile NAME');
  io.stdout(describeProfile(loadProfileByName(name)));
  return 0;
}

function summaryLine(profile: CarrierProfile): string {
  const ranges =
    profile.mediaRanges.map((range) => range.cidr.text).join(', ') || 'no published media ranges';
  const ports = profile.mediaPorts
    ? `UDP ${profile.mediaPorts.min}-${profile.mediaPorts.max}`
    : 'no published port span';
  return `${profile.name.padEnd(10)} ${profile.carrier}: media ${ranges}; ${ports}`;
}

function provenance(fact: Fact): string {
  const status = fact.verified ? 'verified' : `UNVERIFIED${fact.note ? `: ${fact.note}` : ''}`;
  const window = [fact.from && `from ${fact.from}`, fact.until && `until ${fact.until}`]
    .filter(Boolean)
    .join(' ');
  return `[${status}; ${fact.source.url} checked ${fact.source.checked}${window ? `; ${window}` : ''}]`;
}

export function describeProfile(profile: CarrierProfile): string {
  const lines = [`${profile.name}: ${profile.carrier} (${profile.file})`];
  if (profile.description) lines.push(`  ${profile.description}`);
  lines.push('', 'Media ranges:');
  if (profile.mediaRanges.length === 0) lines.push('  (none published: range checks stay silent)');
  for (const range of profile.mediaRanges)
    lines.push(`  ${range.cidr.text} ${range.label ?? ''} ${provenance(range)}`);
  lines.push('Media ports:');
  lines.push(
    profile.mediaPorts
      ? `  UDP ${profile.mediaPorts.min}-${profile.mediaPorts.max} ${provenance(profile.mediaPorts)}`
      : '  (none published)',
  );
  if (profile.retiredMedia.length > 0) {
    lines.push('Retired media ranges:');
    for (const range of profile.retiredMedia) {
      const ports = range.ports ? ` UDP ${range.ports.min}-${range.ports.max}` : '';
      lines.push(`  ${range.cidr.text}${ports} ${range.label ?? ''} ${provenance(range)}`);
    }
  }
  lines.push('Signaling:');
  if (profile.signaling.length === 0) lines.push('  (none published: use carrierPeers in the config)');
  for (const range of profile.signaling) {
    const ports = range.ports.map((port) => `${port.transport}/${port.port}`).join(' ');
    lines.push(`  ${range.cidr.text} ${range.label ?? ''} ${ports} ${provenance(range)}`);
  }
  lines.push('SRTP:');
  const srtp = profile.srtp;
  if (!srtp) lines.push('  (nothing published)');
  else {
    lines.push(
      `  suites ${srtp.suites.join(', ') || '(not published)'}; MKI ${srtp.mki ? 'accepted' : 'not supported'}`,
    );
    lines.push(
      `  key exchange ${srtp.keyExchange.join(', ')}; TLS ${srtp.requireTls ? 'required' : 'not required'} ${provenance(srtp)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const DIRECTIONS: readonly DirectionOption[] = ['inbound', 'outbound', 'both'];

function parseRulesArgv(args: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args: [...args], allowPositionals: false, strict: true, options }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function requiredProfile(value: string | boolean | undefined, action: string): string {
  if (typeof value !== 'string') throw new UsageError(`rules ${action} needs --profile NAME`);
  return value;
}

function dateOption(flag: string, value: string | boolean | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isCalendarDay(value))
    throw new UsageError(`--${flag} must be a date YYYY-MM-DD, not "${String(value)}"`);
  return value;
}

/** Today's date (UTC), the default for --as-of. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function runExport(args: readonly string[], io: CommandIo): number {
  const values = parseRulesArgv(args, {
    profile: { type: 'string' },
    format: { type: 'string' },
    direction: { type: 'string' },
    'include-signaling': { type: 'boolean' },
    'as-of': { type: 'string' },
  });
  const name = requiredProfile(values.profile, 'export');
  const format = (values.format ?? 'nftables') as string;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}"`);
  const direction = (values.direction ?? 'inbound') as string;
  if (!(DIRECTIONS as readonly string[]).includes(direction))
    throw new UsageError(`--direction must be inbound, outbound or both, not "${direction}"`);
  if (format === 'aws-sg' && direction === 'both')
    throw new UsageError(
      '--format aws-sg needs --direction inbound or outbound (ingress and egress are separate calls)',
    );
  const asOf = dateOption('as-of', values['as-of']) ?? today();
  const list = buildAllowlist(loadProfileByName(name), {
    direction: direction as DirectionOption,
    includeSignaling: values['include-signaling'] === true,
    asOf,
  });
  io.stdout(renderAllowlist(list, format as ExportFormat));
  return 0;
}

function runDiff(args: readonly string[], io: CommandIo): number {
  const values = parseRulesArgv(args, {
    profile: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'include-signaling': { type: 'boolean' },
    format: { type: 'string' },
  });
  const name = requiredProfile(values.profile, 'diff');
  const from = dateOption('from', values.from);
  const to = dateOption('to', values.to);
  if (from === undefined || to === undefined)
    throw new UsageError('rules diff needs --from DATE and --to DATE');
  const format = (values.format ?? 'text') as string;
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, not "${format}"`);
  const diff = diffAllowlist(loadProfileByName(name), from, to, values['include-signaling'] === true);
  io.stdout(renderDiff(diff, format));
  return 0;
}
