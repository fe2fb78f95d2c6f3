import test from 'ava';
import { iceCandidates } from '../../../src/policy/checks/ice-candidates.js';
import { codesOf, sdp, sdpContext, session } from './context.js';

function withCandidates(...candidates: string[]): string {
  return sdp(...session('168.86.140.10'), 'm=audio 14380 RTP/SAVP 0', ...candidates);
}

const HOST = 'a=candidate:1 1 UDP 2130706431 168.86.140.10 14380 typ host';
const SRFLX_OUT = 'a=candidate:2 1 UDP 1694498815 52.1.2.3 61000 typ srflx raddr 168.86.140.10 rport 14380';
const RELAY_OUT = 'a=candidate:3 1 UDP 16777215 198.51.100.9 20000 typ relay raddr 168.86.140.10 rport 14380';

test('candidates inside the ranges and the span are fine', (t) => {
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(HOST))), []);
});

test('a candidate outside both the range and the span is one finding naming both', (t) => {
  const found = iceCandidates.run(sdpContext(withCandidates(HOST, SRFLX_OUT)));
  t.deepEqual(codesOf(found), ['ice-candidate-out-of-range']);
  t.is(found[0]?.mediaIndex, 0);
  t.is(found[0]?.evidence, SRFLX_OUT);
  t.regex(found[0]?.message ?? '', /srflx candidate 52\.1\.2\.3:61000 \(component 1\)/);
  t.regex(found[0]?.message ?? '', /address 52\.1\.2\.3 is outside .*168\.86\.128\.0\/18/);
  t.regex(found[0]?.message ?? '', /port 61000 is outside .*10000-60000/);
});

test('relay candidates are addresses too', (t) => {
  const found = iceCandidates.run(sdpContext(withCandidates(RELAY_OUT)));
  t.deepEqual(codesOf(found), ['ice-candidate-out-of-range']);
  t.notRegex(found[0]?.message ?? '', /port/);
});

test('iceExemptFromPortSpan skips ports but still judges addresses', (t) => {
  const portOnly = 'a=candidate:4 1 UDP 2130706431 168.86.140.11 61000 typ host';
  const options = { profile: { iceExemptFromPortSpan: true } };
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(portOnly), options)), []);
  const found = iceCandidates.run(sdpContext(withCandidates(SRFLX_OUT), options));
  t.deepEqual(codesOf(found), ['ice-candidate-out-of-range']);
  t.notRegex(found[0]?.message ?? '', /port 61000/);
});

test('mDNS and FQDN candidates cannot be judged and are skipped', (t) => {
  const mdns = 'a=candidate:5 1 UDP 2130706431 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 61000 typ host';
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(mdns))), []);
});

test('the placeholder port 9 of a TCP active candidate is not judged (RFC 6544)', (t) => {
  const active = 'a=candidate:6 1 TCP 1518280447 168.86.140.10 9 typ host tcptype active';
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(active))), []);
});

test('customer side, rejected streams and a profile without ranges or ports stay silent', (t) => {
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(SRFLX_OUT), { side: 'customer' })), []);
  const rejected = sdp(...session('168.86.140.10'), 'm=audio 0 RTP/SAVP 0', SRFLX_OUT);
  t.deepEqual(iceCandidates.run(sdpContext(rejected)), []);
  const bare = { profile: { mediaRanges: [], mediaPorts: null } };
  t.deepEqual(iceCandidates.run(sdpContext(withCandidates(SRFLX_OUT), bare)), []);
});

test('candidates of an ICE placeholder stream (c=0.0.0.0, port 9) are judged; its port 9 is not', (t) => {
  const text = sdp(...session('0.0.0.0'), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', HOST, RELAY_OUT);
  const found = iceCandidates.run(sdpContext(text));
  t.deepEqual(codesOf(found), ['ice-candidate-out-of-range']);
  t.is(found[0]?.evidence, RELAY_OUT);
});
