/**
 * The dispatcher behind the `trunkguard` command. `proxy` forwards and judges live traffic; `check`
 * judges traces and captures; `hep` judges what capture agents mirror over HEPv3; `rules` lists
 * carrier profiles.
 */
import { ConfigError } from '../policy/load-error.js';
import { type CommandIo, UsageError } from './command-io.js';

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

interface Command {
  readonly run: (args: readonly string[], io: CommandIo) => Promise<number>;
  readonly usage: () => Promise<string>;
}

// Every command is imported only when it is the one run: each brings its own tree (check the SIP,
// SDP and pcap readers; proxy and hep fastify, winston and prom-client; rules the allowlist
// renderers), and loading the others cost `check` ~30 ms and `rules` ~80 ms of start-up.
const COMMANDS: Readonly<Record<string, Command>> = {
  check: {
    run: async (args, io) => (await import('./check.js')).runCheck(args, io),
    usage: async () => (await import('./check.js')).CHECK_USAGE,
  },
  rules: {
    run: async (args, io) => (await import('./rules.js')).runRules(args, io),
    usage: async () => (await import('./rules.js')).RULES_USAGE,
  },
  proxy: {
    run: async (args, io) => (await import('./proxy.js')).runProxy(args, io),
    usage: async () => (await import('./proxy-args.js')).PROXY_USAGE,
  },
  hep: {
    run: async (args, io) => (await import('./hep.js')).runHep(args, io),
    usage: async () => (await import('./hep-args.js')).HEP_USAGE,
  },
};

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  // Own keys only: `constructor` or `toString` are not commands, though every object has them.
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    io.stderr(
      Object.hasOwn(SERVED_BY, command)
        ? `trunkguard: ${SERVED_BY[command]}`
        : `trunkguard: unknown command "${command}"\n${USAGE}`,
    );
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${await entry.usage()}\n`);
    return 0;
  }
  try {
    return await entry.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`trunkguard ${command}: ${error.message}\n${await entry.usage()}`);
      return 2;
    }
    if (await isReportedError(error)) {
      io.stderr(`trunkguard ${command}: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

/** Bad config or input: reported as one message with exit 2, no stack. */
async function isReportedError(error: unknown): Promise<boolean> {
  if (error instanceof ConfigError) return true;
  // Imported here, on failure only, so that commands other than check never load the input readers.
  const { UnreadableInputError } = await import('../sources/check-input.js');
  return error instanceof UnreadableInputError;
}
