/**
 * SIPp peers for the e2e tests: runSipp() runs a scenario to its end (a UAC), startSippUas()
 * starts one in the background (a UAS, the far side) and resolves once its port is bound.
 * Both keep SIPp in the foreground (never -bg) so the PID we stop is SIPp's own, and both
 * write SIPp's message log, so a test can assert on what each peer sent and received.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, waitForSocket } from './ports.js';
import { describe, type Exit, type ManagedProcess, startProcess, type TeardownHost } from './processes.js';

/** test/fixtures/sipp, where the scenarios live. */
export const SIPP_FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/sipp/', import.meta.url));
export const UAC_SCENARIO = join(SIPP_FIXTURES, 'uac.xml');
export const UAS_SCENARIO = join(SIPP_FIXTURES, 'uas.xml');

/** The binary; SIPP may name another one. */
export const SIPP = process.env.SIPP ?? 'sipp';

/** u1: one UDP socket; t1: one TCP connection; tn: one TCP connection per call. */
export type SippTransport = 'u1' | 't1' | 'tn';

export interface SippOptions {
  /** Path of the scenario XML (UAC_SCENARIO, UAS_SCENARIO, or another one). */
  readonly scenario: string;
  /** 'host:port' to send to. Required for a UAC; a UAS answers whoever calls. */
  readonly remote?: string;
  /** The address SIPp binds and writes in Via/Contact; 127.0.0.1 by default. */
  readonly localIp?: string;
  readonly localPort: number;
  readonly transport?: SippTransport;
  /** -m: SIPp exits after this many calls (a UAC places them, a UAS answers them); 1 by default. */
  readonly calls?: number;
  /** -r: new calls per second (UAC); 10 by default. */
  readonly rate?: number;
  /**
   * -key values, used in the scenario as [name]. The SDP keys media_ip, media_port, proto and
   * crypto are renamed (see SDP_KEYS) and default to 127.0.0.1, 40000, RTP/AVP and no crypto.
   */
  readonly keys?: Readonly<Record<string, string>>;
  /**
   * The whole run is bounded by this: SIPp's own -timeout (it then exits non-zero), and a hard
   * stop shortly after. 20 s by default.
   */
  readonly timeoutMs?: number;
  /** -recv_timeout: a call waiting longer than this for a message fails. 5 s by default. */
  readonly recvTimeoutMs?: number;
  /** Where the message log, error log, stats and final screen go. */
  readonly traceDir: string;
  /** Prefix of the files in traceDir; the scenario's base name (uac, uas) by default. */
  readonly name?: string;
  /** -s: the user part of the Request-URI; 'service' by default. */
  readonly service?: string;
  /** Write SIPp's message log (default true); benchmarks turn it off. */
  readonly traceMessages?: boolean;
  /** More arguments, appended last. */
  readonly extraArgs?: readonly string[];
  /** Pass ava's `t`: SIPp is then stopped when the test ends, passed or failed. */
  readonly t?: TeardownHost;
}

/** One entry of SIPp's message log. */
export interface SippMessage {
  readonly direction: 'sent' | 'received';
  /** As SIPp logs it: UDP, TCP, TLS... */
  readonly transport: string;
  /** The time SIPp logged, as written ('2026-12-06 14:55:05.145877'). */
  readonly time: string;
  /** The SIP message as it went on the wire, CRLF line ends included. */
  readonly text: string;
  /** Its first line: 'INVITE sip:... SIP/2.0' or 'SIP/2.0 200 OK'. */
  readonly startLine: string;
  /** The request method, or null for a response. */
  readonly method: string | null;
  /** The response status, or null for a request. */
  readonly status: number | null;
  /** What follows the blank line after the headers. */
  readonly body: string;
}

/** The last row of SIPp's -trace_stat file, plus the counters tests look at most. */
export interface SippStats {
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** Every column of the last row, by its header ('SuccessfulCall(C)', 'FailedTimeoutOnRecv(C)'...). */
  readonly raw: Readonly<Record<string, string>>;
}

