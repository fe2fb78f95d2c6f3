/**
 * What kind of input a file is, decided by its content, never its name.
 */

export type InputKind = 'pcap' | 'pcapng' | 'trace' | 'sip';

/** Classic pcap magic numbers (µs and ns, both byte orders), and pcapng's Section Header Block type. */
const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;

export function detectInputKind(head: Buffer): InputKind {
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0);
    if (PCAP_MAGICS.has(magic)) return 'pcap';
    if (magic === PCAPNG_SECTION_HEADER) return 'pcapng';
  }
  // A JSON Lines trace starts with an object; SIP starts with a method or "SIP/2.0".
  const text = head.subarray(0, 64).toString('latin1').trimStart();
  return text.startsWith('{') ? 'trace' : 'sip';
}
