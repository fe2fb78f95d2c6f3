/**
 * The dispatcher behind the `trunkguard` command. `proxy` forwards and judges live traffic; `check`
 * judges traces and captures; `hep` judges what capture agents mirror over HEPv3; `rules` lists
 * carrier profiles.
 */
import { ConfigError } from '../policy/load-config.js';
import { UnreadableInputError } from '../sources/check-input.js';
import { CHECK_USAGE, runCheck } from './check.js';
import { type CommandIo, UsageError } from './command-io.js';
import { HEP_USAGE } from './hep-args.js';
import { PROXY_USAGE } from './proxy-args.js';
import { RULES_USAGE, runRules } from './rules.js';

const USAGE = `Usage: trunkguard <command> [options]

Commands:
  proxy           forward SIP between a PBX/SBC and a carrier trunk, judging every SDP offer and answer
  check FILE...   judge the SDP offers and answers in a trace, SIP, pcap or pcapng file against a carrier profile
  hep             judge the SIP that capture agents (Kamailio siptrace, an SBC) mirror over HEPv3
  rules           list the carrier profiles and show one (rules show NAME)

Run "trunkguard <command> --help" for a command's options.`;

/** Names people try that another command serves: said plainly instead of "unknown command". */
const SERVED_BY: Readonly<Record<string, string>> = {
  pcap: 'captures are judged by "trunkguard check FILE.pcap" (pcap and pcapng are read by content)',
};

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  const commands: Record<
    string,
    { run: (args: readonly string[], io: CommandIo) => Promise<number>; usage: string }
  > = {
    check: { run: runCheck, usage: CHECK_USAGE },
    rules: { run: runRules, usage: RULES_USAGE },
    // Loaded only when run: the proxy and the collector bring fastify, winston and prom-client,
    // which `check` and `rules` never use (a tenth of a second of start-up each time).
    proxy: { run: async (args, io) => (await import('./proxy.js')).runProxy(args, io), usage: PROXY_USAGE },
    hep: { run: async (args, io) => (await import('./hep.js')).runHep(args, io), usage: HEP_USAGE },
  };
  const entry = commands[command];
  if (!entry) {
    io.stderr(
      SERVED_BY[command] !== undefined
        ? `trunkguard: ${SERVED_BY[command]}`
        : `trunkguard: unknown command "${command}"\n${USAGE}`,
    );
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${entry.usage}\n`);
    return 0;
  }
  try {
    return await entry.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`trunkguard ${command}: ${error.message}\n${entry.usage}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof UnreadableInputError) {
      io.stderr(`trunkguard ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
