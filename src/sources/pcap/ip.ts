/**
 * IPv4 and IPv6 packets: addresses, the transport protocol and its payload, with fragments put
 * back together. IPv4 options are skipped and the header checksum is not verified (captures of
 * locally sent packets carry checksums the NIC fills in later). IPv6 hop-by-hop, routing and
 * destination-options headers are skipped; the fragment header is honoured.
 *
 * Reassembly (RFC 791 §3.2, RFC 8200 §4.5) is keyed by source, destination, identification and
 * protocol; the number of datagrams in progress and their age are bounded; where fragments
 * overlap the bytes that arrived first are kept (RFC 5722 has v6 drop such datagrams; keeping
 * the first is what most stacks did for v4 and is enough to read SIP).
 */
import { ipv4Text, ipv6Text } from '../address-text.js';

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export interface IpPacket {
  readonly version: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly payload: Buffer;
}

interface Fragment {
  readonly version: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly id: number;
  /** Byte offset of this fragment's data in the datagram's payload. */
  readonly offset: number;
  readonly more: boolean;
  readonly data: Buffer;
}

export type IpParse = IpPacket | Fragment | null;

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const DEST_OPTIONS = 60;

/** Reads one IP packet: a whole one, a fragment of one, or null when malformed. */
export function parseIp(packet: Buffer): IpParse {
  const version = (packet[0] ?? 0) >> 4;
  if (version === 4) return parseIpv4(packet);
  if (version === 6) return parseIpv6(packet);
  return null;
}

export function isFragment(parsed: IpPacket | Fragment): parsed is Fragment {
  return 'offset' in parsed;
}

function parseIpv4(packet: Buffer): IpParse {
  if (packet.length < 20) return null;
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  const totalLength = packet.readUInt16BE(2);
  // A total length of 0 is TSO on the capturing host: take what was captured.
  const end = totalLength === 0 ? packet.length : Math.min(totalLength, packet.length);
  if (headerLength < 20 || end < headerLength) return null;
  const src = ipv4Text(packet, 12);
  const dst = ipv4Text(packet, 16);
  const protocol = packet[9] ?? 0;
  const payload = packet.subarray(headerLength, end);
  const flags = packet.readUInt16BE(6);
  const more = (flags & 0x2000) !== 0;
  const offset = (flags & 0x1fff) * 8;
  if (!more && offset === 0) return { version: 4, src, dst, protocol, payload };
  return { version: 4, src, dst, protocol, id: packet.readUInt16BE(4), offset, more, data: payload };
}

function parseIpv6(packet: Buffer): IpParse {
  if (packet.length < 40) return null;
  const payloadLength = packet.readUInt16BE(4);
  const end = payloadLength === 0 ? packet.length : Math.min(40 + payloadLength, packet.length);
  const src = ipv6Text(packet, 8);
  const dst = ipv6Text(packet, 24);
  let next = packet[6] ?? 0;
  let at = 40;
  let fragment: { id: number; offset: number; more: boolean } | null = null;
  for (;;) {
    if (next === HOP_BY_HOP || next === ROUTING || next === DEST_OPTIONS) {
      if (at + 8 > end) return null;
      const length = ((packet[at + 1] ?? 0) + 1) * 8;
      next = packet[at] ?? 0;
      at += length;
      continue;
    }
    if (next === FRAGMENT) {
      if (at + 8 > end) return null;
      const field = packet.readUInt16BE(at + 2);
      fragment = { offset: field & 0xfff8, more: (field & 1) !== 0, id: packet.readUInt32BE(at + 4) };
      next = packet[at] ?? 0;
      at += 8;
      // Whatever follows is in the fragmentable part: read it after reassembly.
      break;
    }
    break;
  }
  if (at > end) return null;
  const payload = packet.subarray(at, end);
  if (fragment === null || (!fragment.more && fragment.offset === 0)) {
    return { version: 6, src, dst, protocol: next, payload };
  }
  return { version: 6, src, dst, protocol: next, ...fragment, data: payload };
}

interface Pending {
  readonly first: Fragment;
  readonly pieces: Fragment[];
  /** Payload length, known once the last fragment (more = false) came. */
  total: number | null;
  readonly startedAt: number;
}

export interface ReassemblyLimits {
  /** Datagrams in progress at once; the oldest is dropped past this. */
  readonly maxDatagrams?: number;
  /** Seconds of capture time a datagram may take to complete. */
  readonly maxAgeSeconds?: number;
}

const MAX_DATAGRAM = 65_535;

export class FragmentReassembler {
  readonly #pending = new Map<string, Pending>();
  readonly #maxDatagrams: number;
  readonly #maxAge: number;
  /** Datagrams given up on (too old, too many at once, too large). */
  dropped = 0;

  constructor(limits: ReassemblyLimits = {}) {
    this.#maxDatagrams = limits.maxDatagrams ?? 1024;
    this.#maxAge = limits.maxAgeSeconds ?? 30;
  }

  get inProgress(): number {
    return this.#pending.size;
  }

  /** Adds a fragment seen at `now` (seconds); returns the whole packet once it is complete. */
  add(fragment: Fragment, now: number): IpPacket | null {
    this.#expire(now);
    const key = `${fragment.version}|${fragment.src}|${fragment.dst}|${fragment.id}|${fragment.protocol}`;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      if (this.#pending.size >= this.#maxDatagrams) {
        const oldest = this.#pending.keys().next().value;
        if (oldest !== undefined) this.#pending.delete(oldest);
        this.dropped++;
      }
      pending = { first: fragment, pieces: [], total: null, startedAt: now };
      this.#pending.set(key, pending);
    }
    if (fragment.offset + fragment.data.length > MAX_DATAGRAM) {
      this.#pending.delete(key);
      this.dropped++;
      return null;
    }
    pending.pieces.push(fragment);
    if (!fragment.more && pending.total === null) pending.total = fragment.offset + fragment.data.length;
    if (pending.total === null || !covers(pending.pieces, pending.total)) return null;
    this.#pending.delete(key);
    const payload = Buffer.alloc(pending.total);
    const filled = new Uint8Array(pending.total);
    // In arrival order, writing only bytes not written yet: the first copy of a byte wins.
    for (const piece of pending.pieces) {
      const end = Math.min(piece.offset + piece.data.length, pending.total);
      for (let i = piece.offset; i < end; i++) {
        if (filled[i] === 0) {
          payload[i] = piece.data[i - piece.offset] ?? 0;
          filled[i] = 1;
        }
      }
    }
    const { version, src, dst, protocol } = pending.first;
    return { version, src, dst, protocol, payload };
  }

  #expire(now: number): void {
    for (const [key, pending] of this.#pending) {
      if (now - pending.startedAt <= this.#maxAge) break; // in insertion order, so oldest first
      this.#pending.delete(key);
      this.dropped++;
    }
  }
}

/** True when the pieces cover [0, total) with no gap. */
function covers(pieces: readonly Fragment[], total: number): boolean {
  const sorted = [...pieces].sort((a, b) => a.offset - b.offset);
  let reached = 0;
  for (const piece of sorted) {
    if (piece.offset > reached) return false;
    reached = Math.max(reached, piece.offset + piece.data.length);
  }
  return reached >= total;
}
