/**
 * Writes an allowlist (src/policy/allowlist.ts) in a firewall's own format. Output depends only
 * on the allowlist (no timestamps, no host names), so an export can be committed and diffed.
 */
import {
  type AllowEntry,
  type Allowlist,
  type AllowlistDiff,
  type AllowRule,
  addressSortKey,
  portText,
} from '../allowlist.js';

export const EXPORT_FORMATS = ['nftables', 'iptables', 'ufw', 'aws-sg', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function renderAllowlist(list: Allowlist, format: ExportFormat): string {
  switch (format) {
    case 'nftables':
      return renderNftables(list);
    case 'iptables':
      return renderIptables(list);
    case 'ufw':
      return renderUfw(list);
    case 'aws-sg':
      return renderAwsSg(list);
    case 'csv':
      return renderCsv(list);
    case 'json':
      return `${JSON.stringify(jsonOf(list), null, 2)}\n`;
  }
}

/** `https://... checked 2026-11-28`: the provenance every rule carries. */
export function provenanceText(entry: AllowEntry): string {
  return `${entry.sourceUrl} checked ${entry.checked}`;
}

function headerLines(list: Allowlist): string[] {
  const o = list.options;
  const lines = [
    `trunkguard allowlist: profile ${list.profile} (${list.carrier}), facts applying on ${o.asOf}`,
    `direction ${o.direction}, ${o.includeSignaling ? 'media and signaling' : 'media only'}; written by \`trunkguard rules export\``,
    'Ports are the carrier side: inbound rules match source address and port, outbound destination.',
  ];
  if (list.rules.length === 0) lines.push('The profile publishes no address ranges that apply: no rules.');
  return lines;
}

function ruleLabel(rule: AllowEntry): string {
  return `${rule.kind}${rule.label ? ` ${rule.label}` : ''}${rule.verified ? '' : ' (unverified)'}`;
}

/** Quote-safe text for a double-quoted firewall comment. */
function quoteSafe(text: string): string {
  return text.replace(/["\\]/g, "'");
}

// nftables ------------------------------------------------------------------------------------

/** nftables rejects comments longer than 128 bytes. */
const NFT_COMMENT_MAX = 128;

function renderNftables(list: Allowlist): string {
  const out = ['#!/usr/sbin/nft -f', ...headerLines(list).map((line) => `# ${line}`)];
  out.push(
    '# Regular chains (no hook): jump to them from your own input and output chains, e.g.',
    '#   nft add rule inet filter input jump trunkguard_inbound',
    '',
    'table inet trunkguard {',
  );
  for (const family of ['ipv4', 'ipv6'] as const) {
    const cidrs = [
      ...new Set(list.rules.filter((rule) => rule.family === family).map((rule) => rule.cidr)),
    ].sort((a, b) =>
      addressSortKey(a) < addressSortKey(b) ? -1 : addressSortKey(a) > addressSortKey(b) ? 1 : 0,
    );
    if (cidrs.length === 0) continue;
    const type = family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr';
    out.push(
      `\t# Every ${family === 'ipv4' ? 'IPv4' : 'IPv6'} carrier range below, for rules of your own.`,
      `\tset ${list.profile.replace(/-/g, '_')}_${family} {`,
      `\t\ttype ${type}`,
      '\t\tflags interval',
      '\t\tauto-merge',
      `\t\telements = {\n${cidrs.map((cidr) => `\t\t\t${cidr},`).join('\n')}\n\t\t}`,
      '\t}',
    );
  }
  for (const direction of ['inbound', 'outbound'] as const) {
    const rules = list.rules.filter((rule) => rule.direction === direction);
    if (rules.length === 0 && list.options.direction !== 'both' && list.options.direction !== direction)
      continue;
    out.push(`\tchain trunkguard_${direction} {`);
    for (const rule of rules) {
      const comment = quoteSafe(`${ruleLabel(rule)}: ${provenanceText(rule)}`);
      const short = quoteSafe(provenanceText(rule));
      const fits = (text: string) => Buffer.byteLength(text) <= NFT_COMMENT_MAX;
      const nftComment = fits(comment) ? comment : fits(short) ? short : null;
      if (nftComment !== comment) out.push(`\t\t# ${comment}`);
      const ip = rule.family === 'ipv4' ? 'ip' : 'ip6';
      const address = `${ip} ${direction === 'inbound' ? 'saddr' : 'daddr'} ${rule.cidr}`;
      const port =
        rule.ports === null
          ? `meta l4proto ${rule.protocol}`
          : `${rule.protocol} ${direction === 'inbound' ? 'sport' : 'dport'} ${portText(rule.ports)}`;
      out.push(`\t\t${address} ${port} accept${nftComment ? ` comment "${nftComment}"` : ''}`);
    }
    out.push('\t}');
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

// iptables ------------------------------------------------------------------------------------

function iptablesRule(rule: AllowRule): string {
  const address = `${rule.direction === 'inbound' ? '-s' : '-d'} ${rule.cidr}`;
  const port =
    rule.ports === null
      ? ''
      : ` -m ${rule.protocol} ${rule.direction === 'inbound' ? '--sport' : '--dport'} ${portText(rule.ports, ':')}`;
  const comment = quoteSafe(`${ruleLabel(rule)}: ${provenanceText(rule)}`).slice(0, 255);
  return `-A TRUNKGUARD ${address} -p ${rule.protocol}${port} -m comment --comment "${comment}" -j ACCEPT`;
}

function renderIptables(list: Allowlist): string {
  const v4 = list.rules.filter((rule) => rule.family === 'ipv4');
  const v6 = list.rules.filter((rule) => rule.family === 'ipv6');
  const out = [...headerLines(list).map((line) => `# ${line}`)];
  out.push(
    '# Load with `iptables-restore --noflush < FILE`; jump to TRUNKGUARD from INPUT (inbound) and OUTPUT (outbound).',
    '*filter',
    ':TRUNKGUARD - [0:0]',
    ...v4.map(iptablesRule),
    'COMMIT',
  );
  if (v6.length > 0) {
    out.push(
      '# IPv6 ranges need ip6tables: iptables-restore rejects them. Put these lines, uncommented,',
      '# between "*filter", ":TRUNKGUARD - [0:0]" and "COMMIT" in a file for ip6tables-restore:',
      ...v6.map((rule) => `# ${iptablesRule(rule)}`),
    );
  }
  return `${out.join('\n')}\n`;
}

// ufw -----------------------------------------------------------------------------------------

function renderUfw(list: Allowlist): string {
  const out = ['#!/bin/sh', ...headerLines(list).map((line) => `# ${line}`), 'set -e'];
  for (const rule of list.rules) {
    const port = rule.ports === null ? '' : ` port ${portText(rule.ports, ':')}`;
    const peer =
      rule.direction === 'inbound' ? `from ${rule.cidr}${port} to any` : `from any to ${rule.cidr}${port}`;
    const comment = `${ruleLabel(rule)}: ${provenanceText(rule)}`.replace(/'/g, '');
    out.push(
      `ufw allow ${rule.direction === 'inbound' ? 'in' : 'out'} proto ${rule.protocol} ${peer} comment '${comment}'`,
    );
  }
  return `${out.join('\n')}\n`;
}

// AWS security group --------------------------------------------------------------------------

/** Characters AWS accepts in an IP range Description; anything else becomes "_". */
function awsDescription(text: string): string {
  return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, '_').slice(0, 255);
}

/**
 * IpPermissions for `aws ec2 authorize-security-group-ingress|egress --ip-permissions`.
 * Security groups match only the instance-side port: egress rules carry the carrier's ports as
 * destination ports; ingress rules cannot match the carrier's source ports and so allow every
 * port of the protocol from the range (the description says which span the carrier uses).
 */
function renderAwsSg(list: Allowlist): string {
  const groups = new Map<
    string,
    { IpProtocol: string; FromPort: number; ToPort: number; IpRanges: object[]; Ipv6Ranges: object[] }
  >();
  for (const rule of list.rules) {
    const ingress = rule.direction === 'inbound';
    const from = ingress || rule.ports === null ? 0 : rule.ports.min;
    const to = ingress || rule.ports === null ? 65535 : rule.ports.max;
    const key = `${rule.protocol} ${from} ${to}`;
    let group = groups.get(key);
    if (!group) {
      group = { IpProtocol: rule.protocol, FromPort: from, ToPort: to, IpRanges: [], Ipv6Ranges: [] };
      groups.set(key, group);
    }
    const carrierPorts = ingress ? ` from carrier ${rule.protocol} ${portText(rule.ports)}` : '';
    const Description = awsDescription(`${ruleLabel(rule)}${carrierPorts}: ${provenanceText(rule)}`);
    if (rule.family === 'ipv4') group.IpRanges.push({ CidrIp: rule.cidr, Description });
    else group.Ipv6Ranges.push({ CidrIpv6: rule.cidr, Description });
  }
  const permissions = [...groups.values()].map((group) => ({
    IpProtocol: group.IpProtocol,
    FromPort: group.FromPort,
    ToPort: group.ToPort,
    ...(group.IpRanges.length > 0 ? { IpRanges: group.IpRanges } : {}),
    ...(group.Ipv6Ranges.length > 0 ? { Ipv6Ranges: group.Ipv6Ranges } : {}),
  }));
  return `${JSON.stringify(permissions, null, 2)}\n`;
}

// CSV and JSON --------------------------------------------------------------------------------

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function renderCsv(list: Allowlist): string {
  const rows = [
    ['direction', 'protocol', 'cidr', 'ports', 'source_url', 'checked', 'kind', 'label', 'verified'],
  ];
  for (const rule of list.rules) {
    rows.push([
      rule.direction,
      rule.protocol,
      rule.cidr,
      portText(rule.ports),
      rule.sourceUrl,
      rule.checked,
      rule.kind,
      rule.label ?? '',
      String(rule.verified),
    ]);
  }
  return rows.map((row) => `${row.map(csvField).join(',')}\n`).join('');
}

function jsonEntry(entry: AllowEntry) {
  return {
    kind: entry.kind,
    protocol: entry.protocol,
    cidr: entry.cidr,
    family: entry.family,
    ports: entry.ports === null ? null : { min: entry.ports.min, max: entry.ports.max },
    label: entry.label,
    source: { url: entry.sourceUrl, checked: entry.checked },
    verified: entry.verified,
  };
}

function jsonOf(list: Allowlist) {
  return {
    profile: list.profile,
    carrier: list.carrier,
    asOf: list.options.asOf,
    direction: list.options.direction,
    includeSignaling: list.options.includeSignaling,
    rules: list.rules.map((rule) => ({ direction: rule.direction, ...jsonEntry(rule) })),
  };
}

// diff ----------------------------------------------------------------------------------------

/** `+ udp 168.86.128.0/18 10000-60000  (https://... , checked 2026-11-28)` */
export function diffLine(sign: '+' | '-', entry: AllowEntry): string {
  return `${sign} ${entry.protocol} ${entry.cidr} ${portText(entry.ports)}  (${entry.sourceUrl}, checked ${entry.checked})`;
}

export function renderDiff(diff: AllowlistDiff, format: 'text' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify(
      {
        profile: diff.profile,
        from: diff.from,
        to: diff.to,
        includeSignaling: diff.includeSignaling,
        add: diff.add.map(jsonEntry),
        remove: diff.remove.map(jsonEntry),
      },
      null,
      2,
    )}\n`;
  }
  const lines = [
    ...diff.add.map((entry) => diffLine('+', entry)),
    ...diff.remove.map((entry) => diffLine('-', entry)),
  ];
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
