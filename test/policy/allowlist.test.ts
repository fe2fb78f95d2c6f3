/**
 * Firewall allowlists from carrier profiles (src/policy/allowlist.ts, src/policy/allowlist/render.ts):
 * exact output per format for Twilio, which facts apply on a date, the diff across Twilio's
 * 2024-02-21 retirement of its regional media ranges, and determinism.
 */
import test from 'ava';
import { EXPORT_FORMATS, renderAllowlist, renderDiff } from '../../src/policy/allowlist/render.js';
import { appliesOn, buildAllowlist, diffAllowlist, isCalendarDay } from '../../src/policy/allowlist.js';
import { loadProfileByName } from '../../src/policy/load-profile.js';
import { TWILIO_2026_12_01 } from './allowlist-golden.js';

const twilio = loadProfileByName('twilio');
const TWILIO_URL = 'https://www.twilio.com/docs/sip-trunking/ip-addresses';
const LIBRESBC_URL = 'https://github.com/hnimminh/libresbc/wiki/Configuration-Examples';
const GOOGLE_URL = 'https://cloud.google.com/contact-center/ccai-platform/docs/byoc-ip-allow-list';

for (const format of EXPORT_FORMATS) {
  test(`twilio ${format} export is exactly the golden text`, (t) => {
    const list = buildAllowlist(twilio, {
      direction: 'inbound',
      includeSignaling: false,
      asOf: '2026-12-01',
    });
    const text = renderAllowlist(list, format);
    t.is(text, TWILIO_2026_12_01[format] ?? `(no golden text for ${format})`);
    // The golden text itself says what matters: the range, the span and the provenance.
    t.true(text.includes('168.86.128.0/18'));
    t.regex(text, /10000(-|:)60000|"max": 60000/);
    t.true(text.includes(TWILIO_URL));
    t.true(text.includes('2026-11-28'));
  });
}

test('golden nftables rule matches the source address and the carrier source ports, with a comment', (t) => {
  t.regex(
    TWILIO_2026_12_01.nftables ?? '',
    /^\t\tip saddr 168\.86\.128\.0\/18 udp sport 10000-60000 accept comment "media global media .*: https:\/\/www\.twilio\.com\/docs\/sip-trunking\/ip-addresses checked 2026-11-28"$/m,
  );
  t.regex(
    TWILIO_2026_12_01.iptables ?? '',
    /^\*filter\n:TRUNKGUARD - \[0:0\]\n-A TRUNKGUARD -s 168\.86\.128\.0\/18 -p udp -m udp --sport 10000:60000 -m comment --comment ".*checked 2026-11-28" -j ACCEPT\nCOMMIT$/m,
  );
});

test('dates: from is inclusive, until exclusive; calendar days are strict', (t) => {
  t.true(appliesOn({ from: null, until: '2024-02-21' }, '2024-02-20'));
  t.false(appliesOn({ from: null, until: '2024-02-21' }, '2024-02-21'));
  t.true(appliesOn({ from: '2023-09-26', until: null }, '2023-09-26'));
  t.false(appliesOn({ from: '2023-09-26', until: null }, '2023-09-25'));
  t.true(isCalendarDay('2024-02-29'));
  t.false(isCalendarDay('2023-02-29'));
  t.false(isCalendarDay('2024-2-1'));
});

test('as of a day before the until date, the retired regional ranges apply with their 10000-20000 span', (t) => {
  const list = buildAllowlist(twilio, { direction: 'inbound', includeSignaling: false, asOf: '2024-02-20' });
  t.is(list.rules.length, 16);
  const old = list.rules.find((rule) => rule.cidr === '54.172.60.0/23');
  t.deepEqual(old?.ports, { min: 10000, max: 20000 });
  t.is(old?.sourceUrl, LIBRESBC_URL);
  t.false(old?.verified);
  t.deepEqual(list.rules.find((rule) => rule.cidr === '168.86.128.0/18')?.ports, { min: 10000, max: 60000 });
  const nft = renderAllowlist(list, 'nftables');
  t.regex(
    nft,
    /ip saddr 54\.172\.60\.0\/23 udp sport 10000-20000 accept comment "media ashburn \(us1\) \(unverified\): https:\/\/github\.com\/hnimminh\/libresbc\/wiki\/Configuration-Examples checked 2026-11-28"/,
  );
});

test('on and after the until date only the global range remains; before its from date nothing of it', (t) => {
  const after = buildAllowlist(twilio, { direction: 'inbound', includeSignaling: false, asOf: '2024-02-21' });
  t.deepEqual(
    after.rules.map((rule) => rule.cidr),
    ['168.86.128.0/18'],
  );
  const before = buildAllowlist(twilio, {
    direction: 'inbound',
    includeSignaling: false,
    asOf: '2023-01-01',
  });
  t.is(before.rules.length, 15);
  t.false(before.rules.some((rule) => rule.cidr === '168.86.128.0/18'));
});

