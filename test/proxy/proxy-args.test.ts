/**
 * `trunkguard proxy` flags: parsed values, the --listen forms, and a UsageError naming the
 * flag for everything else.
 */
import test from 'ava';
import { UsageError } from '../../src/commands/command-io.js';
import { PROXY_USAGE, parseListen, parseProxyArgs } from '../../src/commands/proxy-args.js';
import { parseSyslog } from '../../src/commands/watch-flags.js';

function usageError(args: readonly string[]): string {
  try {
    parseProxyArgs(args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${args.join(' ')} parsed without an error`);
}

test('no flags: nothing set, the config decides', (t) => {
  const flags = parseProxyArgs([]);
  t.true(Object.values(flags).every((value) => value === undefined));
});

test('every flag parsed into its value', (t) => {
  const flags = parseProxyArgs([
    '--config',
    'my.yaml',
    '--listen',
    'tls:0.0.0.0:5061',
    '--carrier',
    'mytrunk.pstn.twilio.com;transport=tls',
    '--customer',
    '10.0.0.20:5060;transport=tcp',
    '--profile',
    'telnyx',
    '--http',
    '[::1]:8081',
    '--http-token-file',
    'token.txt',
    '--log',
    'proxy.log',
    '--negotiation-log',
    'negotiations.jsonl',
    '--syslog',
    'logs.example.com:1514;transport=tcp',
    '--log-level',
    'debug',
    '--no-record-route',
    '--enforce',
    'critical',
    '--tls-cert',
    'c.pem',
    '--tls-key',
    'k.pem',
    '--tls-ca',
    'ca.pem',
    '--no-verify-peer',
  ]);
  t.deepEqual(flags, {
    config: 'my.yaml',
    profile: 'telnyx',
    listen: [{ transport: 'tls', host: '0.0.0.0', port: 5061, side: 'auto', advertise: null }],
    carrier: {
      host: 'mytrunk.pstn.twilio.com',
      port: null,
      transport: 'tls',
      text: 'mytrunk.pstn.twilio.com;transport=tls',
    },
    customer: { host: '10.0.0.20', port: 5060, transport: 'tcp', text: '10.0.0.20:5060;transport=tcp' },
    http: { host: '::1', port: 8081 },
    httpTokenFile: 'token.txt',
    logFile: 'proxy.log',
    negotiationLog: 'negotiations.jsonl',
    syslog: { host: 'logs.example.com', port: 1514, protocol: 'tcp' },
    logLevel: 'debug',
    quiet: undefined,
    recordRoute: false,
    enforce: 'critical',
    tlsCert: 'c.pem',
    tlsKey: 'k.pem',
    tlsCa: 'ca.pem',
    verifyPeer: false,
  });
});

test('--record-route, --enforce off, --flag=value form', (t) => {
  const flags = parseProxyArgs(['--record-route', '--enforce=off', '--carrier=203.0.113.5']);
  t.true(flags.recordRoute);
  t.is(flags.enforce, null);
  t.is(flags.carrier?.host, '203.0.113.5');
});

test('--listen without a transport means UDP and TCP both; repeated, the lists add up', (t) => {
  const flags = parseProxyArgs(['--listen', '127.0.0.1:5070', '--listen', 'tls:[::]:5061;side=carrier']);
  t.deepEqual(flags.listen, [
    { transport: 'udp', host: '127.0.0.1', port: 5070, side: 'auto', advertise: null },
    { transport: 'tcp', host: '127.0.0.1', port: 5070, side: 'auto', advertise: null },
    { transport: 'tls', host: '::', port: 5061, side: 'carrier', advertise: null },
  ]);
});

test('parseListen: default ports, port 0, IPv6, side and advertise', (t) => {
  t.deepEqual(parseListen('tls:0.0.0.0'), [
    { transport: 'tls', host: '0.0.0.0', port: 5061, side: 'auto', advertise: null },
  ]);
  t.deepEqual(parseListen('UDP:127.0.0.1:0;side=customer'), [
    { transport: 'udp', host: '127.0.0.1', port: 0, side: 'customer', advertise: null },
  ]);
  t.deepEqual(parseListen('tcp:::1'), [
    { transport: 'tcp', host: '::1', port: 5060, side: 'auto', advertise: null },
  ]);
  t.deepEqual(parseListen('udp:10.0.0.5:5060;advertise=sbc.example.com:5060'), [
    {
      transport: 'udp',
      host: '10.0.0.5',
      port: 5060,
      side: 'auto',
      advertise: { host: 'sbc.example.com', port: 5060 },
    },
  ]);
  t.deepEqual(parseListen('[2001:db8::1]:5080;advertise=[2001:db8::1]')?.[1], {
    transport: 'tcp',
    host: '2001:db8::1',
    port: 5080,
    side: 'auto',
    advertise: { host: '2001:db8::1', port: null },
  });
});

test('--listen refusals name the flag and the problem', (t) => {
  const cases: [string, RegExp][] = [
    ['sctp:0.0.0.0:5060', /^--listen "sctp:0\.0\.0\.0:5060": "sctp" is not a transport \(udp, tcp or tls\)$/],
    ['localhost:5060', /"localhost" is not an IP address \(0\.0\.0\.0 for every IPv4 interface/],
    ['0.0.0.0:70000', /the port 70000 is not in 0-65535/],
    ['0.0.0.0:5060;side=both', /side "both" is not one of auto, carrier, customer/],
    ['0.0.0.0:5060;advertise=0.0.0.0', /advertise "0\.0\.0\.0": "0\.0\.0\.0" means every interface/],
    ['0.0.0.0:5060;maddr=1.2.3.4', /";maddr=1\.2\.3\.4" is not a --listen parameter/],
  ];
  for (const [text, reason] of cases) t.regex(usageError(['--listen', text]), reason, text);
  t.regex(
    usageError(['--listen', '0.0.0.0:5060', '--listen', 'tls:0.0.0.0:5060']),
    /--listen binds tls 0\.0\.0\.0:5060 twice \(tls and tcp share TCP ports\)/,
  );
});

test('--http HOST:PORT, [IPv6]:PORT, or a PORT alone on 127.0.0.1; --no-http', (t) => {
  t.deepEqual(parseProxyArgs(['--http', '0.0.0.0:8080']).http, { host: '0.0.0.0', port: 8080 });
  t.deepEqual(parseProxyArgs(['--http', '[::1]:9000']).http, { host: '::1', port: 9000 });
  t.deepEqual(parseProxyArgs(['--http=8081']).http, { host: '127.0.0.1', port: 8081 });
  t.deepEqual(parseProxyArgs(['--http', '127.0.0.1:0']).http, { host: '127.0.0.1', port: 0 });
  t.is(parseProxyArgs(['--no-http']).http, null);
  t.is(
    usageError(['--http', '127.0.0.1:99999']),
    '--http "127.0.0.1:99999": the port 99999 is not in 0-65535 (expected HOST:PORT, [IPv6]:PORT or PORT)',
  );
  t.regex(
    usageError(['--http', 'localhost:8080']),
    /^--http "localhost:8080": "localhost" is not an IP address/,
  );
  t.regex(usageError(['--http', '127.0.0.1']), /: no port: write 127\.0\.0\.1:PORT/);
  t.regex(usageError(['--http', '::1:8080']), /: an IPv6 address is written in brackets/);
  t.is(usageError(['--http', '8080', '--no-http']), 'give --http or --no-http, not both');
  t.is(
    usageError(['--no-http', '--http-token-file', 't']),
    '--http-token-file protects the HTTP server, which --no-http turns off',
  );
  t.is(usageError(['--http-token-file', '']), '--http-token-file needs a value');
});

test('--syslog HOST[:PORT][;transport=udp|tcp]: 514 and udp unless written', (t) => {
  t.deepEqual(parseProxyArgs(['--syslog', '10.0.0.9']).syslog, {
    host: '10.0.0.9',
    port: 514,
    protocol: 'udp',
  });
  t.deepEqual(parseSyslog('[2001:db8::9]:601;transport=TCP'), {
    host: '2001:db8::9',
    port: 601,
    protocol: 'tcp',
  });
  t.deepEqual(parseSyslog('logs.example.com;transport=udp'), {
    host: 'logs.example.com',
    port: 514,
    protocol: 'udp',
  });
  t.is(
    usageError(['--syslog', 'logs.example.com;transport=tls']),
    '--syslog "logs.example.com;transport=tls": transport "tls" is not one of udp, tcp ' +
      '(expected HOST[:PORT][;transport=udp|tcp])',
  );
  t.regex(usageError(['--syslog', 'logs:0']), /the port 0 is not in 1-65535/);
  t.regex(usageError(['--syslog', 'logs;facility=local0']), /";facility=local0" is not a --syslog parameter/);
});

test('--log-level sets the console level; --quiet turns the console off; not both', (t) => {
  t.is(parseProxyArgs(['--log-level', 'warn']).logLevel, 'warn');
  t.is(parseProxyArgs(['--quiet']).quiet, true);
  t.is(parseProxyArgs([]).quiet, undefined);
  t.is(usageError(['--log-level', 'trace']), '--log-level must be error, warn, info, debug, not "trace"');
  t.is(
    usageError(['--quiet', '--log-level', 'info']),
    'give --quiet or --log-level, not both (--quiet turns the console off)',
  );
  t.is(usageError(['--log', '']), '--log needs a value');
  t.is(usageError(['--negotiation-log', '']), '--negotiation-log needs a value');
});

test('bad values: the flag is named with what it takes', (t) => {
  t.is(
    usageError(['--carrier', 'trunk.example.com:5O60']),
    '--carrier "trunk.example.com:5O60": the port "5O60" is not a number ' +
      '(expected host[:port][;transport=udp|tcp|tls])',
  );
  t.regex(usageError(['--customer', 'sip:pbx']), /^--customer "sip:pbx": a next hop is not a SIP URI/);
  t.is(
    usageError(['--enforce', 'severe']),
    '--enforce must be off, info, low, medium, high or critical, not "severe"',
  );
  t.is(
    usageError(['--record-route', '--no-record-route']),
    'give --record-route or --no-record-route, not both',
  );
  t.is(usageError(['--config', '']), '--config needs a value');
  t.regex(usageError(['--carier', 'x']), /Unknown option '--carier'/);
  t.regex(usageError(['--carrier']), /--carrier/);
  t.is(usageError(['trace.ndjson']), 'proxy takes no FILE arguments, got "trace.ndjson"');
});

test('PROXY_USAGE documents every flag', (t) => {
  const flags = [
    '--config FILE',
    '--listen [T:]HOST[:PORT]',
    '--carrier HOP',
    '--customer HOP',
    '--profile NAME',
    '--log FILE',
    '--record-route',
    '--no-record-route',
    '--enforce SEVERITY',
    '--tls-cert FILE',
    '--tls-key FILE',
    '--tls-ca FILE',
    '--no-verify-peer',
    '--http HOST:PORT',
    '--no-http',
    '--http-token-file FILE',
    '--negotiation-log FILE',
    '--syslog HOST[:PORT][;transport=udp|tcp]',
    '--log-level LEVEL',
    '--quiet',
  ];
  for (const flag of flags) t.true(PROXY_USAGE.includes(`  ${flag}`), flag);
  t.true(PROXY_USAGE.split('\n').every((line) => line.length <= 100));
});
