/**
 * Which side sent a message. A message is from the carrier side when its source address is
 * inside one of the profile's signaling ranges or a configured carrier peer; otherwise it is
 * from the customer side (the PBX/SBC behind the proxy).
 */
import type { Endpoint } from '../sip/envelope.js';
import { cidrContains, findContaining, parseIp } from './cidr.js';
import type { Side } from './finding.js';
import type { JudgeConfig } from './profile.js';

export function sideOf(source: Endpoint, config: JudgeConfig): Side {
  const address = parseIp(source.host);
  if (!address) return 'customer';
  if (findContaining(config.profile.signaling, address)) return 'carrier';
  if (config.policy.carrierPeers.some((peer) => cidrContains(peer, address))) return 'carrier';
  return 'customer';
}
