/**
 * ICE `a=candidate` (RFC 8839 §5.1):
 *
 *   a=candidate:4675497418 1 udp 2130706431 10.90.200.217 18822 typ host generation 0
 *   a=candidate:3289912957 2 udp 1845501695 193.84.77.194 60017 typ srflx raddr 192.168.34.75 rport 60017
 *
 * `candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority SP
 * connection-address SP port SP cand-type [SP rel-addr] [SP rel-port] *(SP cand-extension)`, with
 * `foundation = 1*32ice-char`, `component-id = 1*3DIGIT`, `priority = 1*10DIGIT`,
 * `cand-type = "typ" SP candidate-types`. The address is classified like a c= address (no addrtype is
 * written, so the literal decides; names such as mDNS `*.local` are `fqdn`).
 */
import { candidateAddress } from './connection-address.js';
import { isDigits, isToken, quote, toPort } from './syntax.js';
import type { IceCandidate } from './types.js';

export interface ParsedCandidate {
  /** Null when the line is too broken to say where the candidate is. */
  readonly candidate: IceCandidate | null;
  readonly reason: string | null;
}

export function parseCandidate(value: string, line: string): ParsedCandidate {
  // The first eight fields of value.split(' '), found in place (a missing one reads as '').
  const b1 = value.indexOf(' ');
  const b2 = nextSpace(value, b1);
  const b3 = nextSpace(value, b2);
  const b4 = nextSpace(value, b3);
  const b5 = nextSpace(value, b4);
  const b6 = nextSpace(value, b5);
  const b7 = nextSpace(value, b6);
  const b8 = nextSpace(value, b7);
  const host = field(value, b4, b5);
  const portText = field(value, b5, b6);
  const typ = field(value, b6, b7);
  const port = toPort(portText);
  if (b7 === -1 || typ !== 'typ' || port === null || host === '') {
    return {
      candidate: null,
      reason:
        'a=candidate needs <foundation> <component> <transport> <priority> <address> <port> typ <type> (RFC 8839 §5.1)',
    };
  }
  const foundation = b1 === -1 ? value : value.slice(0, b1);
  const componentText = field(value, b1, b2);
  const transport = field(value, b2, b3);
  const priorityText = field(value, b3, b4);
  const type = field(value, b7, b8);
  const address = candidateAddress(host, line);
  const candidate: IceCandidate = {
    foundation,
    component: Number(componentText),
    transport,
    priority: Number(priorityText),
    address: address.address,
    port,
    type,
    line,
  };
  return {
    candidate,
    reason:
      address.reason ??
      findCandidateProblem(value, b8, foundation, componentText, transport, priorityText, type),
  };
}

/** The space after the one at `space`, or -1 (also when `space` is -1). */
function nextSpace(value: string, space: number): number {
  return space === -1 ? -1 : value.indexOf(' ', space + 1);
}

/** The field after the space at `space`, up to the space at `next` (or the end); '' when `space` is -1. */
function field(value: string, space: number, next: number): string {
  return space === -1 ? '' : value.slice(space + 1, next === -1 ? value.length : next);
}

/** `b8`: the space after the eighth field, or -1 when there is none. */
function findCandidateProblem(
  value: string,
  b8: number,
  foundation: string,
  componentText: string,
  transport: string,
  priorityText: string,
  type: string,
): string | null {
  const emptyField =
    value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32 || value.includes('  ');
  if (emptyField) return 'a=candidate fields must be separated by single spaces';
  if (!isFoundation(foundation)) return `the foundation ${quote(foundation)} must be 1-32 ice-chars`;
  if (!isDigits(componentText, 3)) return 'the component-id must be 1-3 digits';
  if (!isToken(transport)) return `the transport ${quote(transport)} is not a token`;
  if (!isDigits(priorityText, 10)) return 'the priority must be 1-10 digits';
  if (!isToken(type)) return `the candidate type ${quote(type)} is not a token`;
  // After cand-type: rel-addr, rel-port and extensions all come as name/value pairs.
  let extensions = 0;
  for (let space = b8; space !== -1; space = value.indexOf(' ', space + 1)) extensions++;
  if (extensions % 2 !== 0) return 'a=candidate extensions must come in <name> <value> pairs';
  return null;
}

/** RFC 8839 §5.1: `ice-char = ALPHA / DIGIT / "+" / "/"`. */
function isFoundation(text: string): boolean {
  if (text.length === 0 || text.length > 32) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ok =
      (code >= 65 && code <= 90) ||
      (code >= 97 && code <= 122) ||
      (code >= 48 && code <= 57) ||
      code === 43 ||
      code === 47;
    if (!ok) return false;
  }
  return true;
}
