/**
 * The shipped carrier profiles load and say what the research says. Key facts are pinned
 * here so an edit to rules/*.yaml that changes them has to change a test too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { cidrContains, parseIp } from '../../src/policy/cidr.js';
import { ConfigError } from '../../src/policy/load-error.js';
import { listProfiles, loadProfile, loadProfileByName } from '../../src/policy/load-profile.js';
import type { CarrierProfile, Fact } from '../../src/policy/profile.js';

// Compiled, this file is dist/test/policy/load-profile.test.js: the repo root is three levels up.
const root = new URL('../../../', import.meta.url);
const fixtureRules = fileURLToPath(new URL('test/fixtures/rules/', root));

const SHIPPED = ['bandwidth', 'teams', 'telnyx', 'twilio', 'vonage', 'zoom'];

function ip(text: string) {
  const parsed = parseIp(text);
  if (parsed === null) throw new Error(`bad test address ${text}`);
  return parsed;
}

function inMedia(profile: CarrierProfile, address: string): boolean {
  return profile.mediaRanges.some((range) => cidrContains(range.cidr, ip(address)));
}

function factsOf(profile: CarrierProfile): Fact[] {
  return [
    ...profile.mediaRanges,
    ...(profile.mediaPorts === null ? [] : [profile.mediaPorts]),
    ...profile.retiredMedia,
    ...profile.signaling,
    ...(profile.srtp === null ? [] : [profile.srtp]),
  ];
}

test('the shipped rules directory holds the six carrier profiles', (t) => {
  t.deepEqual(listProfiles(), SHIPPED);
});

for (const name of SHIPPED) {
  test(`${name}: loads, and every fact has a dated source with a URL`, (t) => {
    const profile = loadProfileByName(name);
    t.is(profile.name, name);
    t.true(profile.file.endsWith(`rules/${name}.yaml`));
    const facts = factsOf(profile);
    t.true(facts.length > 0);
    for (const fact of facts) {
      for (const source of [fact.source, ...(fact.seeAlso ?? [])]) {
        t.regex(source.url, /^https?:\/\//);
        t.regex(source.checked, /^\d{4}-\d{2}-\d{2}$/);
      }
      // An unverified fact must say why it is not verified.
      if (!fact.verified) t.truthy(fact.note, `unverified fact without a note in ${name}`);
    }
  });
}

test('twilio: the global media range holds Twilio media, not the signaling edges', (t) => {
  const twilio = loadProfileByName('twilio');
  t.is(twilio.mediaRanges.length, 1);
  t.is(twilio.mediaRanges[0]?.cidr.text, '168.86.128.0/18');
  t.true(twilio.mediaRanges[0]?.verified);
  t.is(twilio.mediaRanges[0]?.source.url, 'https://www.twilio.com/docs/sip-trunking/ip-addresses');
  t.true(inMedia(twilio, '168.86.140.10'));
  t.true(inMedia(twilio, '168.86.191.255'));
  t.false(inMedia(twilio, '168.86.192.0'));
  t.false(inMedia(twilio, '54.172.60.5'));
  t.like(twilio.mediaPorts, { min: 10000, max: 60000, verified: true });
});

test('twilio: fifteen retired regional ranges with the old 10000-20000 span, retired 2024-02-21', (t) => {
  const twilio = loadProfileByName('twilio');
  t.is(twilio.retiredMedia.length, 15);
  for (const range of twilio.retiredMedia) {
    t.deepEqual(range.ports, { min: 10000, max: 20000 });
    t.is(range.until, '2024-02-21');
    // Known from third-party copies of the old table only.
    t.false(range.verified);
    t.false(inMedia(twilio, range.cidr.network.toString()));
  }
  // The rescheduled cut-over dates are all cited.
  const cited = new Set(twilio.retiredMedia.flatMap((range) => (range.seeAlso ?? []).map((s) => s.url)));
  t.true(cited.has('https://www.twilio.com/docs/voice/api/sip-interconnect'));
  t.true(cited.has('https://static0.twilio.com/docs/voice/sdks/network-connectivity-requirements'));
});

test("twilio: eight signaling /30s, each inside its region's retired media block", (t) => {
  const twilio = loadProfileByName('twilio');
  t.is(twilio.signaling.length, 8);
  for (const edge of twilio.signaling) {
    t.is(edge.cidr.prefix, 30);
    t.deepEqual(edge.ports, [
      { transport: 'udp', port: 5060 },
      { transport: 'tcp', port: 5060 },
      { transport: 'tls', port: 5061 },
    ]);
    const block = twilio.retiredMedia.find(
      (range) => range.label === edge.label && cidrContains(range.cidr, edge.cidr.network),
    );
    t.truthy(block, `no retired block of ${edge.label} contains ${edge.cidr.text}`);
    t.true((block?.cidr.prefix ?? 99) <= edge.cidr.prefix);
  }
  t.true(twilio.signaling.some((edge) => cidrContains(edge.cidr, ip('54.172.60.2'))));
});

test('twilio: secure trunking is TLS plus SDES with the two AES_CM_128 suites and no MKI', (t) => {
  const { srtp } = loadProfileByName('twilio');
  t.deepEqual(srtp?.suites, ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']);
  t.false(srtp?.mki);
  t.deepEqual(srtp?.keyExchange, ['sdes']);
  t.true(srtp?.requireTls);
  t.is(srtp?.source.url, 'https://www.twilio.com/docs/voice/api/secure-media');
});

test('telnyx: the /19 is inferred and marked unverified; the port span is published', (t) => {
  const telnyx = loadProfileByName('telnyx');
  const inferred = telnyx.mediaRanges.find((range) => range.cidr.text === '64.16.224.0/19');
  t.false(inferred?.verified);
  t.regex(inferred?.note ?? '', /INFERRED/);
  t.like(telnyx.mediaPorts, { min: 16384, max: 32768, verified: true });
  t.is(telnyx.signaling.length, 10);
  t.true(telnyx.signaling.some((edge) => cidrContains(edge.cidr, ip('192.76.120.10'))));
  t.is(telnyx.srtp, null);
});

test('bandwidth: no published addresses, only the 1024-64000 span', (t) => {
  const bandwidth = loadProfileByName('bandwidth');
  t.deepEqual(bandwidth.mediaRanges, []);
  t.deepEqual(bandwidth.signaling, []);
  t.like(bandwidth.mediaPorts, { min: 1024, max: 64000 });
});

test('zoom: media ports are a third-party claim, and ICE-chosen ports are exempt', (t) => {
  const zoom = loadProfileByName('zoom');
  t.like(zoom.mediaPorts, { min: 20000, max: 64000, verified: false });
  t.true(zoom.iceExemptFromPortSpan);
  t.deepEqual(zoom.mediaRanges, []);
  t.true(zoom.srtp?.requireTls);
});

test('teams: media processors and their 49152-53247 span; TLS-only signaling', (t) => {
  const teams = loadProfileByName('teams');
  t.true(inMedia(teams, '52.113.1.1'));
  t.like(teams.mediaPorts, { min: 49152, max: 53247, verified: true });
  for (const edge of teams.signaling) t.deepEqual(edge.ports, [{ transport: 'tls', port: 5061 }]);
  t.true(teams.srtp?.requireTls);
});

test('vonage: third-party addresses only, all unverified, no port span', (t) => {
  const vonage = loadProfileByName('vonage');
  t.is(vonage.mediaPorts, null);
  t.true(factsOf(vonage).every((fact) => !fact.verified));
  t.true(inMedia(vonage, '216.147.1.1'));
});

test('a minimal profile gets the defaults for what it leaves out', (t) => {
  const profile = loadProfileByName('minimal', fixtureRules);
  t.is(profile.description, null);
  t.deepEqual(profile.retiredMedia, []);
  t.is(profile.srtp, null);
  t.false(profile.iceExemptFromPortSpan);
  t.deepEqual(profile.mediaRanges[0]?.seeAlso, []);
  t.like(profile.mediaRanges[0], { note: null, from: null, until: null, label: 'media' });
  t.deepEqual(profile.sources[0], {
    id: 'example-docs',
    url: 'https://carrier.example/docs/ip-addresses',
    checked: '2026-11-28',
    title: null,
  });
});

test('loadProfile takes a path; loadProfileByName refuses names outside the rules directory', (t) => {
  t.is(loadProfile(`${fixtureRules}minimal.yaml`).name, 'minimal');
  for (const name of ['../config/trunkguard', 'twilio.yaml', 'nope']) {
    const error = t.throws(() => loadProfileByName(name), { instanceOf: ConfigError });
    t.is(error?.field, 'profile');
    t.regex(error?.expected ?? '', /twilio/);
  }
});

test('an unknown name suggests the closest profile', (t) => {
  const error = t.throws(() => loadProfileByName('twillio'), { instanceOf: ConfigError });
  t.regex(error?.message ?? '', /did you mean "twilio"\?/);
});

test('the example in rules/README.md is a valid profile', (t) => {
  const readme = readFileSync(fileURLToPath(new URL('rules/README.md', root)), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (example === undefined) return t.fail('no yaml block in rules/README.md');
  const file = join(mkdtempSync(join(tmpdir(), 'trunkguard-')), 'example.yaml');
  writeFileSync(file, example);
  const profile = loadProfile(file);
  t.is(profile.retiredMedia[0]?.until, '2024-02-21');
  t.false(profile.retiredMedia[0]?.verified);
});
