/**
 * From a captured frame to the IP packet inside it, for the link types SIP captures come in:
 * Ethernet (1), Linux cooked SLL (113) and SLL2 (276), raw IP (101, 12, 14) and BSD loopback
 * (NULL 0: address family in the capturing host's byte order; LOOP 108: in network order).
 * 802.1Q / 802.1ad VLAN tags, stacked or not, are skipped.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
/** AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
const AF_INET6 = new Set([10, 24, 28, 30]);

/** The IP packet carried by a frame, or null when it carries something else or is too short. */
export function ipPayload(linkType: number, frame: Buffer): Buffer | null {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return frame.length < 14 ? null : afterEthertype(frame, 12);
    case LINKTYPE_LINUX_SLL:
      return frame.length < 16 ? null : afterEthertype(frame, 14);
    case LINKTYPE_LINUX_SLL2:
      return frame.length < 20 ? null : byEthertype(frame.readUInt16BE(0), frame.subarray(20));
    case LINKTYPE_RAW:
    case 12:
    case 14:
      return byVersion(frame);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (frame.length < 4) return null;
      const family = linkType === LINKTYPE_LOOP ? frame.readUInt32BE(0) : hostOrderFamily(frame);
      const packet = frame.subarray(4);
      if (family === 2) return ipVersion(packet) === 4 ? packet : null;
      if (AF_INET6.has(family)) return ipVersion(packet) === 6 ? packet : null;
      return null;
    }
    default:
      return null;
  }
}

/** NULL's family is in the byte order of the host that captured: whichever reading is small. */
function hostOrderFamily(frame: Buffer): number {
  const little = frame.readUInt32LE(0);
  return little < 256 ? little : frame.readUInt32BE(0);
}

/** Reads the EtherType at `at`, skipping VLAN tags (4 bytes each) before it. */
function afterEthertype(frame: Buffer, at: number): Buffer | null {
  let type = frame.readUInt16BE(at);
  let next = at + 2;
  while (VLAN_TAGS.has(type)) {
    if (frame.length < next + 4) return null;
    type = frame.readUInt16BE(next + 2);
    next += 4;
  }
  return byEthertype(type, frame.subarray(next));
}

function byEthertype(type: number, payload: Buffer): Buffer | null {
  if (type === ETHERTYPE_IPV4) return ipVersion(payload) === 4 ? payload : null;
  if (type === ETHERTYPE_IPV6) return ipVersion(payload) === 6 ? payload : null;
  if (VLAN_TAGS.has(type))
    return payload.length < 4 ? null : byEthertype(payload.readUInt16BE(2), payload.subarray(4));
  return null;
}

function byVersion(packet: Buffer): Buffer | null {
  const version = ipVersion(packet);
  return version === 4 || version === 6 ? packet : null;
}

function ipVersion(packet: Buffer): number {
  return packet.length === 0 ? 0 : (packet[0] ?? 0) >> 4;
}