export interface SippResult {
  /** SIPp's exit code: 0 all calls succeeded, 1 some failed, 99 none processed, 255/254 fatal error. */
  readonly code: number | null;
  readonly exit: Exit;
  readonly stats: SippStats;
  readonly messages: readonly SippMessage[];
  /** Its -trace_err log: unexpected messages and errors (empty when none). */
  readonly errors: string;
  /** Its stdout and stderr lines (screens and warnings). */
  readonly output: readonly string[];
}

/** The files SIPp writes for one run. */
export interface SippFiles {
  readonly messages: string;
  readonly errors: string;
  readonly stats: string;
  readonly screen: string;
}

/**
 * SIPp keywords that a -key of the same name cannot override (SIPp substitutes its own value):
 * a test passing one of them would silently get SIPp's. media_ip and media_port are renamed.
 */
const SIPP_KEYWORDS = new Set([
  'remote_ip',
  'remote_host',
  'remote_port',
  'transport',
  'local_ip',
  'local_ip_type',
  'local_port',
  'server_ip',
  'media_ip_type',
  'auto_media_port',
  'call_number',
  'dynamic_id',
  'call_id',
  'cseq',
  'pid',
  'service',
  'branch',
  'msg_index',
  'next_url',
  'len',
  'peer_tag_param',
  'routes',
  'tdmmap',
  'clock_tick',
  'users',
  'userid',
  'timestamp',
  'date',
  'sipp_version',
  'fill',
  'field',
  'authentication',
]);

/**
 * The SDP keys as tests name them, mapped to the names the scenarios use, with their defaults.
 * SIPp has built-in [media_ip] and [media_port] keywords (its RTP echo socket) that shadow -key
 * values of the same name, so the scenarios say [sdp_media_ip] etc. and tests need not care.
 */
const SDP_KEYS: Readonly<Record<string, { readonly key: string; readonly fallback: string }>> = {
  media_ip: { key: 'sdp_media_ip', fallback: '127.0.0.1' },
  media_port: { key: 'sdp_media_port', fallback: '40000' },
  proto: { key: 'sdp_proto', fallback: 'RTP/AVP' },
  crypto: { key: 'sdp_crypto', fallback: '' },
};

/**
 * Extra SDP lines (the crypto key) as the scenarios need them: nothing, or each line followed by
 * CRLF (the scenario puts [sdp_crypto] at the start of the next line, so an empty value leaves
 * no blank line, which would end the SDP body). Accepts lines with or without their line end.
 */
export function sdpLines(value: string): string {
  const lines = value.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (const line of lines) {
    if (!/^[a-z]=\S/.test(line)) throw new Error(`SDP line expected (like a=crypto:1 ...), got '${line}'`);
  }
  return lines.map((line) => `${line}\r\n`).join('');
}

/** -key arguments: SDP keys renamed and defaulted, the others passed as they are. */
export function sippKeyArgs(keys: Readonly<Record<string, string>> = {}): string[] {
  const args: string[] = [];
  for (const [name, { key, fallback }] of Object.entries(SDP_KEYS)) {
    const value = keys[name] ?? fallback;
    args.push('-key', key, name === 'crypto' ? sdpLines(value) : value);
  }
  for (const [name, value] of Object.entries(keys)) {
    if (name in SDP_KEYS) continue;
    if (SIPP_KEYWORDS.has(name)) {
      throw new Error(`-key ${name}: SIPp's built-in [${name}] keyword would win over it; use another name`);
    }
    args.push('-key', name, value);
  }
  return args;
}

function sippFiles(traceDir: string, name: string): SippFiles {
  return {
    messages: join(traceDir, `${name}_messages.log`),
    errors: join(traceDir, `${name}_errors.log`),
    stats: join(traceDir, `${name}_stats.csv`),
    screen: join(traceDir, `${name}_screen.log`),
  };
}

