/**
 * The SIP reader: framing (UDP datagrams, TCP/TLS streams), the Buffer-backed message view,
 * and the SDP bodies of multipart messages. Nothing here throws on input bytes.
 */
export { COMPACT_FORMS, canonicalHeaderName } from './compact-forms.js';
export { readDatagram } from './datagram.js';
export { SINGLE_VALUE_HEADERS, splitHeaderValue } from './header-values.js';
export { type MediaType, parseMediaType } from './media-type.js';
export type {
  CSeq,
  HeaderField,
  MessageProblem,
  MessageProblemCode,
  ReadFailure,
  ReadResult,
  SipMessage,
  ViaParams,
} from './message.js';
export { MAX_MULTIPART_DEPTH, type SdpBodies, type SdpBody, sdpBodies } from './multipart.js';
export { type NameAddrReading, parseNameAddr } from './name-addr.js';
export { readMessageBytes } from './read-message.js';
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  readStreamRecord,
  StreamFramer,
  type StreamFramerOptions,
} from './stream-framer.js';
export { parseVia, type ViaReading } from './via.js';
