/**
 * The `request-flood` finding for the message that took its source over the rate: on the side
 * the proxy decided for that message, with its Call-ID and CSeq, so it is logged, counted and
 * stored like every other finding.
 */

import type { Severity } from '../../policy/codes.js';
import type { JudgedMessage } from '../../policy/engine.js';
import type { Finding } from '../../policy/finding.js';
import { formatEndpoint } from '../../sip/envelope.js';
import type { RateTrip } from './request-rate.js';

export function floodEvidence(trip: RateTrip, host: string): string {
  return `${trip.requests} requests in ${trip.windowSeconds} s from ${host} (limit ${trip.requestsPerSecond}/s)`;
}

export function floodFinding(judged: JudgedMessage, trip: RateTrip, severity: Severity): Finding {
  const { envelope, message } = judged;
  const host = envelope.src.host;
  return {
    code: 'request-flood',
    severity,
    side: judged.side,
    message: `${host} sent more than ${trip.requestsPerSecond} requests per second over ${trip.windowSeconds} s`,
    callId: message?.callId ?? null,
    cseq: message?.cseq ? `${message.cseq.number} ${message.cseq.method}` : null,
    method: message?.kind === 'request' ? message.method : null,
    status: null,
    mediaIndex: null,
    evidence: floodEvidence(trip, host),
    messageIndex: judged.messageIndex,
    src: formatEndpoint(envelope.src),
    dst: formatEndpoint(envelope.dst),
    transport: envelope.transport,
    time: envelope.time,
  };
}