/** Fails with a clear message when the binary is missing (a missing peer is a failure, never a skip). */
function requireSipp(): void {
  const found = SIPP.includes('/')
    ? existsSync(SIPP)
    : (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, SIPP)));
  if (!found) {
    throw new Error(
      `SIPp (${SIPP}) is not installed: the e2e tests need it ` +
        '(Debian package sip-tester; .ci/run installs it)',
    );
  }
}

/** The SIPp command line for options, and the files it will write. */
async function sippCommand(
  options: SippOptions,
): Promise<{ args: string[]; files: SippFiles; name: string }> {
  const name = options.name ?? basename(options.scenario).replace(/\.xml$/, '');
  const files = sippFiles(options.traceDir, name);
  const localIp = options.localIp ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 20_000;
  // SIPp binds RTP echo sockets at -mp and -mp+2 whether or not a scenario plays media; with
  // -mp given it tries that port only (no hunting from 6000 up, which two SIPps could race).
  const mediaPort = await freePort(localIp, [2]);
  const args = [
    ...(options.remote === undefined ? [] : [options.remote]),
    '-sf',
    options.scenario,
    '-t',
    options.transport ?? 'u1',
    '-i',
    localIp,
    '-p',
    String(options.localPort),
    '-mi',
    localIp,
    '-mp',
    String(mediaPort),
    // SIPp's UDP control socket (keys and commands, 8888 and up): loopback only.
    '-ci',
    '127.0.0.1',
    '-m',
    String(options.calls ?? 1),
    '-r',
    String(options.rate ?? 10),
    '-s',
    options.service ?? 'service',
    // No terminal: nothing to read from stdin.
    '-nostdin',
    // Bounded: SIPp gives up (and exits non-zero) after the global timeout, and a call waiting
    // for a message longer than recv_timeout fails instead of hanging the run.
    '-timeout',
    `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`,
    '-timeout_error',
    '-recv_timeout',
    String(options.recvTimeoutMs ?? 5000),
    '-buff_size',
    '4194304',
    // The message log costs SIPp more than the calls do: benchmarks turn it off.
    ...(options.traceMessages === false ? [] : ['-trace_msg', '-message_file', files.messages]),
    '-trace_err',
    '-error_file',
    files.errors,
    '-trace_stat',
    '-stf',
    files.stats,
    // A stats row every second and one at the end; the last row is the total.
    '-fd',
    '1',
    '-trace_screen',
    '-screen_file',
    files.screen,
    ...sippKeyArgs(options.keys),
    ...(options.extraArgs ?? []),
  ];
  return { args, files, name };
}

async function readIfThere(path: string): Promise<string> {
  try {
    return await readFile(path, 'latin1');
  } catch {
    return '';
  }
}

/** SIPp 3.6.1 writes "UDP message sent (669 bytes):" but "UDP message received [257] bytes :". */
const ENTRY_HEAD = /^(\w+) message (sent|received) (?:\((\d+) bytes\)|\[(\d+)\] bytes ?):$/;

