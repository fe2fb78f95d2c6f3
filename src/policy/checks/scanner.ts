/**
 * scanner-user-agent: a User-Agent (requests) or Server (responses) header naming a known SIP
 * scanner: friendly-scanner, sipvicious, sipcli... (policy.scannerUserAgents, matched as
 * case-insensitive substrings, as Kamailio secfilter does). Once per message, naming the match.
 */
import type { HeaderField } from '../../sip/message.js';
import type { Check } from '../check.js';
import { observation } from './media-helpers.js';

interface ScannerMatch {
  readonly field: HeaderField;
  readonly pattern: string;
}

function findScanner(fields: readonly HeaderField[], patterns: readonly string[]): ScannerMatch | null {
  for (const field of fields) {
    const value = field.value.toLowerCase();
    const pattern = patterns.find((candidate) => candidate !== '' && value.includes(candidate.toLowerCase()));
    if (pattern !== undefined) return { field, pattern };
  }
  return null;
}

export const scanner: Check = {
  name: 'scanner',
  scope: 'message',
  run(context) {
    const { message } = context;
    const fields = [...message.headerFields('user-agent'), ...message.headerFields('server')];
    // Kamailio secfilter (User-Agent blacklist); Elastic SIP enumeration rule.
    const match = findScanner(fields, context.config.policy.scannerUserAgents);
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
