/**
 * The parts of a SIP or SIPS URI a proxy routes by: scheme, host, port and the transport
 * parameter (RFC 3261 §19.1.1). Not a full URI parser: user parts are skipped, and anything
 * this reading does not understand gives null rather than a guess.
 *
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   hostport = host [ ":" port ]
 */
import { parseNameAddr } from './name-addr.js';
export interface SipUriTarget {
  readonly scheme: 'sip' | 'sips';
  /** Host as written, lower-cased; IPv6 references without their brackets. */
  readonly host: string;
  /** Null when the URI gives none. */
  readonly port: number | null;
  /** `transport=` parameter, lower-cased, or null. */
  readonly transport: string | null;
  /** True when the `lr` parameter is present (RFC 3261 §19.1.1, loose routing). */
  readonly lr: boolean;
}

export function parseSipUri(text: string): SipUriTarget | null {
  const uri = text.trim();
  const colon = uri.indexOf(':');
  if (colon < 0) return null;
  const scheme = uri.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') return null;
  let rest = uri.slice(colon + 1);
  rest = rest.slice(userinfoEnd(rest));
  // Headers (`?name=value&...`) end the URI proper.
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  const semicolon = rest.indexOf(';');
  const hostport = semicolon < 0 ? rest : rest.slice(0, semicolon);
  const params = semicolon < 0 ? '' : rest.slice(semicolon + 1);
  let host: string;
  let portText: string | null = null;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0) return null;
    host = hostport.slice(1, close);
    const after = hostport.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    portText = after === '' ? null : after.slice(1);
  } else {
    const portColon = hostport.indexOf(':');
    host = portColon < 0 ? hostport : hostport.slice(0, portColon);
    portText = portColon < 0 ? null : hostport.slice(portColon + 1);
  }
  if (host === '' || !HOST_CHARACTERS.test(host)) return null;
  let port: number | null = null;
  if (portText !== null) {
    // Port 0 is in the grammar but nothing can be reached there.
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535 || Number(portText) === 0) return null;
    port = Number(portText);
  }
  let transport: string | null = null;
  let lr = false;
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name === 'lr') lr = true;
    else if (name === 'transport' && eq >= 0)
      transport = param
        .slice(eq + 1)
        .trim()
        .toLowerCase();
  }
  return { scheme, host: host.toLowerCase(), port, transport, lr };
}

/**
 * Where the host starts: after the userinfo's '@'. Headers follow a '?' and may carry a raw '@'
 * in practice (`?Replaces=abc@host`), while a user part may hold '?' by the grammar (RFC 3261
 * §25.1 user-unreserved): the last '@' before the first '?' ends the userinfo; when there is none,
 * an '@' after the '?' still does if what lies between is not `name=value` (so a user part).
 */
function userinfoEnd(rest: string): number {
  const question = rest.indexOf('?');
  const head = question < 0 ? rest : rest.slice(0, question);
  const at = head.lastIndexOf('@');
  if (at >= 0) return at + 1;
  if (question < 0) return 0;
  const later = rest.indexOf('@', question);
  return later >= 0 && !rest.slice(question, later).includes('=') ? later + 1 : 0;
}

/** hostname, IPv4address or (unbracketed) IPv6 characters: anything else is not a host to route to. */
const HOST_CHARACTERS = /^[A-Za-z0-9._:-]+$/;

/**
 * The URI of a name-addr or addr-spec value (`"A" <sip:a@b;lr>;p=1` → `sip:a@b;lr`); a quoted
 * display name may hold '<' (RFC 3261 §25.1), so the name-addr reader finds it.
 */
export function uriOfNameAddr(value: string): string {
  return parseNameAddr(value).uri;
}