/** Parses SIPp's -trace_msg log. Entries that are not messages (SIPp notes) are skipped. */
export function parseSippMessages(log: string): SippMessage[] {
  const messages: SippMessage[] = [];
  // Each entry starts with a line of dashes and the time; the message follows a blank line.
  const entries = log.split(/^-{20,} (.+)\n/m);
  for (let i = 1; i + 1 < entries.length; i += 2) {
    const time = entries[i] ?? '';
    const entry = entries[i + 1] ?? '';
    const newline = entry.indexOf('\n');
    const head = ENTRY_HEAD.exec(entry.slice(0, newline === -1 ? undefined : newline));
    if (head === null) continue;
    // SIPp writes "<head>\n\n<message>\n"; the message itself uses CRLF line ends, and the byte
    // count in the head is exact (latin1 keeps one byte per char). An entry shorter than its
    // count is one SIPp is still writing: left for the next read.
    const rest = entry.slice(newline + 2);
    const size = Number(head[3] ?? head[4]);
    if (rest.length < size) continue;
    const text = rest.slice(0, size);
    const startLine = text.slice(0, text.indexOf('\r\n') === -1 ? undefined : text.indexOf('\r\n'));
    const response = /^SIP\/2\.0 (\d{3})/.exec(startLine);
    const blank = text.indexOf('\r\n\r\n');
    messages.push({
      direction: head[2] === 'sent' ? 'sent' : 'received',
      transport: head[1] ?? '',
      time,
      text,
      startLine,
      method: response === null ? (startLine.split(' ')[0] ?? null) : null,
      status: response === null ? null : Number(response[1]),
      body: blank === -1 ? '' : text.slice(blank + 4),
    });
  }
  return messages;
}

/** The value of the first header called name (long form, case-insensitive), or null. */
export function headerOf(message: SippMessage, name: string): string | null {
  const end = message.text.indexOf('\r\n\r\n');
  const head = end === -1 ? message.text : message.text.slice(0, end);
  const wanted = `${name.toLowerCase()}:`;
  for (const line of head.split('\r\n').slice(1)) {
    if (line.toLowerCase().startsWith(wanted)) return line.slice(wanted.length).trim();
  }
  return null;
}

/** Parses SIPp's -trace_stat file (';'-separated, a header row, then a row per period). */
export function parseSippStats(csv: string): SippStats {
  const rows = csv.split('\n').filter((row) => row.trim() !== '');
  const header = (rows[0] ?? '').split(';');
  const last = (rows.length > 1 ? (rows[rows.length - 1] ?? '') : '').split(';');
  const raw: Record<string, string> = {};
  header.forEach((column, index) => {
    if (column !== '') raw[column] = last[index] ?? '';
  });
  const count = (column: string) => Number(raw[column] ?? 0) || 0;
  return {
    created: count('TotalCallCreated'),
    successful: count('SuccessfulCall(C)'),
    failed: count('FailedCall(C)'),
    retransmissions: count('Retransmissions(C)'),
    raw,
  };
}

async function collect(proc: ManagedProcess, files: SippFiles, exit: Exit): Promise<SippResult> {
  const [log, errors, stats] = await Promise.all([
    readIfThere(files.messages),
    readIfThere(files.errors),
    readIfThere(files.stats),
  ]);
  return {
    code: exit.code,
    exit,
    stats: parseSippStats(stats),
    messages: parseSippMessages(log),
    errors,
    output: [...proc.lines],
  };
}

/** Grace between SIPp's own -timeout and our hard stop: it needs a moment to write its files. */
const HARD_STOP_MARGIN_MS = 5000;

/**
 * Runs a scenario to its end (typically the UAC) and resolves with SIPp's exit code, its stats
 * and its message log, whatever the code (tests assert on it). Rejects only if SIPp is still
 * running after timeoutMs plus a margin (it is then stopped) or cannot be started.
 */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  requireSipp();
  const { args, files, name } = await sippCommand(options);
  const proc = startProcess(SIPP, args, { cwd: options.traceDir, name: `sipp ${name}`, t: options.t });
  try {
    let exit: Exit;
    try {
      exit = await proc.waitForExit((options.timeoutMs ?? 20_000) + HARD_STOP_MARGIN_MS);
    } catch (error) {
      const errors = (await readIfThere(files.errors)).slice(0, 4000);
      throw new Error(`${(error as Error).message}\n--- ${files.errors} ---\n${errors}`);
    }
    return await collect(proc, files, exit);
  } finally {
    await proc.stop();
  }
}

