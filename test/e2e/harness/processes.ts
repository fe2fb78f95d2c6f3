/**
 * Child processes for the e2e tests (SIPp, Kamailio, the proxy): started in the foreground so the
 * PID we hold is the real one, their output kept line by line so a test can wait for a line and
 * show the last ones when something goes wrong, and always stopped by PID: SIGTERM, a bounded
 * grace, then SIGKILL. Every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How many of the last output lines an error message shows. */
const TAIL_LINES = 40;

/** What ava's ExecutionContext offers that we need: `t` itself can be passed. */
export interface TeardownHost {
  teardown(fn: () => unknown): void;
}

export interface Exit {
  /** Exit code, or null when the process was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the test process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** A short name for messages; the command's base name by default. */
  readonly name?: string;
  /** Pass ava's `t`: the process is then stopped when the test ends, passed or failed. */
  readonly t?: TeardownHost;
}

export type LinePredicate = RegExp | ((line: string) => boolean);

/**
 * Rejects with "<what> did not finish within <ms> ms" unless promise settles first.
 * The timer is cleared either way so it never keeps the test process alive.
 */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Processes still running, killed outright if the test process exits without stopping them. */
const running = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort (an ava timeout, an uncaught error): 'exit' handlers must be synchronous,
  // so no grace here; the process group goes too, so forked workers (Kamailio's) do not linger.
  process.on('exit', () => {
    for (const child of running) child.killNow();
  });
}

/**
 * True while a live process of group pgid remains. Read from /proc (Linux) rather than with
 * kill(-pgid, 0), which also counts zombies: in a container whose init does not reap orphans,
 * a zombie would look alive forever.
 */
