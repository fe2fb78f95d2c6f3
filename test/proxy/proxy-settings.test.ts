/**
 * loadProxySettings: the shipped config, defaults, every field read from a file, flags winning
 * over the file, and errors that name file, line and field.
 */
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { UsageError } from '../../src/commands/command-io.js';
import { ConfigError, defaultPolicy } from '../../src/policy/load-config.js';
import { DEFAULT_LIMITS } from '../../src/proxy/limits.js';
import {
  DEFAULT_TLS_CIPHERS,
  defaultListeners,
  loadProxySettings,
  parseHttpListen,
  tokenProblem,
} from '../../src/proxy/load-proxy-settings.js';

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
  t.deepEqual(settings.log, { console: { level: 'info' }, file: null, syslog: null, negotiations: null });
  t.deepEqual(settings.http, { host: '127.0.0.1', port: 8080, token: null });
  t.deepEqual(settings.recentCalls, { maxCalls: 1000, maxBytes: 32 * 1024 * 1024 });
  t.deepEqual(settings.tls, {
    certFile: null,
    keyFile: null,
    caFile: null,
    verifyPeer: true,
    serverName: null,
    minVersion: 'TLSv1.2',
    ciphers: DEFAULT_TLS_CIPHERS,
    handshakeSeconds: 10,
  });
  t.deepEqual(settings.limits, DEFAULT_LIMITS);
  t.false(/RC4|3DES|NULL|EXPORT/.test(DEFAULT_TLS_CIPHERS.split(':!')[0] ?? ''), 'nothing weak is asked for');
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
  t.is(settings.http, null, 'no http: section, no HTTP server');
  t.deepEqual(settings.recentCalls, { maxCalls: 1000, maxBytes: 33_554_432 });
  t.deepEqual(settings.log, { console: { level: 'info' }, file: null, syslog: null, negotiations: null });
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
    ciphers: 'ECDHE+AESGCM:!aNULL',
    handshakeSeconds: 5,
  });
  t.deepEqual(settings.limits, {
    message: { ...DEFAULT_LIMITS.message, maxVias: 20, maxSdpLines: 500 },
    connections: { ...DEFAULT_LIMITS.connections, perSource: 8, messageSeconds: 3 },
    flood: { ...DEFAULT_LIMITS.flood, requestsPerSecond: 10, block: true, exempt: ['192.0.2.0/24'] },
    reportSeconds: 30,
  });
  t.deepEqual(settings.recentCalls, { maxCalls: 200, maxBytes: 2_097_152 });
  t.deepEqual(settings.log, {
    console: null,
    file: { path: `${fixtures}logs/proxy.log`, level: 'debug', maxBytes: 1_048_576, maxFiles: 3 },
    syslog: {
      host: 'syslog.example.com',
      port: 6514,
      protocol: 'tcp',
      level: 'error',
      appName: 'tg-edge-1',
      facility: 'local3',
    },
    negotiations: {
      path: `${fixtures}logs/negotiations.jsonl`,
      maxBytes: 10_485_760,
      maxAgeSeconds: 6 * 3600,
      maxFiles: 4,
      hashSecretFile: `${fixtures}secrets/negotiations.secret`,
    },
  });
  // tokenFile: the file's content, whitespace around it trimmed.
  t.deepEqual(settings.http, { host: '0.0.0.0', port: 9443, token: '3f9c2a7e5b1d4c8f9a0b6e2d7c1f4a8b' });
});

test('each log output and the HTTP server with only what it needs: defaults for the rest', async (t) => {
  const settings = await loadProxySettings({ config: fixture('outputs-defaults') });
  t.deepEqual(settings.log, {
    console: { level: 'info' },
    file: { path: `${fixtures}trunkguard.log`, level: 'info', maxBytes: 52_428_800, maxFiles: 10 },
    syslog: {
      host: '127.0.0.1',
      port: 514,
      protocol: 'udp',
      level: 'warn',
      appName: 'trunkguard',
      facility: 'local0',
    },
    negotiations: {
      path: `${fixtures}negotiations.jsonl`,
      maxBytes: 104_857_600,
      maxAgeSeconds: 86_400,
      maxFiles: 14,
      hashSecretFile: null,
    },
  });
  t.deepEqual(settings.http, { host: '127.0.0.1', port: 8080, token: null });
});

