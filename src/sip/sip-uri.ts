/**
 * The parts of a SIP or SIPS URI a proxy routes by: scheme, host, port and the transport
 * parameter (RFC 3261 §19.1.1). Not a full URI parser: user parts are skipped, and anything
 * this reading does not understand gives null rather than a guess.
 *
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   hostport = host [ ":" port ]
 */
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
  // Headers (`?...`) end the URI proper; the userinfo ends at the last '@' before them.
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
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
  if (host === '') return null;
  let port: number | null = null;
  if (portText !== null) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return null;
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

/** The URI of a name-addr or addr-spec value (`"A" <sip:a@b;lr>;p=1` → `sip:a@b;lr`). */
export function uriOfNameAddr(value: string): string {
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    return close < 0 ? value.slice(open + 1) : value.slice(open + 1, close);
  }
  return value.trim();
}