function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so cut at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export class ManagedProcess {
  readonly pid: number;
  readonly name: string;
  /** stdout and stderr, split into lines (without line ends), in the order they arrived. */
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  private exit: Exit | null = null;
  private readonly exited: Promise<Exit>;
  private readonly closed: Promise<void>;
  private readonly lineListeners = new Set<(line: string) => void>();
  private stopping: Promise<Exit> | null = null;
  private orphansGone: Promise<void> = Promise.resolve();

  constructor(cmd: string, args: readonly string[], options: StartOptions) {
    this.name = options.name ?? cmd.split('/').pop() ?? cmd;
    this.child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      // No stdin: neither SIPp nor Kamailio reads a terminal here.
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a SIGKILL can also reach the workers it forked, and signals
      // sent to the test's group (Ctrl-C) do not reach it before we stop it ourselves.
      detached: true,
    });
    const spawnError = new Promise<Exit>((resolve) => {
      this.child.once('error', (error) => {
        this.push(`[${this.name}] could not start: ${error.message}`);
        this.exit ??= { code: -1, signal: null };
        resolve(this.exit);
      });
    });
    if (this.child.pid === undefined) {
      // spawn failed synchronously enough that there is no PID (e.g. ENOENT); 'error' follows.
      this.pid = -1;
    } else {
      this.pid = this.child.pid;
      running.add(this);
      installExitHook();
    }
    this.exited = Promise.race([
      spawnError,
      new Promise<Exit>((resolve) => {
        this.child.once('exit', (code, signal) => {
          this.exit = { code, signal };
          running.delete(this);
          // Right now, while its PID cannot have been reused, end what it forked and left behind.
          this.orphansGone = this.endGroup();
          resolve(this.exit);
        });
      }),
    ]);
    const closeOf = (stream: NodeJS.ReadableStream | null) =>
      new Promise<void>((resolve) => {
        if (stream === null) return resolve();
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const parts = (partial + chunk).split(/\r?\n/);
          partial = parts.pop() ?? '';
          for (const line of parts) this.push(line);
        });
        stream.once('close', () => {
          if (partial !== '') this.push(partial);
          resolve();
        });
      });
    this.closed = Promise.all([closeOf(this.child.stdout), closeOf(this.child.stderr)]).then(() => {});
    options.t?.teardown(() => this.stop());
  }

  private push(line: string): void {
    this.lines.push(line);
    for (const listener of this.lineListeners) listener(line);
  }

  /** The exit status once the process has exited, else null. */
  get exitStatus(): Exit | null {
    return this.exit;
  }

  /** The last lines of output, for error messages. */
  tail(count = TAIL_LINES): string {
    const lines = this.lines.slice(-count);
    return lines.length === 0 ? '(no output)' : lines.join('\n');
  }

  private failure(reason: string): Error {
    return new Error(`${this.name} (pid ${this.pid}): ${reason}\n--- last output lines ---\n${this.tail()}`);
  }

  /**
   * Resolves with the first line (already seen or still to come) that matches; rejects with the
   * last lines of output if none does within timeoutMs or the process exits first.
   */
  waitForLine(predicate: LinePredicate, timeoutMs: number): Promise<string> {
    const matches = typeof predicate === 'function' ? predicate : (line: string) => predicate.test(line);
    const seen = this.lines.find(matches);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
      };
      const listener = (line: string) => {
        if (!matches(line)) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(this.failure(`no line matching ${String(predicate)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.lineListeners.add(listener);
      // Output arrives before 'exit' is handled only most of the time: let the pipes drain first.
      void this.exited.then(async (exit) => {
        await bounded(this.closed, 1000, 'output').catch(() => {});
        if (!this.lineListeners.has(listener)) return;
        const last = this.lines.find(matches);
        done();
        if (last !== undefined) resolve(last);
        else reject(this.failure(`exited (${describe(exit)}) before a line matching ${String(predicate)}`));
      });
    });
  }

  /**
   * Resolves with the exit status (after its output has been read, bounded) once the process
   * exits; rejects with the last lines of output if it is still running after timeoutMs.
   * It does not stop the process: call stop() for that.
   */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let exit: Exit;
    try {
      exit = await bounded(this.exited, timeoutMs, 'exit');
    } catch {
      throw this.failure(`still running after ${timeoutMs} ms`);
    }
    // Forked children may hold the pipes open after the parent exits: do not wait for them long.
    await bounded(this.closed, 1000, 'output').catch(() => {});
    return exit;
  }

  /**
   * SIGTERM to the PID, up to graceMs for it to exit, then SIGKILL to it and its process group.
   * Idempotent: later calls get the same promise. Never rejects.
   */
  stop(graceMs = 3000): Promise<Exit> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<Exit> {
    if (this.pid > 0 && this.exit === null) {
      this.signal(this.pid, 'SIGTERM');
      try {
        await bounded(this.exited, graceMs, 'SIGTERM');
      } catch {
        this.killNow();
        await bounded(this.exited, 5000, 'SIGKILL').catch(() => {});
      }
    }
    await this.orphansGone;
    await bounded(this.closed, 1000, 'output').catch(() => {});
    return this.exit ?? { code: null, signal: 'SIGKILL' };
  }

  /**
   * Called as soon as the process has exited: processes left in its group (workers it forked,
   * normally ended by it already: Kamailio's main process ends its children) get SIGTERM, a
   * bounded grace, then SIGKILL. Only done at that moment: the group's ID is the PID, and while
   * a member lives the kernel cannot reuse it, so the signal cannot reach a stranger.
   */
  private async endGroup(graceMs = 3000): Promise<void> {
    if (this.pid <= 0 || !groupAlive(this.pid)) return;
    this.signal(-this.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(this.pid) && Date.now() < deadline) await sleep(20);
    if (groupAlive(this.pid)) this.signal(-this.pid, 'SIGKILL');
  }

  /** SIGKILL to the process and its group, synchronously (for the exit hook). */
  killNow(): void {
    if (this.pid <= 0) return;
    this.signal(this.pid, 'SIGKILL');
    this.signal(-this.pid, 'SIGKILL');
  }

  private signal(target: number, signal: NodeJS.Signals): void {
    try {
      process.kill(target, signal);
    } catch {
      // ESRCH: already gone
    }
  }
}

export function describe(exit: Exit): string {
  return exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
}

/** Starts cmd in the foreground (its PID is the one we stop) and collects its output lines. */
export function startProcess(
  cmd: string,
  args: readonly string[],
  options: StartOptions = {},
): ManagedProcess {
  return new ManagedProcess(cmd, args, options);
}
