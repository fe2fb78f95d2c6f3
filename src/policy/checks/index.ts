/**
 * Every check the judge runs, message scope first, then SDP scope grouped by concern
 * (syntax, addresses and ports, NAT, SRTP and crypto). The order only sets the order of
 * findings within one message.
 */
import type { Check } from '../check.js';
import { addressKinds } from './address-kinds.js';
import { addressMismatch } from './address-mismatch.js';
import { comedia } from './comedia.js';
import { cryptoAnswer } from './crypto-answer.js';
import { cryptoKeyReuse } from './crypto-key-reuse.js';
import { cryptoMki } from './crypto-mki.js';
import { cryptoSessionParams } from './crypto-session-params.js';
import { cryptoSuites } from './crypto-suites.js';
import { dtls } from './dtls.js';
import { iceCandidates } from './ice-candidates.js';
import { ipv6Media } from './ipv6-media.js';
import { mediaPorts } from './media-ports.js';
import { mediaRange } from './media-range.js';
import { messageProblems } from './message-problems.js';
import { privateAddress } from './private-address.js';
import { retiredRange } from './retired-range.js';
import { rtcpRange } from './rtcp-range.js';
import { scanner } from './scanner.js';
import { sdesTransport } from './sdes-transport.js';
import { sdpProblems } from './sdp-problems.js';
import { srtpKeys } from './srtp-keys.js';
import { srtpNegotiated } from './srtp-negotiated.js';
import { udpSize } from './udp-size.js';
import { viaRport } from './via-rport.js';

export const ALL_CHECKS: readonly Check[] = [
  // SIP message
  messageProblems,
  udpSize,
  scanner,
  viaRport,
  // SDP syntax
  sdpProblems,
  // where the carrier wants media
  mediaRange,
  mediaPorts,
  rtcpRange,
  retiredRange,
  iceCandidates,
  ipv6Media,
  // address kinds and NAT
  addressKinds,
  privateAddress,
  addressMismatch,
  comedia,
  // SRTP and crypto
  srtpNegotiated,
  srtpKeys,
  cryptoSuites,
  cryptoSessionParams,
  cryptoAnswer,
  cryptoKeyReuse,
  cryptoMki,
  sdesTransport,
  dtls,
];
