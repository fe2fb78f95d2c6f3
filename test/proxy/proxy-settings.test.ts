/**
 * loadProxySettings: the shipped config, defaults, every field read from a file, flags winning
 * over the file, and errors that name file, line and field.
 */
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { UsageError } from '../../src/commands/command-io.js';
import { ConfigError, defaultPolicy } from '../../src/policy/load-config.js';
import { defaultListeners, loadProxySettings } from '../../src/proxy/load-proxy-settings.js';

const root = new URL('../../../', import.meta.url);
const fixtures = fileURLToPath(new URL('test/fixtures/config/proxy/', root));

function fixture(name: string): string {
  return `${fixtures}${name}.yaml`;
}

async function configError(name: string): Promise<ConfigError> {
  try {
    await loadProxySettings({ config: fixture(name) });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${name}.yaml loaded without an error`);
}

/** The text after `file:line:column: ` of every issue, in file order. */
function texts(error: ConfigError): string[] {
  return error.issues.map((issue) => issue.text);
}

/** `line field` of every issue, in file order. */
function places(error: ConfigError): string[] {
  return error.issues.map((issue) => `${issue.line} ${issue.field}`);
}

test('the shipped config: udp and tcp on 0.0.0.0:5060, the placeholder carrier, watch only', async (t) => {
  const settings = await loadProxySettings({});
  t.is(settings.judge.profile.name, 'twilio');
  t.deepEqual(settings.judge.policy, defaultPolicy());
  t.deepEqual(settings.listeners, defaultListeners());
  t.deepEqual(settings.carrier, { host: '127.0.0.1', port: 5080, transport: null, text: '127.0.0.1:5080' });
  t.is(settings.customer, null);
  t.true(settings.recordRoute);
  t.is(settings.enforce, null);
  t.is(settings.maxMessageBytes, 65535);
  t.deepEqual(settings.dialogs, { maxCalls: 50000, ttlSeconds: 7200 });
  t.deepEqual(settings.log, { console: true, file: null, level: 'info' });
  t.deepEqual(settings.tls, {
    certFile: null,
    keyFile: null,
    caFile: null,
    verifyPeer: true,
    serverName: null,
    minVersion: 'TLSv1.2',
  });
});

test('a config with only a carrier takes every other default', async (t) => {
  const settings = await loadProxySettings({ config: fixture('minimal') });
  t.deepEqual(settings.listeners, [
    { transport: 'udp', host: '0.0.0.0', port: 5060, side: 'auto', advertise: null },
    { transport: 'tcp', host: '0.0.0.0', port: 5060, side: 'auto', advertise: null },
  ]);
  t.is(settings.carrier.host, '203.0.113.5');
  t.true(settings.recordRoute);
  t.is(settings.maxMessageBytes, 65535);
});

test('every field read from the file; paths relative to the file', async (t) => {
  const settings = await loadProxySettings({ config: fixture('full') });
  t.deepEqual(settings.listeners, [
    { transport: 'udp', host: '0.0.0.0', port: 5060, side: 'customer', advertise: null },
    { transport: 'tcp', host: '::', port: 5060, side: 'auto', advertise: null },
    {
      transport: 'tls',
      host: '192.0.2.10',
      port: 5061,
      side: 'carrier',
      advertise: { host: 'sbc.example.com', port: 5061 },
    },
  ]);
  t.deepEqual(settings.carrier, {
    host: 'mytrunk.pstn.twilio.com',
    port: null,
    transport: 'tls',
    text: 'mytrunk.pstn.twilio.com;transport=tls',
  });
  t.deepEqual(settings.customer, {
    host: '2001:db8::20',
    port: 5070,
    transport: 'tcp',
    text: '[2001:db8::20]:5070;transport=tcp',
  });
  t.false(settings.recordRoute);
  t.is(settings.enforce, 'high');
  t.is(settings.maxMessageBytes, 16384);
  t.deepEqual(settings.dialogs, { maxCalls: 1000, ttlSeconds: 600 });
  t.deepEqual(settings.tls, {
    certFile: `${fixtures}certs/cert.pem`,
    keyFile: `${fixtures}certs/key.pem`,
    caFile: `${fixtures}certs/ca.pem`,
    verifyPeer: false,
    serverName: 'sip.example.com',
    minVersion: 'TLSv1.3',
  });
  t.deepEqual(settings.log, { console: false, file: `${fixtures}logs/proxy.log`, level: 'debug' });
});

test('flags win over the file; their paths are relative to cwd', async (t) => {
  const cwd = fileURLToPath(new URL('test/fixtures/', root));
  const listen = [{ transport: 'udp', host: '127.0.0.1', port: 0, side: 'auto', advertise: null }] as const;
  const carrier = {
    host: '198.51.100.9',
    port: 5062,
    transport: 'tcp',
    text: '198.51.100.9:5062;transport=tcp',
  } as const;
  const customer = { host: 'pbx.example.com', port: null, transport: null, text: 'pbx.example.com' } as const;
  const settings = await loadProxySettings(
    {
      config: 'config/proxy/full.yaml',
      profile: 'telnyx',
      listen,
      carrier,
      customer,
      logFile: 'out/flag.log',
      recordRoute: true,
      enforce: null,
      tlsCert: 'config/proxy/certs/key.pem',
      tlsKey: 'config/proxy/certs/cert.pem',
      tlsCa: 'config/proxy/certs/cert.pem',
      verifyPeer: true,
    },
    cwd,
  );
  t.is(settings.judge.profile.name, 'telnyx');
  t.deepEqual(settings.listeners, listen);
  t.deepEqual(settings.carrier, carrier);
  t.deepEqual(settings.customer, customer);
  t.is(settings.log.file, `${cwd}out/flag.log`);
  // What no flag sets still comes from the file.
  t.false(settings.log.console);
  t.is(settings.maxMessageBytes, 16384);
  t.true(settings.recordRoute);
  t.is(settings.enforce, null, '--enforce off wins over enforce: high');
  t.is(settings.tls.certFile, `${fixtures}certs/key.pem`);
  t.is(settings.tls.keyFile, `${fixtures}certs/cert.pem`);
  t.is(settings.tls.caFile, `${fixtures}certs/cert.pem`);
  t.true(settings.tls.verifyPeer);
  t.is(settings.tls.serverName, 'sip.example.com');
});

test('--profile as a path is relative to cwd; the file profile path to the file', async (t) => {
  const fromFile = await loadProxySettings({ config: fixture('profile-path') });
  t.is(fromFile.judge.profile.name, 'minimal');
  const cwd = fileURLToPath(new URL('test/fixtures/rules/', root));
  const fromFlag = await loadProxySettings({ config: fixture('minimal'), profile: './minimal.yaml' }, cwd);
  t.is(fromFlag.judge.profile.name, 'minimal');
});

test('no carrier in the file or the flags: a UsageError saying how to give one', async (t) => {
  const error = await t.throwsAsync(loadProxySettings({ config: fixture('no-carrier') }), {
    instanceOf: UsageError,
  });
  t.regex(
    error?.message ?? '',
    /^no carrier to forward to: give --carrier HOST\[:PORT\]\[;transport=udp\|tcp\|tls\]/,
  );
  t.regex(error?.message ?? '', /--carrier 'mytrunk\.pstn\.twilio\.com;transport=tls'/);
  t.regex(error?.message ?? '', /or set proxy\.carrier in .*no-carrier\.yaml$/);
  const carrier = { host: '203.0.113.1', port: null, transport: null, text: '203.0.113.1' };
  t.is((await loadProxySettings({ config: fixture('no-carrier'), carrier })).carrier, carrier);
});

test('proxy.listen[0].transport: the schema names the field, the line and the allowed values', async (t) => {
  const error = await configError('bad-transport');
  t.is(error.file, fixture('bad-transport'));
  t.deepEqual(places(error), ['5 proxy.listen[0].transport']);
  t.is(error.column, 20);
  t.regex(
    error.message,
    /bad-transport\.yaml:5:20: proxy\.listen\[0\]\.transport: expected one of udp, tcp, tls,/,
  );
  t.deepEqual(texts(error), ['proxy.listen[0].transport: expected one of udp, tcp, tls, got "sctp"']);
});

test('addresses, next hops, server name: checked with the flags parsers, each at its line', async (t) => {
  const error = await configError('bad-strings');
  t.deepEqual(places(error), [
    '5 proxy.listen[0].host',
    '7 proxy.listen[0].advertise',
    '8 proxy.carrier',
    '9 proxy.customer',
    '11 proxy.tls.serverName',
  ]);
  t.is(error.issues[2]?.column, 12);
  t.deepEqual(texts(error), [
    'proxy.listen[0].host: expected an IPv4 or IPv6 address to bind (0.0.0.0 or :: for every interface), ' +
      'got "localhost" (not an IP address)',
    'proxy.listen[0].advertise: expected host[:port] to write in Via and Record-Route, ' +
      'got "0.0.0.0:5060" ("0.0.0.0" means every interface; peers need an address they can reach)',
    'proxy.carrier: expected a next hop written host[:port][;transport=udp|tcp|tls], ' +
      'got "10.0.0.300:5060" ("10.0.0.300" is not a valid IPv4 address)',
    'proxy.customer: expected a next hop written host[:port][;transport=udp|tcp|tls], ' +
      'got "sip:pbx.example.com" (a next hop is not a SIP URI: write the host without "sip:")',
    'proxy.tls.serverName: expected a host name for SNI and the certificate check, ' +
      'got "203.0.113.5" (SNI carries host names, never IP addresses: RFC 6066 §3)',
  ]);
});

test('ranges, lists and unknown fields in proxy: and log: are reported together', async (t) => {
  const error = await configError('bad-values');
  t.deepEqual(places(error), [
    '3 proxy.carrier',
    '4 proxy.enforce',
    '5 proxy.maxMessageBytes',
    '6 proxy.dialogs.maxCalls',
    '7 proxy.recordroute',
    '9 log.level',
  ]);
  const [carrier, enforce, bytes, calls, unknown, level] = texts(error);
  t.regex(carrier ?? '', /got "trunk\.example\.com:99999" \(the port 99999 is not in 1-65535\)$/);
  t.is(
    enforce,
    'proxy.enforce: expected off or a severity: one of info, low, medium, high, critical, got "on"',
  );
  t.is(bytes, 'proxy.maxMessageBytes: expected a byte count 1024-1048576, got 100');
  t.is(calls, 'proxy.dialogs.maxCalls: expected a call count 1-10000000, got 0');
  t.regex(
    unknown ?? '',
    /^proxy\.recordroute: expected one of the known fields \(listen, carrier, customer, /,
  );
  t.regex(unknown ?? '', /got unknown field "recordroute" \(did you mean "recordRoute"\?\)$/);
  t.is(level, 'log.level: expected one of error, warn, info, debug, got "trace"');
});

test('a judge problem and a proxy problem in one file are reported together', async (t) => {
  const error = await configError('judge-and-proxy');
  t.deepEqual(places(error), ['3 policy.srtp', '5 proxy.carrier']);
});

test('a TLS listener without certificate and key: issues at proxy.tls.cert and .key', async (t) => {
  const error = await configError('tls-no-cert');
  // No tls: mapping yet, so both point at the listener that needs them.
  t.deepEqual(places(error), ['6 proxy.tls.cert', '6 proxy.tls.key']);
  t.deepEqual(texts(error), [
    'proxy.tls.cert: expected a PEM certificate file, which the TLS listener tls:0.0.0.0:5061 needs, ' +
      'got nothing (the field is missing)',
    'proxy.tls.key: expected the PEM private key of the certificate file, ' +
      'which the TLS listener tls:0.0.0.0:5061 needs, got nothing (the field is missing)',
  ]);
});

test('a certificate without its key is refused even without a TLS listener', async (t) => {
  const error = await configError('tls-cert-only');
  t.deepEqual(places(error), ['5 proxy.tls.key']);
  t.deepEqual(texts(error), [
    'proxy.tls.key: expected the PEM private key of the certificate file, since proxy.tls.cert is set, ' +
      'got nothing (the field is missing)',
  ]);
});

test('a TLS listener from --listen without --tls-cert: a UsageError naming the flags', async (t) => {
  const listen = [{ transport: 'tls', host: '0.0.0.0', port: 5061, side: 'auto', advertise: null }] as const;
  const error = await t.throwsAsync(loadProxySettings({ config: fixture('minimal'), listen }), {
    instanceOf: UsageError,
  });
  t.regex(
    error?.message ?? '',
    /^--tls-cert FILE is missing, which the TLS listener tls:0\.0\.0\.0:5061 needs: give --tls-cert FILE /,
  );
  t.regex(error?.message ?? '', /or set proxy\.tls\.cert and proxy\.tls\.key in .*minimal\.yaml$/);
});

test('TLS files must be readable: in the file, an issue at the field; in a flag, a UsageError', async (t) => {
  const error = await configError('tls-missing-file');
  t.deepEqual(places(error), ['5 proxy.tls.cert']);
  t.regex(
    texts(error)[0] ?? '',
    /^proxy\.tls\.cert: expected a PEM certificate file that can be read, got "certs\/no-such\.pem" /,
  );
  t.regex(texts(error)[0] ?? '', /\(cannot read .*no-such\.pem: ENOENT\)$/);
  const flag = await t.throwsAsync(
    loadProxySettings({ config: fixture('minimal'), tlsCert: 'nope.pem', tlsKey: 'nope.key' }, fixtures),
    { instanceOf: UsageError },
  );
  t.regex(flag?.message ?? '', /^--tls-cert .*nope\.pem: cannot read the file \(ENOENT\)$/);
});

test('two listeners on one TCP port (tcp and tls) are refused at the second', async (t) => {
  const error = await configError('duplicate-listeners');
  t.deepEqual(places(error), ['7 proxy.listen[2]']);
  t.deepEqual(texts(error), [
    'proxy.listen[2]: expected a host and port no other tcp listener binds (item [0] does), got 0.0.0.0:5060',
  ]);
});
