/**
 * What the `request-flood` finding says about the message that took its source over the rate;
 * the judge makes it a finding like every other (Judge.findingOn: severity override, Call-ID,
 * CSeq, side, envelope), so it is logged, counted and stored the same way.
 */
import type { Observation } from '../../policy/finding.js';
import type { RateTrip } from './request-rate.js';

export function floodObservation(trip: RateTrip, host: string): Observation {
  return {
    code: 'request-flood',
    message: `${host} sent more than ${trip.requestsPerSecond} requests per second over ${trip.windowSeconds} s`,
    mediaIndex: null,
    evidence: `${trip.requests} requests in ${trip.windowSeconds} s from ${host} (limit ${trip.requestsPerSecond}/s)`,
  };
}
