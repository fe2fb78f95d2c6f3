/**
 * What the start line reader leaves to semantics in a SIP/SIPS Request-URI: the host:port and
 * escaped headers. Other schemes (tel:, unknown ones: RFC 4475 §3.3.2 unkscm.dat) are opaque here.
 *
 * RFC 3261 §19.1.1, the table of where URI components may appear: "headers" is "-" (not
 * allowed) in the Request-URI column; RFC 4475 §3.1.2.11 (escruri.dat) calls an INVITE with
 * `?Route=...` in its Request-URI malformed (a proxy still forwards it with the headers intact).
 *
 * RFC 3261 §25.1: "hostport = host [ ":" port ]", "host = hostname / IPv4address / IPv6reference",
 * "IPv6reference = "[" IPv6address "]"" (RFC 5118 §4.2: `sip:2001:db8::10` is invalid).
 */

export function requestUriProblems(uri: string): string[] {
  const scheme = /^sips?:/i.exec(uri);
  if (scheme === null) return [];
  const problems: string[] = [];
  const rest = uri.slice(scheme[0].length);
  // userinfo may hold ';' '?' '/' (RFC 3261 §25.1 user-unreserved), never a raw '@': the host
  // starts after the last '@'. Parameters and headers never hold a raw '@' either.
  const at = rest.lastIndexOf('@');
  const hostStart = at + 1;
  let hostEnd = hostStart;
  if (rest[hostStart] === '[') {
    const close = rest.indexOf(']', hostStart);
    hostEnd = close < 0 ? rest.length : close + 1;
    if (close < 0) problems.push(`Request-URI IPv6 reference has no closing ']'`);
  }
  while (hostEnd < rest.length && rest[hostEnd] !== ';' && rest[hostEnd] !== '?') hostEnd++;
  const hostport = rest.slice(hostStart, hostEnd);
  const hostportProblem = checkHostport(hostport);
  if (hostportProblem !== null) problems.push(hostportProblem);
  const question = rest.indexOf('?', hostEnd);
  if (question >= 0) {
    problems.push(
      `Request-URI carries escaped headers '${rest.slice(question, question + 60)}' (RFC 3261 §19.1.1: not allowed in a Request-URI)`,
    );
  }
  return problems;
}

function checkHostport(hostport: string): string | null {
  if (hostport === '') return 'Request-URI has no host';
  let host: string;
  let port: string | null = null;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    host = hostport.slice(0, close + 1);
    const after = hostport.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return `Request-URI host '${hostport}' has text after the IPv6 reference`;
      port = after.slice(1);
    }
    // RFC 5118 §4.10: `[2001:db8:::192.0.2.1]` must be tolerated, so only the character set is checked.
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host))
      return `Request-URI IPv6 reference '${host}' is not an IPv6 address`;
  } else {
    const colon = hostport.indexOf(':');
    host = colon < 0 ? hostport : hostport.slice(0, colon);
    port = colon < 0 ? null : hostport.slice(colon + 1);
    if (!/^[A-Za-z0-9._-]+$/.test(host))
      return `Request-URI host '${host}' is not a hostname or IPv4 address`;
  }
  if (port !== null && (!/^\d{1,5}$/.test(port) || Number(port) > 65535)) {
    return `Request-URI port '${port}' in '${hostport}' is not a port number${
      port.includes(':') ? ' (an IPv6 address must be enclosed in [], RFC 5118 §4.2)' : ''
    }`;
  }
  return null;
}

/**
 * `sip:`/`sips:`, optional userinfo ending in the only '@', a host name or IPv4 address, an
 * optional port within 0-65535, optional parameters without '?' or '@': what
 * `requestUriProblems` finds nothing in. One native pass instead of several.
 */
const SIP_URI_PLAIN =
  /^sips?:(?:[^@]*@)?[\w.-]+(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[0-5]?\d{1,4}))?(?:;[^?@]*)?$/i;

/**
 * True when `requestUriProblems(uri)` is certainly empty: any non-SIP scheme, or the usual
 * SIP URI shape. False means "not certain": the caller then runs `requestUriProblems` for the
 * exact reasons (an IPv6 reference always goes that way).
 */
export function requestUriIsClean(uri: string): boolean {
  if (
    (uri.charCodeAt(0) | 0x20) !== 0x73 ||
    (uri.charCodeAt(1) | 0x20) !== 0x69 ||
    (uri.charCodeAt(2) | 0x20) !== 0x70
  ) {
    return true; // not sip:/sips: (opaque here)
  }
  const fourth = uri.charCodeAt(3);
  if (fourth !== 0x3a && !((fourth | 0x20) === 0x73 && uri.charCodeAt(4) === 0x3a)) return true;
  return SIP_URI_PLAIN.test(uri);
}
