/**
 * Kamailio as the carrier's TLS edge in the e2e tests: a real TLS SIP peer (OpenSSL through
 * Kamailio's tls module) that relays every call to a SIPp UAS over UDP and stays in the dialog
 * (Record-Route), configured by test/fixtures/kamailio/tls-relay.cfg and tls.cfg.
 * It runs in the foreground as the current user (no root, no -u/-g), on ports chosen at run time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { describe, type ManagedProcess, startProcess, type TeardownHost } from './processes.js';

export const KAMAILIO_FIXTURES = fileURLToPath(
  new URL('../../../../test/fixtures/kamailio/', import.meta.url),
);
export const TLS_FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/tls/', import.meta.url));

/** The test CA, the server certificate Kamailio shows, and the proxy's own pair. */
export const TEST_TLS = {
  ca: join(TLS_FIXTURES, 'ca.crt'),
  serverCert: join(TLS_FIXTURES, 'server.crt'),
  serverKey: join(TLS_FIXTURES, 'server.key'),
  proxyCert: join(TLS_FIXTURES, 'proxy.crt'),
  proxyKey: join(TLS_FIXTURES, 'proxy.key'),
} as const;

/** Debian puts kamailio in /usr/sbin, which a non-root PATH may lack; KAMAILIO may name another. */
function findKamailio(): string {
  if (process.env.KAMAILIO !== undefined) return process.env.KAMAILIO;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.filter((dir) => dir !== '').find((dir) => existsSync(join(dir, 'kamailio')));
  if (found === undefined) {
    throw new Error(
      'kamailio is not installed: the TLS e2e tests need it (Debian package kamailio; .ci/run installs it)',
    );
  }
  return join(found, 'kamailio');
}

/**
 * Kamailio's TLS module is a package of its own (kamailio-tls-modules); without it Kamailio would
 * only say "could not find module". KAMAILIO_MODULES may name the module directory.
 */
function requireTlsModule(): string | undefined {
  const override = process.env.KAMAILIO_MODULES;
  const candidates =
    override !== undefined
      ? [override]
      : [
          '/usr/lib/kamailio/modules',
          '/usr/local/lib/kamailio/modules',
          ...(existsSync('/usr/lib')
            ? readdirSync('/usr/lib').map((dir) => join('/usr/lib', dir, 'kamailio/modules'))
            : []),
        ];
  const found = candidates.find((dir) => existsSync(join(dir, 'tls.so')));
  if (found === undefined) {
    const searched = candidates.filter(existsSync).join(', ') || 'any module directory';
    throw new Error(
      `Kamailio's tls.so was not found in ${searched}: ` +
        'install the Debian package kamailio-tls-modules (.ci/run does)',
    );
  }
  return override;
}

/**
 * One TLS handshake with host:port trusting only the test CA (the certificate must be valid for
 * that IP), closed again at once. Resolves true on success, false on any failure within timeoutMs.
 */
export function tlsHandshake(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, ca: readFileSync(TEST_TLS.ca), timeout: timeoutMs });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(socket.authorized));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export interface KamailioTlsRelayOptions {
  /** Kamailio's TLS listener, on 127.0.0.1. */
  readonly tlsPort: number;
  /** Where it sends every new call (the SIPp UAS), over UDP. */
  readonly uasHost: string;
  readonly uasPort: number;
  /** Its runtime directory and PID file go here (a test's temporary directory). */
  readonly workDir: string;
  /** Its UDP socket facing the UAS; a free port by default. */
  readonly udpPort?: number;
  /** How long to wait for a TLS handshake to succeed; 15 s by default. */
  readonly readyTimeoutMs?: number;
  /** Pass ava's `t`: Kamailio is then stopped when the test ends, passed or failed. */
  readonly t?: TeardownHost;
}

export interface KamailioTlsRelay {
  readonly proc: ManagedProcess;
  readonly tlsPort: number;
  readonly udpPort: number;
  /** '127.0.0.1:tlsPort', for --carrier 127.0.0.1:PORT;transport=tls. */
  readonly address: string;
  stop(): Promise<unknown>;
}

/**
 * Starts Kamailio with tls-relay.cfg and resolves once a TLS handshake with its listener
 * succeeds (polled every 50 ms, bounded). Rejects with its last log lines if it exits first
 * or never gets ready; it is stopped in both cases.
 */
export async function startKamailioTlsRelay(options: KamailioTlsRelayOptions): Promise<KamailioTlsRelay> {
  const kamailio = findKamailio();
  const modules = requireTlsModule();
  const udpPort = options.udpPort ?? (await freePort('127.0.0.1'));
  const runDir = join(options.workDir, 'kamailio-run');
  await mkdir(runDir, { recursive: true });
  const args = [
    // -DD: the process we start stays in the foreground (its PID is ours to stop) and forks its
    // workers (-D alone would not fork at all, and TCP/TLS need the workers). -E: log to stderr.
    '-DD',
    '-E',
    '-f',
    join(KAMAILIO_FIXTURES, 'tls-relay.cfg'),
    // tls.cfg names certificates relative to this folder; Kamailio resolves them against its
    // working directory (which it sets to / unless told), not against the config file.
    '-w',
    KAMAILIO_FIXTURES,
    // Runtime files (control sockets) and PID file in the test's directory: no /run, no root.
    '-Y',
    runDir,
    '-P',
    join(options.workDir, 'kamailio.pid'),
    // Small memory: a few test calls; tlsf is Kamailio's default manager, named to be sure.
    '-m',
    '64',
    '-M',
    '8',
    '-x',
    'tlsf',
    // Only the sockets we give: TLS towards the proxy, UDP towards the UAS.
    '-l',
    `tls:127.0.0.1:${options.tlsPort}`,
    '-l',
    `udp:127.0.0.1:${udpPort}`,
    '-A',
    `TLS_CFG="${join(KAMAILIO_FIXTURES, 'tls.cfg')}"`,
    '-A',
    `UAS_ADDR="sip:${options.uasHost}:${options.uasPort};transport=udp"`,
    ...(modules === undefined ? [] : ['-L', modules]),
  ];
  const proc = startProcess(kamailio, args, { cwd: KAMAILIO_FIXTURES, name: 'kamailio', t: options.t });
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const exit = proc.exitStatus;
      if (exit !== null) throw new Error(`exited (${describe(exit)}) before its TLS listener was ready`);
      if (await tlsHandshake('127.0.0.1', options.tlsPort)) break;
      if (Date.now() >= deadline)
        throw new Error(`no TLS handshake on 127.0.0.1:${options.tlsPort} in ${timeoutMs} ms`);
      await sleep(50);
    }
  } catch (error) {
    await proc.stop();
    throw new Error(`kamailio (pid ${proc.pid}): ${(error as Error).message}\n${proc.tail()}`);
  }
  return {
    proc,
    tlsPort: options.tlsPort,
    udpPort,
    address: `127.0.0.1:${options.tlsPort}`,
    stop: () => proc.stop(),
  };
}
