/** Exact exports of the shipped Twilio profile (media only, inbound, 2026-12-01), one per format. */
export const TWILIO_2026_12_01: Record<string, string> = {
  nftables: `#!/usr/sbin/nft -f
# trunkguard allowlist: profile twilio (Twilio), facts applying on 2026-12-01
# direction inbound, media only; written by \`trunkguard rules export\`
# Ports are the carrier side: inbound rules match source address and port, outbound destination.
# Regular chains (no hook): jump to them from your own input and output chains, e.g.
#   nft add rule inet filter input jump trunkguard_inbound

table inet trunkguard {
	# Every IPv4 carrier range below, for rules of your own.
	set twilio_ipv4 {
		type ipv4_addr
		flags interval
		auto-merge
		elements = {
			168.86.128.0/18,
		}
	}
	chain trunkguard_inbound {
		ip saddr 168.86.128.0/18 udp sport 10000-60000 accept comment "media global media (every edge, including roaming gll): https://www.twilio.com/docs/sip-trunking/ip-addresses checked 2026-11-28"
	}
}
`,
  iptables: `# trunkguard allowlist: profile twilio (Twilio), facts applying on 2026-12-01
# direction inbound, media only; written by \`trunkguard rules export\`
# Ports are the carrier side: inbound rules match source address and port, outbound destination.
# Load with \`iptables-restore --noflush < FILE\`; jump to TRUNKGUARD from INPUT (inbound) and OUTPUT (outbound).
*filter
:TRUNKGUARD - [0:0]
-A TRUNKGUARD -s 168.86.128.0/18 -p udp -m udp --sport 10000:60000 -m comment --comment "media global media (every edge, including roaming gll): https://www.twilio.com/docs/sip-trunking/ip-addresses checked 2026-11-28" -j ACCEPT
COMMIT
`,
  ufw: `#!/bin/sh
# trunkguard allowlist: profile twilio (Twilio), facts applying on 2026-12-01
# direction inbound, media only; written by \`trunkguard rules export\`
# Ports are the carrier side: inbound rules match source address and port, outbound destination.
set -e
ufw allow in proto udp from 168.86.128.0/18 port 10000:60000 to any comment 'media global media (every edge, including roaming gll): https://www.twilio.com/docs/sip-trunking/ip-addresses checked 2026-11-28'
`,
  'aws-sg': `[
  {
    "IpProtocol": "udp",
    "FromPort": 0,
    "ToPort": 65535,
    "IpRanges": [
      {
        "CidrIp": "168.86.128.0/18",
        "Description": "media global media (every edge, including roaming gll) from carrier udp 10000-60000: https://www.twilio.com/docs/sip-trunking/ip-addresses checked 2026-11-28"
      }
    ]
  }
]
`,
  csv: `direction,protocol,cidr,ports,source_url,checked,kind,label,verified
inbound,udp,168.86.128.0/18,10000-60000,https://www.twilio.com/docs/sip-trunking/ip-addresses,2026-11-28,media,"global media (every edge, including roaming gll)",true
`,
  json: `{
  "profile": "twilio",
  "carrier": "Twilio",
  "asOf": "2026-12-01",
  "direction": "inbound",
  "includeSignaling": false,
  "rules": [
    {
      "direction": "inbound",
      "kind": "media",
      "protocol": "udp",
      "cidr": "168.86.128.0/18",
      "family": "ipv4",
      "ports": {
        "min": 10000,
        "max": 60000
      },
      "label": "global media (every edge, including roaming gll)",
      "source": {
        "url": "https://www.twilio.com/docs/sip-trunking/ip-addresses",
        "checked": "2026-11-28"
      },
      "verified": true
    }
  ]
}
`,
};