/** A SIPp UAS running in the background. */
export interface SippUas {
  readonly proc: ManagedProcess;
  readonly files: SippFiles;
  readonly localIp: string;
  readonly localPort: number;
  /** 'host:port' to send to. */
  readonly address: string;
  /** Its message log so far (SIPp writes each message as it goes). */
  messages(): Promise<SippMessage[]>;
  /** Polls the message log (every 20 ms) until predicate holds for it; bounded. */
  waitForMessages(
    predicate: (messages: readonly SippMessage[]) => boolean,
    timeoutMs: number,
  ): Promise<SippMessage[]>;
  /** Waits for SIPp to exit by itself (after `calls` calls or its timeout), then collects all. */
  result(timeoutMs: number): Promise<SippResult>;
  /** SIGTERM, grace, SIGKILL: see ManagedProcess.stop. */
  stop(): Promise<Exit>;
}

/**
 * Starts a SIPp scenario that waits for calls (UAS_SCENARIO by default) and resolves once it has
 * bound its port (UDP) or listens on it (TCP). SIPp prints nothing when it is ready, so we watch
 * the kernel's socket table for a socket of SIPp's PID on that port (ports.ts waitForSocket),
 * polling every 20 ms for at most 5 s. Rejects, with SIPp's error log and last lines, if SIPp
 * exits first. The global timeout defaults to 60 s here: a forgotten UAS still ends.
 */
export async function startSippUas(
  options: Omit<SippOptions, 'scenario'> & { scenario?: string },
): Promise<SippUas> {
  requireSipp();
  const scenario = options.scenario ?? UAS_SCENARIO;
  const localIp = options.localIp ?? '127.0.0.1';
  const full: SippOptions = {
    timeoutMs: 60_000,
    ...options,
    scenario,
    // -aa: answer 200 to an out-of-dialog OPTIONS (a proxy's keepalive towards its carrier),
    // INFO, NOTIFY or UPDATE instead of counting it as a failed call that expected an INVITE.
    extraArgs: ['-aa', ...(options.extraArgs ?? [])],
  };
  const { args, files, name } = await sippCommand(full);
  const proc = startProcess(SIPP, args, { cwd: options.traceDir, name: `sipp ${name}`, t: options.t });
  try {
    await waitForSocket({
      protocol: (options.transport ?? 'u1').startsWith('t') ? 'tcp' : 'udp',
      host: localIp,
      port: options.localPort,
      pids: () => [proc.pid],
      timeoutMs: 5000,
      stillWorthWaiting: () => {
        const exit = proc.exitStatus;
        if (exit !== null) throw new Error(`exited (${describe(exit)}) before binding its port`);
      },
    });
  } catch (error) {
    await proc.stop();
    // SIPp's reason ("Unable to bind main socket...") is in its error log; its output ends
    // with screens of counters.
    const errors = (await readIfThere(files.errors)).slice(0, 4000);
    throw new Error(
      `${proc.name} (pid ${proc.pid}): ${(error as Error).message}\n--- ${files.errors} ---\n${errors}\n` +
        `--- last output lines ---\n${proc.tail()}`,
    );
  }
  const messages = async () => parseSippMessages(await readIfThere(files.messages));
  return {
    proc,
    files,
    localIp,
    localPort: options.localPort,
    address: `${localIp}:${options.localPort}`,
    messages,
    async waitForMessages(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = await messages();
        if (predicate(seen)) return seen;
        if (Date.now() >= deadline) {
          const lines = seen.map((message) => `${message.direction} ${message.startLine}`);
          throw new Error(
            `${proc.name}: the awaited messages did not come within ${timeoutMs} ms; its log has:\n` +
              `${lines.join('\n') || '(nothing)'}\n--- last output lines ---\n${proc.tail()}`,
          );
        }
        await sleep(20);
      }
    },
    async result(timeoutMs) {
      const exit = await proc.waitForExit(timeoutMs);
      return collect(proc, files, exit);
    },
    stop: () => proc.stop(),
  };
}
