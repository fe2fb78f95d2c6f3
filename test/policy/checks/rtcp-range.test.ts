import test from 'ava';
import { rtcpRange } from '../../../src/policy/checks/rtcp-range.js';
import { codesOf, sdp, sdpContext, session } from './context.js';

const TWILIO_SESSION = session('168.86.140.10');

test('RTCP on RTP+1 inside the span is fine', (t) => {
  t.deepEqual(rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 14380 RTP/SAVP 0'))), []);
});

test('RTP on the top port puts RTCP (RTP+1) outside the span', (t) => {
  const found = rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 60000 RTP/SAVP 0')));
  t.deepEqual(codesOf(found), ['rtcp-port-out-of-range']);
  t.is(found[0]?.mediaIndex, 0);
  t.is(found[0]?.evidence, 'm=audio 60000 RTP/SAVP 0');
  t.regex(found[0]?.message ?? '', /60001 \(RTP port \+ 1\).*10000-60000/);
});

test('an explicit a=rtcp port is judged, with the a=rtcp line as evidence', (t) => {
  const found = rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 14380 RTP/SAVP 0', 'a=rtcp:9999')));
  t.deepEqual(codesOf(found), ['rtcp-port-out-of-range']);
  t.is(found[0]?.evidence, 'a=rtcp:9999');
  t.regex(found[0]?.message ?? '', /9999 \(a=rtcp\)/);
});

test('rtcp-mux shares the RTP port: no separate finding', (t) => {
  t.deepEqual(
    rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 60000 RTP/SAVP 0', 'a=rtcp-mux'))),
    [],
  );
});

test('an a=rtcp address outside the ranges is rtcp-ip-out-of-range', (t) => {
  const found = rtcpRange.run(
    sdpContext(sdp(...TWILIO_SESSION, 'm=audio 14380 RTP/SAVP 0', 'a=rtcp:14381 IN IP4 198.51.100.7')),
  );
  t.deepEqual(codesOf(found), ['rtcp-ip-out-of-range']);
  t.is(found[0]?.evidence, 'a=rtcp:14381 IN IP4 198.51.100.7');
  t.regex(found[0]?.message ?? '', /198\.51\.100\.7.*168\.86\.128\.0\/18/);
});

test('a=rtcp without an address leaves the c= address to media-range', (t) => {
  t.deepEqual(
    rtcpRange.run(sdpContext(sdp(...session('198.51.100.99'), 'm=audio 14380 RTP/SAVP 0', 'a=rtcp:14381'))),
    [],
  );
});

test('port count: RTCP on each RTP port + 1', (t) => {
  const found = rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=video 59998/2 RTP/SAVP 96')));
  t.regex(found[0]?.message ?? '', /59999-60001/);
});

test('customer side, rejected streams, non-RTP streams and port-less profiles are not judged', (t) => {
  const text = sdp(...TWILIO_SESSION, 'm=audio 60000 RTP/SAVP 0', 'a=rtcp:9999 IN IP4 198.51.100.7');
  t.deepEqual(rtcpRange.run(sdpContext(text, { side: 'customer' })), []);
  t.deepEqual(rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 0 RTP/SAVP 0', 'a=rtcp:9999'))), []);
  t.deepEqual(rtcpRange.run(sdpContext(sdp(...TWILIO_SESSION, 'm=image 60000 udptl t38'))), []);
  t.deepEqual(codesOf(rtcpRange.run(sdpContext(text, { profile: { mediaPorts: null } }))), [
    'rtcp-ip-out-of-range',
  ]);
  t.deepEqual(codesOf(rtcpRange.run(sdpContext(text, { profile: { mediaRanges: [] } }))), [
    'rtcp-port-out-of-range',
  ]);
});
