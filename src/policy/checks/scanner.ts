/**
 * scanner-user-agent: a User-Agent (requests) or Server (responses) header naming a known SIP
 * scanner: friendly-scanner, sipvicious, sipcli... (policy.scannerUserAgents, matched as
 * case-insensitive substrings, as Kamailio secfilter does). Once per message, naming the match.
 */
import type { HeaderField, SipMessage } from '../../sip/message.js';
import type { Check } from '../check.js';
import { observation } from './media-helpers.js';

interface ScannerMatch {
  readonly field: HeaderField;
  readonly pattern: string;
}

/** User-Agent on requests, Server on responses (RFC 3261 §20.41, §20.35): both name the software. */
const SCANNER_HEADERS = ['user-agent', 'server'] as const;

function findScanner(message: SipMessage, patterns: readonly string[]): ScannerMatch | null {
  for (const name of SCANNER_HEADERS) {
    for (const field of message.headerFields(name)) {
      const value = field.value.toLowerCase();
      for (const pattern of patterns) {
        if (pattern !== '' && value.includes(pattern.toLowerCase())) return { field, pattern };
      }
    }
  }
  return null;
}

// RFC 3261 §20.41 User-Agent, §20.35 Server; scanner names as Kamailio secfilter lists them.
export const scanner: Check = {
  name: 'scanner',
  scope: 'message',
  run(context) {
    const { message } = context;
    // Kamailio secfilter (User-Agent blacklist); Elastic SIP enumeration rule.
    const match = findScanner(message, context.config.policy.scannerUserAgents);
    if (match === null) return [];
    const evidence = `${match.field.rawName}: ${match.field.value}`;
    return [
      observation(
        'scanner-user-agent',
        `${match.field.rawName} "${match.field.value}" matches the SIP scanner pattern "${match.pattern}"`,
        null,
        evidence,
      ),
    ];
  },
};
