/**
 * sdp-transform's reading of the same SDP, and where it disagrees with ours.
 *
 * sdp-transform is the off-the-shelf object model (media servers such as mediasoup build on it). It is
 * not what parseSdp returns: it keeps the last of duplicate lines, cannot read `m=audio 5000/2`, drops
 * unknown lines, keeps one crypto session parameter, and on the whole SDP costs 2-4 times our parse (7
 * times on a 170-line WebRTC offer). It is handed only the lines that reach a compared field
 * (comparedLines), which brings it near our parse's cost. Running it next to the raw pass turns it into a
 * parser-differential check: any field a check would judge that the two read differently is an
 * ambiguity an attacker can live in (DESIGN principle 2). Opt-in: offline modes and tests call it.
 */
import sdpTransform from 'sdp-transform';
import { ProblemList } from './problems.js';
import type { MediaDescription, SdpProblem, SessionDescription } from './types.js';

export type TransformedSession = ReturnType<typeof sdpTransform.parse>;
type TransformedMedia = TransformedSession['media'][number];

/** sdp-transform's object model, or null where it throws (a TypeError on anything but a string). */
export function readWithSdpTransform(text: unknown): TransformedSession | null {
  if (typeof text !== 'string') return null;
  try {
    return sdpTransform.parse(text);
  } catch {
    return null;
  }
}

/**
 * One `malformed-sdp` problem per field where sdp-transform's model and ours disagree on what a check
 * judges: the number of m= sections, and per section type, port, proto, connection address, direction,
 * RTCP port and mux, the number of a=crypto and a=candidate lines, and the fingerprint hash function.
 */
export function crossCheckWithSdpTransform(
  text: string,
  description: SessionDescription,
): readonly SdpProblem[] {
  return compareReadings(readWithSdpTransform(comparedLines(text)), description);
}

/** The comparison itself, of sdp-transform's reading (null: it could not read the SDP) with ours. */
export function compareReadings(
  transformed: TransformedSession | null,
  description: SessionDescription,
): readonly SdpProblem[] {
  const problems = new ProblemList();
  if (transformed === null) {
    problems.add('malformed-sdp', 'sdp-transform cannot read this SDP at all', null, null);
    return problems.toArray();
  }
  const disagree = (
    mediaIndex: number | null,
    field: string,
    theirs: unknown,
    ours: unknown,
    line: string | null,
  ) => {
    // The same primitive reads the same: only values that differ are spelled out to be compared.
    if (theirs === ours) return;
    const theirText = shown(theirs);
    const ourText = shown(ours);
    if (theirText === ourText) return;
    const where = mediaIndex === null ? 'the session' : `m= section ${mediaIndex}`;
    problems.add(
      'malformed-sdp',
      `parsers disagree on the ${field} of ${where}: sdp-transform reads ${theirText}, the strict pass ${ourText}`,
      mediaIndex,
      line,
    );
  };

  disagree(null, 'number of m= sections', transformed.media.length, description.media.length, null);
  disagree(
    null,
    'connection address',
    addressOf(transformed.connection),
    description.connection?.written,
    null,
  );
  for (const media of description.media) {
    const theirs = transformed.media[media.index];
    if (theirs !== undefined) compareMedia(theirs, transformed, media, disagree);
  }
  return problems.toArray();
}

/**
 * The `a=` attributes whose sdp-transform rules (lib/grammar.js: direction, rtcp, rtcpMux, crypto,
 * candidates, fingerprint) fill a field compared here. Each of those rules' regexes is anchored on
 * one of these literal prefixes, so an attribute not starting with one cannot reach a compared field
 * (a test holds the grammar to this list).
 */
export const COMPARED_ATTRIBUTE =
  /^(?:sendrecv|recvonly|sendonly|inactive|rtcp:|rtcp-mux|crypto:|candidate:|fingerprint:)/;

/**
 * The lines of `text` that sdp-transform reads into a compared field: every c= and m= line (an m=
 * line also opens the section the lines after it belong to) and the COMPARED_ATTRIBUTE a= lines,
 * split where sdp-transform splits (CRLF, CR or LF). The other lines (rtpmap, fmtp, o=...) only fill
 * fields nothing compares; leaving them out halves sdp-transform's cost on a usual SDP, and every
 * line kept is read by the whole grammar as before, so the comparison reads the same values.
 */
function comparedLines(text: string): string {
  let kept = '';
  let start = 0;
  while (start < text.length) {
    let end = start;
    let code = 0;
    while (end < text.length) {
      code = text.charCodeAt(end);
      if (code === 0x0a || code === 0x0d) break;
      end++;
    }
    if (text.charCodeAt(start + 1) === 0x3d /* = */ && isComparedLine(text, start, end)) {
      kept += `${text.slice(start, end)}\n`;
    }
    start = end + (code === 0x0d && text.charCodeAt(end + 1) === 0x0a ? 2 : 1);
  }
  return kept;
}

function isComparedLine(text: string, start: number, end: number): boolean {
  switch (text.charCodeAt(start)) {
    case 0x63: // c
    case 0x6d: // m
      return true;
    case 0x61: // a
      return COMPARED_ATTRIBUTE.test(text.slice(start + 2, end));
    default:
      return false;
  }
}

type Disagree = (
  mediaIndex: number | null,
  field: string,
  theirs: unknown,
  ours: unknown,
  line: string | null,
) => void;

function compareMedia(
  theirs: TransformedMedia,
  session: TransformedSession,
  ours: MediaDescription,
  disagree: Disagree,
) {
  const at = (field: string, their: unknown, our: unknown) =>
    disagree(ours.index, field, their, our, ours.line);
  at('media type', theirs.type, ours.type);
  at('port', theirs.port, ours.port);
  at('proto', theirs.protocol, ours.proto);
  // Layered multicast (RFC 8866 §5.7) lists one c= per layer: sdp-transform keeps the last layer, we
  // report the first; both are legitimate addresses of the stream, so there is nothing to compare.
  if (!isLayeredMulticast(ours)) {
    at('connection address', addressOf(theirs.connection ?? session.connection), ours.connection?.written);
  }
  at('direction', theirs.direction ?? session.direction ?? 'sendrecv', ours.direction);
  at('explicit RTCP port', theirs.rtcp?.port, ours.rtcp.explicit ? ours.rtcp.port : undefined);
  at('rtcp-mux', theirs.rtcpMux !== undefined, ours.rtcp.mux);
  at('number of a=crypto lines', theirs.crypto?.length ?? 0, ours.crypto.length);
  at('number of a=candidate lines', theirs.candidates?.length ?? 0, ours.candidates.length);
  // sdp-transform keeps one fingerprint per level, the last. Its hash function is a number where it
  // reads as one (`a=fingerprint:1 AB`: toIntIfInt), whatever its types say.
  const fingerprint = theirs.fingerprint ?? session.fingerprint;
  const theirHash = fingerprint === undefined ? undefined : String(fingerprint.type).toLowerCase();
  at('fingerprint hash function', theirHash, ours.fingerprints.at(-1)?.hash);
}

function isLayeredMulticast(media: MediaDescription): boolean {
  return (
    media.connections.length > 1 && media.connections.every((connection) => connection.kind === 'multicast')
  );
}

/** sdp-transform keeps `/ttl/count` in the address; compare the address itself. */
function addressOf(connection: { ip: string } | undefined): string | undefined {
  if (connection === undefined) return undefined;
  const ip = String(connection.ip);
  const slash = ip.indexOf('/');
  return slash === -1 ? ip : ip.slice(0, slash);
}

function shown(value: unknown): string {
  return value === undefined || value === null ? 'nothing' : String(value);
}
