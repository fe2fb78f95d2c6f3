/**
 * `trunkguard check`: judge SIP messages from files and give a verdict with an exit code.
 *
 *   trunkguard check [--profile NAME] [--config FILE] [--format text|json] [--fail-on SEVERITY]
 *                    [--transport udp|tcp|tls] [--src IP:PORT] [--dst IP:PORT] FILE...
 *
 * Exit 0: nothing at or above --fail-on; 1: something is; 2: usage error or unreadable input.
 */
import { parseArgs } from 'node:util';
import { isSeverity, type Severity } from '../policy/codes.js';
import { Judge } from '../policy/engine.js';
import { loadConfig } from '../policy/load-config.js';
import { CallLedger, DEFAULT_LEDGER_OPTIONS } from '../report/call-ledger.js';
import { CheckReport } from '../report/check-report.js';
import { MediaEndpoints } from '../report/media-endpoints.js';
import { formatEndpoint, parseEndpoint, TRANSPORTS, type Transport } from '../sip/envelope.js';
import { type InputItem, readInputBatches } from '../sources/check-input.js';
import { type CommandIo, processIo, UsageError } from './command-io.js';

export const CHECK_USAGE = `Usage: trunkguard check [options] FILE...

Judges every SDP offer and answer in FILE (a JSON Lines trace, raw SIP messages, or a
pcap/pcapng capture: SIP over UDP and TCP on any port) against a carrier profile.

Options:
  --profile NAME        carrier profile from rules/ (default: the config's, twilio)
  --config FILE         config file (default: config/trunkguard.yaml)
  --format text|json    report format (default: text)
  --fail-on SEVERITY    exit 1 when a finding is at or above: info|low|medium|high|critical (default: high)
  --transport T         transport of raw SIP input: udp|tcp|tls (default: udp)
  --src IP:PORT         source of raw SIP input; an address in the carrier's signaling ranges
                        makes it carrier side (default: 0.0.0.0:0, customer side)
  --dst IP:PORT         destination of raw SIP input (default: 0.0.0.0:0)

Exit status: 0 nothing at or above --fail-on, 1 something is, 2 usage error or unreadable input.`;

interface CheckOptions {
  readonly files: readonly string[];
  readonly profile: string | undefined;
  readonly config: string | undefined;
  readonly format: 'text' | 'json';
  readonly failOn: Severity;
  readonly transport: Transport;
  readonly src: string;
  readonly dst: string;
}

function parseCheckArgs(args: readonly string[]): CheckOptions {
  let parsed: ReturnType<typeof parseCheckArgv>;
  try {
    parsed = parseCheckArgv(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, not "${format}"`);
  const failOn = values['fail-on'] ?? 'high';
  if (!isSeverity(failOn))
    throw new UsageError(`--fail-on must be info, low, medium, high or critical, not "${failOn}"`);
  const transport = values.transport ?? 'udp';
  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    throw new UsageError(`--transport must be one of ${TRANSPORTS.join(', ')}, not "${transport}"`);
  }
  for (const flag of ['src', 'dst'] as const) {
    const value = values[flag];
    if (value !== undefined && !parseEndpoint(value))
      throw new UsageError(`--${flag} must be IP:PORT, not "${value}"`);
  }
  return {
    files: positionals,
    profile: values.profile,
    config: values.config,
    format,
    failOn,
    transport: transport as Transport,
    src: values.src ?? '0.0.0.0:0',
    dst: values.dst ?? '0.0.0.0:0',
  };
}

function parseCheckArgv(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      profile: { type: 'string' },
      config: { type: 'string' },
      format: { type: 'string' },
      'fail-on': { type: 'string' },
      transport: { type: 'string' },
      src: { type: 'string' },
      dst: { type: 'string' },
    },
  });
}

export async function runCheck(args: readonly string[], io: CommandIo): Promise<number> {
  const options = parseCheckArgs(args);
  const config = loadConfig(options.config, { profile: options.profile });
  // Offline, every SDP is also read by sdp-transform: where the two parsers disagree is a finding.
  const judge = new Judge(config, { crossCheckSdp: true });
  const report = new CheckReport(options.format, config.profile, options.failOn);
  const ledger = new CallLedger(
    // The text report prints each call's findings under its messages; JSON lists them apart.
    { ...DEFAULT_LEDGER_OPTIONS, failOn: options.failOn, keepFindings: options.format === 'text' },
    (call) => report.call(call),
  );
  const mediaEndpoints = new MediaEndpoints(config.profile);
  let messages = 0;
  const rawEnvelope = {
    transport: options.transport,
    src: parseEndpoint(options.src)!,
    dst: parseEndpoint(options.dst)!,
  };

  const take = (item: InputItem): void => {
    if (item.kind === 'input-error') {
      report.inputErrors.push(`${item.where}: ${item.reason}`);
      return;
    }
    if (item.kind === 'capture-stats') {
      report.captures.push({ file: item.where, ...item.stats });
      return;
    }
    if (item.kind === 'encrypted-flow') {
      report.encryptedFlows.push(`${formatEndpoint(item.src)}->${formatEndpoint(item.dst)}`);
      return;
    }
    const index = messages++;
    const judged = item.result.ok
      ? judge.judgeMessage(item.result.message, item.envelope, index)
      : judge.judgeUnreadable(item.result.reason, item.envelope, index);
    for (const finding of judged.findings) report.finding(finding);
    ledger.record(judged);
    mediaEndpoints.record(judged);
  };

  const progress = progressLine(io, options.format);
  try {
    for (const file of options.files) {
      for await (const batch of readInputBatches(file, rawEnvelope, { onProgress: progress?.update })) {
        for (const item of batch) take(item);
      }
    }
    progress?.done();
    ledger.closeAll();
    report.finish({ messages, mediaEndpoints: mediaEndpoints.snapshot() }, io.stdout, io.stdoutBytes);
  } finally {
    // The spill files go whatever happened (finish has removed them already on success).
    report.dispose();
  }
  for (const error of report.inputErrors.items) io.stderr(`trunkguard check: ${error}`);
  if (report.inputErrors.more > 0)
    io.stderr(`trunkguard check: ${report.inputErrors.more} more input errors not listed`);
  if (report.inputErrors.total > 0) return 2;
  return report.failed ? 1 : 0;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * A single updating "read X of Y" line on stderr while a capture is read: only for a person
 * watching (the real process streams, text output, stdout and stderr both a terminal: a report
 * redirected to a file or piped gets none), redrawn at most 5 times a second.
 */
function progressLine(io: CommandIo, format: 'text' | 'json') {
  if (io !== processIo || format === 'json' || !process.stdout.isTTY || !process.stderr.isTTY) return null;
  let last = 0;
  let shown = false;
  const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  return {
    update: (read: number, total: number) => {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && read < total) return;
      last = now;
      shown = true;
      const percent = total > 0 ? Math.floor((read / total) * 100) : 100;
      process.stderr.write(`\rtrunkguard check: read ${mib(read)} of ${mib(total)} MiB (${percent}%)\x1b[K`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