test('http.listen: IPv6 in brackets, a bare port on 127.0.0.1; an inline token', async (t) => {
  const v6 = await loadProxySettings({ config: fixture('http-token') });
  t.deepEqual(v6.http, { host: '::1', port: 8080, token: '0123456789abcdef0123456789abcdef' });
  const port = await loadProxySettings({ config: fixture('http-port') });
  t.deepEqual(port.http, { host: '127.0.0.1', port: 9090, token: null });
  t.is(port.log.console, null, 'console: false');
});

test('parseHttpListen: host defaults to 127.0.0.1; IPv6; bad ports and hosts give the reason', (t) => {
  t.deepEqual(parseHttpListen('8080'), { host: '127.0.0.1', port: 8080 });
  t.deepEqual(parseHttpListen(' 0 '), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseHttpListen('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  t.deepEqual(parseHttpListen('[::1]:8080'), { host: '::1', port: 8080 });
  t.deepEqual(parseHttpListen('[::]:9000'), { host: '::', port: 9000 });
  t.is(parseHttpListen('70000'), 'the port 70000 is not in 0-65535');
  t.is(parseHttpListen('127.0.0.1:65536'), 'the port 65536 is not in 0-65535');
  t.is(parseHttpListen('127.0.0.1:http'), 'the port "http" is not a number');
  t.is(parseHttpListen('127.0.0.1'), 'no port: write 127.0.0.1:PORT, e.g. 127.0.0.1:8080');
  t.is(parseHttpListen('[::1]'), 'no port: write [::1]:PORT, e.g. [::1]:8080');
  t.is(parseHttpListen('::1'), 'an IPv6 address is written in brackets, then its port: [::1]:8080');
  t.is(parseHttpListen('localhost:8080'), '"localhost" is not an IP address');
  t.is(parseHttpListen('::1:8080'), 'an IPv6 address is written in brackets, then its port: [::1]:8080');
  t.is(parseHttpListen('[fe80::1'), 'an IPv6 address opened with "[" needs a closing "]"');
  t.is(parseHttpListen(''), 'the host is empty');
});

test('tokenProblem: RFC 6750 characters, 16 at least; the token itself never in the reason', (t) => {
  t.is(tokenProblem('0123456789abcdef'), null);
  t.is(tokenProblem('abcDEF012-._~+/xyz=='), null);
  t.is(tokenProblem(''), 'nothing');
  t.is(tokenProblem('x'), '1 character, fewer than 16');
  t.is(tokenProblem('hunter2'), '7 characters, fewer than 16');
  t.is(tokenProblem('0123456789 abcdef'), '17 characters, some of them not allowed in a bearer token');
  t.is(tokenProblem('0123456789abcdef=x'), '18 characters, some of them not allowed in a bearer token');
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
      http: { host: '::1', port: 0 },
      httpTokenFile: 'config/proxy/secrets/http-token',
      logFile: 'out/flag.log',
      negotiationLog: 'out/negotiations.jsonl',
      syslog: { host: '192.0.2.50', port: 1514, protocol: 'udp' },
      logLevel: 'warn',
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
  t.deepEqual(settings.http, { host: '::1', port: 0, token: '3f9c2a7e5b1d4c8f9a0b6e2d7c1f4a8b' });
  // --log-level turns on the console the file turned off.
  t.deepEqual(settings.log.console, { level: 'warn' });
  // Each flag sets one field of its output; the others still come from the file.
  t.deepEqual(settings.log.file, {
    path: `${cwd}out/flag.log`,
    level: 'debug',
    maxBytes: 1_048_576,
    maxFiles: 3,
  });
  t.deepEqual(settings.log.negotiations, {
    path: `${cwd}out/negotiations.jsonl`,
    maxBytes: 10_485_760,
    maxAgeSeconds: 6 * 3600,
    maxFiles: 4,
    hashSecretFile: `${fixtures}secrets/negotiations.secret`,
  });
  t.deepEqual(settings.log.syslog, {
    host: '192.0.2.50',
    port: 1514,
    protocol: 'udp',
    level: 'error',
    appName: 'tg-edge-1',
    facility: 'local3',
  });
  // What no flag sets still comes from the file.
  t.is(settings.maxMessageBytes, 16384);
  t.deepEqual(settings.recentCalls, { maxCalls: 200, maxBytes: 2_097_152 });
  t.true(settings.recordRoute);
  t.is(settings.enforce, null, '--enforce off wins over enforce: high');
  t.is(settings.tls.certFile, `${fixtures}certs/key.pem`);
  t.is(settings.tls.keyFile, `${fixtures}certs/cert.pem`);
  t.is(settings.tls.caFile, `${fixtures}certs/cert.pem`);
  t.true(settings.tls.verifyPeer);
  t.is(settings.tls.serverName, 'sip.example.com');
});

test('log flags over a config without those outputs: defaults for the fields they leave', async (t) => {
  const settings = await loadProxySettings(
    {
      config: fixture('minimal'),
      logFile: 'a.log',
      negotiationLog: 'n.jsonl',
      syslog: { host: 'logs.example.com', port: 514, protocol: 'tcp' },
    },
    fixtures,
  );
  t.deepEqual(settings.log, {
    console: { level: 'info' },
    file: { path: `${fixtures}a.log`, level: 'info', maxBytes: 52_428_800, maxFiles: 10 },
    syslog: {
      host: 'logs.example.com',
      port: 514,
      protocol: 'tcp',
      level: 'warn',
      appName: 'trunkguard',
      facility: 'local0',
    },
    negotiations: {
      path: `${fixtures}n.jsonl`,
      maxBytes: 104_857_600,
      maxAgeSeconds: 86_400,
      maxFiles: 14,
      hashSecretFile: null,
    },
  });
});

test('--quiet turns the console off; --log-level sets its level', async (t) => {
  const quiet = await loadProxySettings({ config: fixture('outputs-defaults'), quiet: true });
  t.is(quiet.log.console, null);
  t.not(quiet.log.file, null, 'the other outputs still write');
  const debug = await loadProxySettings({ config: fixture('outputs-defaults'), logLevel: 'debug' });
  t.deepEqual(debug.log.console, { level: 'debug' });
  t.is(debug.log.file?.level, 'info', "--log-level is the console's only");
});

test('--http wins over http.listen and turns the server on; --no-http turns it off', async (t) => {
  const on = await loadProxySettings({ config: fixture('minimal'), http: { host: '127.0.0.1', port: 0 } });
  t.deepEqual(on.http, { host: '127.0.0.1', port: 0, token: null });
  const over = await loadProxySettings({
    config: fixture('http-token'),
    http: { host: '0.0.0.0', port: 80 },
  });
  t.deepEqual(over.http, { host: '0.0.0.0', port: 80, token: '0123456789abcdef0123456789abcdef' });
  t.is((await loadProxySettings({ http: null })).http, null, 'the shipped config serves HTTP');
});

test('--http-token-file: read from cwd, trimmed; unreadable, short, or with no server: UsageError', async (t) => {
  const settings = await loadProxySettings(
    { config: fixture('http-port'), httpTokenFile: 'secrets/http-token' },
    fixtures,
  );
  t.is(settings.http?.token, '3f9c2a7e5b1d4c8f9a0b6e2d7c1f4a8b');
  const missing = await t.throwsAsync(
    loadProxySettings({ config: fixture('http-port'), httpTokenFile: 'nope' }, fixtures),
    { instanceOf: UsageError },
  );
  t.regex(missing?.message ?? '', /^--http-token-file .*nope: cannot read the file \(ENOENT\)$/);
  const short = await t.throwsAsync(
    loadProxySettings({ config: fixture('http-port'), httpTokenFile: 'secrets/short-token' }, fixtures),
    { instanceOf: UsageError },
  );
  t.regex(short?.message ?? '', /^--http-token-file .*short-token: expected a file holding a bearer token /);
  t.regex(short?.message ?? '', /got one holding 5 characters, fewer than 16$/);
  t.false((short?.message ?? '').includes('short\n'));
  const noServer = await t.throwsAsync(
    loadProxySettings({ config: fixture('minimal'), httpTokenFile: 'secrets/http-token' }, fixtures),
    { instanceOf: UsageError },
  );
  t.regex(
    noServer?.message ?? '',
    /^--http-token-file protects the HTTP server, which does not run without --http or an http: section in .*minimal\.yaml$/,
  );
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
    '9 log.console.level',
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
  t.is(level, 'log.console.level: expected one of error, warn, info, debug, got "trace"');
});

test('http: a bad port and a short token, each at its line; the token is not printed', async (t) => {
  const error = await configError('bad-http');
  t.deepEqual(places(error), ['5 http.listen', '6 http.token']);
  t.deepEqual(texts(error), [
    'http.listen: expected HOST:PORT to serve HTTP on, or a PORT alone for 127.0.0.1:PORT, ' +
      'got "127.0.0.1:80800" (the port 80800 is not in 0-65535)',
    'http.token: expected a bearer token of at least 16 characters: letters, digits and - . _ ~ + / ' +
      '(RFC 6750), e.g. from `openssl rand -hex 32`, got a token of 7 characters, fewer than 16',
  ]);
  t.false(error.message.includes('hunter2'));
});

test('http.token and http.tokenFile together: one error naming both', async (t) => {
  const error = await configError('http-token-both');
  t.deepEqual(places(error), ['7 http.tokenFile']);
  t.deepEqual(texts(error), [
    'http.tokenFile: expected either http.token or http.tokenFile, not both, ' +
      'got "secrets/http-token" as well as http.token',
  ]);
});

test('http.tokenFile must be readable and hold a token: an issue at the field', async (t) => {
  const missing = await configError('http-token-file-missing');
  t.deepEqual(places(missing), ['6 http.tokenFile']);
  t.regex(
    texts(missing)[0] ?? '',
    /^http\.tokenFile: expected a file holding a bearer token .*, got "secrets\/no-such-token" \(cannot read .*no-such-token: ENOENT\)$/,
  );
  const short = await configError('http-token-file-bad');
  t.deepEqual(places(short), ['5 http.tokenFile']);
  t.regex(texts(short)[0] ?? '', /got "secrets\/short-token", holding 5 characters, fewer than 16$/);
});

test('log outputs and recentCalls: every bad field reported, each once, at its line', async (t) => {
  const error = await configError('bad-log');
  t.deepEqual(places(error), [
    '4 proxy.recentCalls.maxCalls',
    '4 proxy.recentCalls.maxBytes',
    '6 log.console.level',
    '7 log.file.path',
    '9 log.syslog.host',
    '10 log.syslog.protocol',
    '11 log.syslog.appName',
    '12 log.syslog.facility',
    '13 log.negotiations.maxAgeHours',
    '13 log.negotiations.maxFiles',
  ]);
  t.deepEqual(texts(error), [
    'proxy.recentCalls.maxCalls: expected a call count 1-1000000, got 0',
    'proxy.recentCalls.maxBytes: expected a byte count 1048576-4294967296 (1 MiB-4 GiB), got 1024',
    'log.console.level: expected one of error, warn, info, debug, got "verbose"',
    'log.file.path: expected a path to the log file (relative to this config file), ' +
      'got nothing (the field is missing)',
    'log.syslog.host: expected the host name or IP address of the syslog server, ' +
      'got "syslog example" (neither an IP address nor a host name)',
    'log.syslog.protocol: expected one of udp, tcp, got "tls"',
    'log.syslog.appName: expected an app name of 1-48 printable ASCII characters without spaces ' +
      '(RFC 5424 APP-NAME), got "trunk guard"',
    'log.syslog.facility: expected a syslog facility: one of kern, user, mail, daemon, auth, syslog, lpr, ' +
      'news, uucp, clock, sec, ftp, ntp, audit, alert, local0, local1, local2, local3, local4, local5, ' +
      'local6, local7, got "cron"',
    'log.negotiations.maxAgeHours: expected a number of hours 1-8760, got 0',
    'log.negotiations.maxFiles: expected a file count 1-1000, got 1001',
  ]);
});

test('the log section before per-output settings is refused, field by field', async (t) => {
  const error = await configError('old-log');
  t.deepEqual(texts(error), [
    'log.console: expected false (no console output) or a mapping with a level, e.g. { level: info }, got true',
    'log.file: expected a mapping with a path (and level, maxBytes, maxFiles), e.g. { path: trunkguard.log }, ' +
      'got "logs/proxy.log"',
    'log.level: expected one of the known fields (console, file, syslog, negotiations), got unknown field "level"',
  ]);
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
