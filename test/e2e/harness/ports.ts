/**
 * Ports for the e2e tests, chosen at run time so that tests never collide with each other, with
 * a SIP server on the machine, or with a second CI run: freePort() gives a port that is free for
 * both UDP and TCP (SIP peers listen on both), and waitForSocket() tells when a child process has
 * bound one, by reading the kernel's socket tables instead of poking the port.
 */
import { createSocket } from 'node:dgram';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Ports this process has handed out already: a test asks for several ports before any peer binds
 * them, and a probe finds each free until then; skipping the ones already given keeps them distinct.
 */
const handedOut = new Set<number>();

/** Binds TCP on host:port (0 = any) and gives back the port, the socket closed again. */
function probeTcp(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** True when UDP host:port can be bound right now (the socket closed again). */
function probeUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/**
 * Where ports are picked: below the kernel's ephemeral range (ip_local_port_range, 32768-60999
 * by default). A port from bind(0) is one the kernel may hand to any other socket of any process
 * a moment later (an outgoing TCP connection, a UDP socket bound to port 0, SIPp's own sockets),
 * between our probe and the peer binding it; ports below that range it never hands out by
 * itself, so only another explicit pick can take one, and picks are random over ~20,000 ports.
 */
const PICK_FROM = 10_000;

async function pickLimit(): Promise<number> {
  try {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'latin1');
    const low = Number(range.trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > PICK_FROM + 1000) return low;
  } catch {
    // not Linux: keep the default
  }
  return 32_768;
}

/**
 * A port on host that is free for both UDP and TCP, picked at random below the ephemeral range
 * and probed (bind TCP, then UDP); otherwise try again (bounded).
 * `alsoFree` asks for more ports at fixed offsets to be free on UDP as well (SIPp binds its media
 * echo sockets at -mp and -mp+2).
 */
export async function freePort(host = '127.0.0.1', alsoFree: readonly number[] = []): Promise<number> {
  const limit = await pickLimit();
  const offsets = [0, ...alsoFree];
  const widest = Math.max(...offsets);
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = PICK_FROM + Math.floor(Math.random() * (limit - PICK_FROM - widest));
    if (offsets.some((offset) => handedOut.has(port + offset))) continue;
    if ((await probeTcp(host, port)) !== port) continue;
    let free = true;
    for (const offset of offsets) {
      if (!(await probeUdp(host, port + offset))) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    for (const offset of offsets) handedOut.add(port + offset);
    return port;
  }
  throw new Error(`freePort: found no port on ${host} free for both UDP and TCP in 200 attempts`);
}

export type SocketProtocol = 'udp' | 'tcp';

/** The hex form /proc/net/{udp,tcp} uses for an IPv4 address and port: 0100007F:13C4. */
function procAddress(host: string, port: number): string {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
    throw new Error(`waitForSocket: ${host} is not an IPv4 address`);
  }
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  // The kernel prints the address as one little-endian 32-bit word.
  const word = octets.reverse().reduce((acc, octet) => acc * 256 + octet, 0);
  return `${hex(word, 8)}:${hex(port, 4)}`;
}

/**
 * Inodes of the sockets bound to host:port: UDP sockets in any state, TCP ones only when
 * listening (state 0A). Also counts a wildcard bind (0.0.0.0) on that port.
 */
async function socketInodes(protocol: SocketProtocol, host: string, port: number): Promise<Set<string>> {
  const table = await readFile(`/proc/net/${protocol}`, 'utf8');
  const wanted = new Set([procAddress(host, port), procAddress('0.0.0.0', port)]);
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (local === undefined || inode === undefined || !wanted.has(local)) continue;
    if (protocol === 'tcp' && state !== '0A') continue;
    inodes.add(inode);
  }
  return inodes;
}

/** True when one of pids holds an open file descriptor on one of the socket inodes. */
async function heldBy(pids: readonly number[], inodes: Set<string>): Promise<boolean> {
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // the process is gone (its exit is the caller's business)
    }
    for (const fd of fds) {
      try {
        const target = await readlink(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1] !== undefined && inodes.has(match[1])) return true;
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return false;
}

export interface WaitForSocketOptions {
  readonly protocol: SocketProtocol;
  readonly host: string;
  readonly port: number;
  /** Only a socket held by one of these processes counts (so a stray process cannot fool us). */
  readonly pids: () => readonly number[];
  readonly timeoutMs: number;
  /** Checked between polls: throw (e.g. "process exited") to stop waiting early. */
  readonly stillWorthWaiting?: () => void;
  readonly pollMs?: number;
}

/**
 * Waits until a process has bound host:port (UDP) or listens on it (TCP). Linux only: reads
 * /proc/net and /proc/PID/fd. This never binds or connects to the port, so it cannot race
 * the process for its own port (a bind probe could make the peer fail with EADDRINUSE) and
 * cannot send it anything it would log as an unexpected message.
 */
export async function waitForSocket(options: WaitForSocketOptions): Promise<void> {
  const { protocol, host, port, timeoutMs, pollMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    options.stillWorthWaiting?.();
    const inodes = await socketInodes(protocol, host, port);
    if (inodes.size > 0 && (await heldBy(options.pids(), inodes))) return;
    if (Date.now() >= deadline) {
      throw new Error(`no ${protocol.toUpperCase()} socket on ${host}:${port} after ${timeoutMs} ms`);
    }
    await sleep(pollMs);
  }
}