test('signaling: UDP and TCP 5060, TLS 5061 as TCP, for all eight edges; both directions', (t) => {
  const list = buildAllowlist(twilio, { direction: 'both', includeSignaling: true, asOf: '2026-12-01' });
  const signaling = list.rules.filter((rule) => rule.kind === 'signaling');
  t.is(signaling.length, 8 * 3 * 2);
  const ashburnIn = signaling
    .filter((rule) => rule.cidr === '54.172.60.0/30' && rule.direction === 'inbound')
    .map((rule) => `${rule.protocol}/${rule.ports?.min}`);
  t.deepEqual(ashburnIn, ['tcp/5060', 'tcp/5061', 'udp/5060']);
  t.true(signaling.every((rule) => rule.sourceUrl === GOOGLE_URL && rule.checked === '2026-11-28'));
  const nft = renderAllowlist(list, 'nftables');
  // Over nftables' 128-byte comment limit: the full text goes on a # line, the rule keeps URL and date.
  t.regex(
    nft,
    /^\t\t# signaling ashburn \(us1\) \(unverified\): https:\/\/cloud\.google\.com\/\S+ checked 2026-11-28\n\t\tip daddr 54\.172\.60\.0\/30 tcp dport 5061 accept comment "https:\/\/cloud\.google\.com\/\S+ checked 2026-11-28"$/m,
  );
  t.regex(nft, /^\t\tip saddr 54\.172\.60\.0\/30 udp sport 5060 accept comment /m);
  const ufw = renderAllowlist(list, 'ufw');
  t.regex(
    ufw,
    /^ufw allow out proto tcp from any to 54\.172\.60\.0\/30 port 5061 comment 'signaling ashburn/m,
  );
  t.regex(ufw, /^ufw allow in proto udp from 168\.86\.128\.0\/18 port 10000:60000 to any comment '/m);
  const csv = renderAllowlist(list, 'csv').split('\n');
  t.is(csv[0], 'direction,protocol,cidr,ports,source_url,checked,kind,label,verified');
  t.true(
    csv.includes(`outbound,tcp,54.172.60.0/30,5061,${GOOGLE_URL},2026-11-28,signaling,ashburn (us1),false`),
  );
});

test('aws-sg egress carries the carrier ports as destination ports', (t) => {
  const list = buildAllowlist(twilio, { direction: 'outbound', includeSignaling: true, asOf: '2026-12-01' });
  const permissions = JSON.parse(renderAllowlist(list, 'aws-sg')) as {
    IpProtocol: string;
    FromPort: number;
    ToPort: number;
    IpRanges: { CidrIp: string; Description: string }[];
  }[];
  const media = permissions.find((p) => p.FromPort === 10000);
  t.deepEqual(
    { protocol: media?.IpProtocol, to: media?.ToPort, cidrs: media?.IpRanges.map((r) => r.CidrIp) },
    { protocol: 'udp', to: 60000, cidrs: ['168.86.128.0/18'] },
  );
  t.true(media?.IpRanges[0]?.Description.endsWith(`${TWILIO_URL} checked 2026-11-28`));
  const tls = permissions.find((p) => p.IpProtocol === 'tcp' && p.FromPort === 5061);
  t.is(tls?.IpRanges.length, 8);
});

test('diff across 2024-02-21 removes the fifteen regional ranges and adds nothing', (t) => {
  const diff = diffAllowlist(twilio, '2024-02-20', '2024-02-21', false);
  t.is(diff.add.length, 0);
  t.is(diff.remove.length, 15);
  const text = renderDiff(diff, 'text');
  t.regex(
    text,
    /^- udp 54\.172\.60\.0\/23 10000-20000 {2}\(https:\/\/github\.com\/hnimminh\/libresbc\/wiki\/Configuration-Examples, checked 2026-11-28\)$/m,
  );
  t.false(text.includes('168.86.128.0/18'));
  const reverse = diffAllowlist(twilio, '2024-02-21', '2024-02-20', false);
  t.is(reverse.add.length, 15);
  t.is(reverse.remove.length, 0);
});

test('diff from before the migration to after it adds the global range and removes the old ones', (t) => {
  const diff = diffAllowlist(twilio, '2023-01-01', '2024-03-01', true);
  const text = renderDiff(diff, 'text');
  t.is(text.split('\n')[0], `+ udp 168.86.128.0/18 10000-60000  (${TWILIO_URL}, checked 2026-11-28)`);
  t.is(text.split('\n').filter((line) => line.startsWith('- ')).length, 15);
  // Signaling did not change in the migration.
  t.false(/5060|5061/.test(text));
  const json = JSON.parse(renderDiff(diff, 'json')) as { add: { cidr: string }[]; remove: unknown[] };
  t.deepEqual(
    json.add.map((entry) => entry.cidr),
    ['168.86.128.0/18'],
  );
  t.is(json.remove.length, 15);
});

test('every format is deterministic: two builds render identically', (t) => {
  for (const format of EXPORT_FORMATS) {
    if (format === 'aws-sg') continue;
    const render = () =>
      renderAllowlist(
        buildAllowlist(loadProfileByName('twilio'), {
          direction: 'both',
          includeSignaling: true,
          asOf: '2024-01-01',
        }),
        format,
      );
    t.is(render(), render(), format);
  }
});

test('a profile without media ranges exports no rules and says so', (t) => {
  const list = buildAllowlist(loadProfileByName('zoom'), {
    direction: 'inbound',
    includeSignaling: true,
    asOf: '2026-12-01',
  });
  t.is(list.rules.length, 0);
  t.regex(renderAllowlist(list, 'nftables'), /publishes no address ranges that apply: no rules/);
});
