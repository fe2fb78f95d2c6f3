/**
 * `trunkguard rules`: what the carrier profiles in rules/ say, with where each fact comes from.
 *
 *   trunkguard rules                 one line per profile
 *   trunkguard rules show NAME       every fact of one profile, with source URL, checked date
 *                                    and whether the carrier confirmed it
 */

import { listProfiles, loadProfileByName } from '../policy/load-profile.js';
import type { CarrierProfile, Fact } from '../policy/profile.js';
import { type CommandIo, UsageError } from './command-io.js';

export const RULES_USAGE = `Usage: trunkguard rules              list the carrier profiles
       trunkguard rules show NAME    show one profile's facts and their sources`;

export async function runRules(args: readonly string[], io: CommandIo): Promise<number> {
  const [action, name, ...rest] = args;
  if (action === undefined || action === 'list') {
    for (const profileName of listProfiles()) io.stdout(`${summaryLine(loadProfileByName(profileName))}\n`);
    return 0;
  }
  if (action !== 'show') throw new UsageError(`unknown rules action "${action}" (expected list or show)`);
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
