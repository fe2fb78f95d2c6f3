/**
 * `trunkguard rules export` and `rules diff` as a user runs them, and a real check of the
 * exported files: `nft -c -f` and `iptables-restore --test` inside a network namespace of the
 * test's own (`unshare --net`, so the host's rules are never read or touched). A missing binary
 * fails the test with what to install; it is never skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { run } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'trunkguard-export-'));

/**
 * The system binary, looked up in the system directories only: PATH under npm/ava starts with
 * node_modules/.bin, where an unrelated `nft` (@vercel/nft, a file tracer) may live.
 */
function which(binary: string): string | null {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    const path = join(dir, binary);
    if (existsSync(path)) return path;
  }
  return null;
}

function requireBinary(binary: string, pkg: string): string {
  const path = which(binary);
  if (path === null)
    throw new Error(`${binary} not found: install it (apt-get install -y ${pkg}; see .ci/run)`);
  return path;
}

/** Runs a command in a fresh, empty network namespace; returns status and output. */
function inNetns(command: string, args: readonly string[], input?: string) {
  const unshare = requireBinary('unshare', 'util-linux');
  const result = spawnSync(unshare, ['--net', command, ...args], { encoding: 'utf8', input });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`,
  };
}

for (const profile of ['twilio', 'teams', 'telnyx', 'vonage', 'bandwidth', 'zoom']) {
  for (const asOf of ['2024-01-01', '2026-12-01']) {
    test(`nft -c accepts the ${profile} nftables export as of ${asOf}`, async (t) => {
      const nft = requireBinary('nft', 'nftables');
      const result = await run([
        'rules',
        'export',
        '--profile',
        profile,
        '--direction',
        'both',
        '--include-signaling',
        '--as-of',
        asOf,
      ]);
      t.is(result.code, 0, result.stderr);
      const file = join(dir, `${profile}-${asOf}.nft`);
      writeFileSync(file, result.stdout);
      const check = inNetns(nft, ['-c', '-f', file]);
      t.is(check.status, 0, check.output);
    });

    test(`iptables-restore --test accepts the ${profile} iptables export as of ${asOf}`, async (t) => {
      const restore = requireBinary('iptables-restore', 'iptables');
      const result = await run([
        'rules',
        'export',
        '--profile',
        profile,
        '--format',
        'iptables',
        '--direction',
        'both',
        '--include-signaling',
        '--as-of',
        asOf,
      ]);
      t.is(result.code, 0, result.stderr);
      const check = inNetns(restore, ['--test'], result.stdout);
      t.is(check.status, 0, check.output);
    });
  }
}

test('the namespace check really rejects a broken file', (t) => {
  const nft = requireBinary('nft', 'nftables');
  const file = join(dir, 'broken.nft');
  writeFileSync(file, 'table inet trunkguard {\n\tchain x {\n\t\tip saddr 300.1.1.0/24 accept\n\t}\n}\n');
  const broken = inNetns(nft, ['-c', '-f', file]);
  t.not(broken.status, 0, broken.output);
  const restore = requireBinary('iptables-restore', 'iptables');
  t.not(
    inNetns(
      restore,
      ['--test'],
      '*filter\n:TRUNKGUARD - [0:0]\n-A TRUNKGUARD -s 2001:db8::/32 -j ACCEPT\nCOMMIT\n',
    ).status,
    0,
  );
});

test('twilio export before and after 2024-02-21: the regional ranges with 10000-20000, then only the global range', async (t) => {
  const before = await run([
    'rules',
    'export',
    '--profile',
    'twilio',
    '--format',
    'csv',
    '--as-of',
    '2024-02-20',
  ]);
  t.is(before.code, 0, before.stderr);
  const rows = before.stdout.trim().split('\n');
  t.is(rows.length, 1 + 16);
  t.true(
    rows.includes(
      'inbound,udp,54.172.60.0/23,10000-20000,https://github.com/hnimminh/libresbc/wiki/Configuration-Examples,2026-11-28,media,ashburn (us1),false',
    ),
  );
  const after = await run([
    'rules',
    'export',
    '--profile',
    'twilio',
    '--format',
    'csv',
    '--as-of',
    '2024-02-21',
  ]);
  t.deepEqual(after.stdout.trim().split('\n').slice(1), [
    'inbound,udp,168.86.128.0/18,10000-60000,https://www.twilio.com/docs/sip-trunking/ip-addresses,2026-11-28,media,"global media (every edge, including roaming gll)",true',
  ]);
});

test('rules diff prints what to remove across the retirement date, as text and json', async (t) => {
  const text = await run([
    'rules',
    'diff',
    '--profile',
    'twilio',
    '--from',
    '2023-01-01',
    '--to',
    '2024-03-01',
  ]);
  t.is(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  t.is(
    lines[0],
    '+ udp 168.86.128.0/18 10000-60000  (https://www.twilio.com/docs/sip-trunking/ip-addresses, checked 2026-11-28)',
  );
  t.is(
    lines.filter(
      (line) =>
        line.startsWith('- udp ') && line.includes(' 10000-20000  (https://github.com/hnimminh/libresbc/'),
    ).length,
    15,
  );
  const json = await run([
    'rules',
    'diff',
    '--profile',
    'twilio',
    '--from',
    '2024-02-20',
    '--to',
    '2024-02-21',
    '--format',
    'json',
  ]);
  const parsed = JSON.parse(json.stdout) as { add: unknown[]; remove: { cidr: string }[] };
  t.is(parsed.add.length, 0);
  t.is(parsed.remove.length, 15);
});

test('two runs give byte-identical output in every format', async (t) => {
  for (const format of ['nftables', 'iptables', 'ufw', 'aws-sg', 'csv', 'json']) {
    const args = [
      'rules',
      'export',
      '--profile',
      'twilio',
      '--format',
      format,
      '--include-signaling',
      '--as-of',
      '2024-01-01',
    ];
    const first = await run(args);
    const second = await run(args);
    t.is(first.code, 0, first.stderr);
    t.is(first.stdout, second.stdout, format);
  }
});

test('bad export and diff command lines exit 2 with the reason', async (t) => {
  const cases: [string[], RegExp][] = [
    [['rules', 'export'], /needs --profile NAME/],
    [
      ['rules', 'export', '--profile', 'twilio', '--format', 'pf'],
      /--format must be one of nftables, iptables/,
    ],
    [
      ['rules', 'export', '--profile', 'twilio', '--direction', 'sideways'],
      /--direction must be inbound, outbound or both/,
    ],
    [
      ['rules', 'export', '--profile', 'twilio', '--as-of', '2024-02-30'],
      /--as-of must be a date YYYY-MM-DD/,
    ],
    [
      ['rules', 'export', '--profile', 'twilio', '--format', 'aws-sg', '--direction', 'both'],
      /aws-sg needs --direction inbound or outbound/,
    ],
    [['rules', 'diff', '--profile', 'twilio', '--from', '2024-01-01'], /needs --from DATE and --to DATE/],
    [['rules', 'export', '--profile', 'twillio'], /twillio/],
  ];
  for (const [args, reason] of cases) {
    const result = await run(args);
    t.is(result.code, 2, args.join(' '));
    t.regex(result.stderr, reason);
  }
});

test('export defaults: nftables, inbound, media only, facts applying today', async (t) => {
  const result = await run(['rules', 'export', '--profile', 'twilio']);
  t.is(result.code, 0, result.stderr);
  const today = new Date().toISOString().slice(0, 10);
  t.true(result.stdout.includes(`facts applying on ${today}`));
  t.true(result.stdout.includes('direction inbound, media only'));
  t.regex(result.stdout, /^\t\tip saddr 168\.86\.128\.0\/18 udp sport 10000-60000 accept comment /m);
  t.false(result.stdout.includes('trunkguard_outbound'));
});
