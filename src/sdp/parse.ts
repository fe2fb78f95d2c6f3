/**
 * parseSdp: SDP text in, the media model out (types.ts), never a throw.
 *
 * The raw line pass (raw-lines.ts, driven by the LINE_RULES / ATTRIBUTE_RULES tables) reads every line
 * strictly and records each level; this file applies the media-level/session-level precedence of RFC
 * 8866 and RFC 3264 to build one MediaDescription per m= line.
 */
import type { LevelRecord } from './level-record.js';
import { ProblemList } from './problems.js';
import { readSdpLines } from './raw-lines.js';
import { effectiveRtcp } from './rtcp.js';
import type { SdpLimits } from './sdp-limits.js';
import { crossCheckWithSdpTransform } from './sdp-transform-view.js';
import type { ConnectionAddress, MediaDescription, SdpProblem, SessionDescription } from './types.js';

export interface ParseOptions {
  /**
   * Also read the SDP with sdp-transform and report, as `malformed-sdp`, every field a check judges
   * that it reads differently, where the strict pass found nothing wrong already (sdp-transform-view.ts).
   * Off by default: even on the compared lines alone it costs about as much again as parseSdp itself
   * (1-2 times, measured on the SDP fixtures). Meant for offline modes (pcap, CLI check).
   */
  readonly crossCheckWithSdpTransform?: boolean;
  /** Lines per SDP and a=candidate lines per m= section; none when absent (the judge always sets them). */
  readonly limits?: SdpLimits;
}

/** How the one problem of an SDP past a limit begins. */
export const NOT_INSPECTED = 'SDP not inspected: ';

export function parseSdp(text: string, options: ParseOptions = {}): SessionDescription {
  const problems = new ProblemList();
  if (typeof text !== 'string') {
    // The signature says string; callers in JavaScript (or a Buffer passed by mistake) get a problem, not a TypeError.
    problems.add('malformed-sdp', 'the SDP body is not text', null, null);
    return { origin: null, connection: null, connections: [], media: [], problems: problems.toArray() };
  }
  const raw = readSdpLines(text, problems, options.limits);
  if (raw.overLimit !== null) {
    // Past a limit the description is not modelled: one problem says why and names the limit.
    const problem = {
      code: 'malformed-sdp',
      reason: `${NOT_INSPECTED}${raw.overLimit.reason}`,
      mediaIndex: null,
      evidence: null,
    } as const;
    return {
      origin: null,
      connection: null,
      connections: [],
      media: [],
      problems: [problem],
      overLimit: raw.overLimit,
    };
  }
  const media: MediaDescription[] = [];
  for (let i = 0; i < raw.media.length; i++) media.push(describeMedia(raw.media[i]!, raw.session, problems));
  const description: SessionDescription = {
    origin: raw.session.origin,
    connection: raw.session.connections[0] ?? null,
    connections: raw.session.connections,
    media,
    problems: problems.toArray(),
  };
  if (options.crossCheckWithSdpTransform !== true) return description;
  const disagreements = crossCheckSafely(text, description);
  // Usually the two parsers agree: the description then stands as it is, without a copy.
  if (disagreements.length === 0) return description;
  // Where the strict pass already reported a problem, a disagreement is its consequence, not news.
  const reported = new Set(description.problems.map((problem) => problem.mediaIndex));
  for (const disagreement of disagreements) {
    if (!reported.has(disagreement.mediaIndex)) problems.include(disagreement);
  }
  return { ...description, problems: problems.toArray() };
}

/**
 * The cross-check, never a throw: it reads sdp-transform's model, whose values are not always of the
 * types it declares (a value that looks like a number is one), so a shape it has not met is a problem
 * of this SDP's, not an end to the judging of the message.
 */
function crossCheckSafely(text: string, description: SessionDescription): readonly SdpProblem[] {
  try {
    return crossCheckWithSdpTransform(text, description);
  } catch (error) {
    const reason = `sdp-transform's reading could not be compared with the strict pass: ${String(error).slice(0, 120)}`;
    return [{ code: 'malformed-sdp', reason, mediaIndex: null, evidence: null }];
  }
}

function describeMedia(level: LevelRecord, session: LevelRecord, problems: ProblemList): MediaDescription {
  const index = level.mediaIndex ?? 0;
  const line = level.mediaText ?? '';
  const mediaLine = level.media ?? { type: '', port: 0, portCount: 1, proto: '', formats: [] };

  // RFC 8866 §5.7: "a single session-level "c=" line and additional media-level "c=" line(s) per-media-
  // description, in which case the media-level values override the session-level settings".
  const connectionLevel =
    level.connections.length > 0 ? 'media' : session.connections.length > 0 ? 'session' : null;
  const connections =
    connectionLevel === 'media'
      ? level.connections
      : connectionLevel === 'session'
        ? session.connections
        : [];
  const connection: ConnectionAddress | null = connections[0] ?? null;

  // RFC 8866 §5.7: "A session description MUST contain either at least one "c=" line in each media
  // description or a single "c=" line at the session level." A rejected stream (port 0, RFC 3264 §6)
  // sends nothing, so it needs no address.
  if (connection === null && mediaLine.port !== 0) {
    problems.add(
      'missing-connection-address',
      `m= section ${index} (port ${mediaLine.port}) has no c= line, and there is none at session level (RFC 8866 §5.7)`,
      index,
      line,
    );
  }

  return {
    index,
    type: mediaLine.type,
    port: mediaLine.port,
    portCount: mediaLine.portCount,
    proto: mediaLine.proto,
    formats: mediaLine.formats,
    connection,
    connectionLevel,
    connections,
    rtcp: effectiveRtcp(mediaLine.port, level.rtcp, level.rtcpMux, connection),
    // RFC 3264 §5.1 / RFC 8866 §6.7: media-level direction, else session-level, else sendrecv.
    direction: level.direction ?? session.direction ?? 'sendrecv',
    crypto: level.crypto,
    // RFC 8122 §5: a media-level fingerprint applies to that section; the session-level one to the rest.
    fingerprints: level.fingerprints.length > 0 ? level.fingerprints : session.fingerprints,
    setup: level.setup ?? session.setup,
    candidates: level.candidates,
    comediaDirection: level.comediaDirection ?? session.comediaDirection,
    line,
  };
}
