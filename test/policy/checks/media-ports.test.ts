import test from 'ava';
import { mediaPorts } from '../../../src/policy/checks/media-ports.js';
import { codesOf, sdp, sdpContext, session } from './context.js';

const TWILIO_SESSION = session('168.86.140.10');

test('carrier RTP port inside 10000-60000 is fine', (t) => {
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 14380 RTP/SAVP 0'))), []);
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 10000 RTP/SAVP 0'))), []);
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 60000 RTP/SAVP 0'))), []);
});

test('carrier RTP port outside the span is reported with the span', (t) => {
  const found = mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 8000 RTP/SAVP 0')));
  t.deepEqual(codesOf(found), ['media-port-out-of-range']);
  t.is(found[0]?.mediaIndex, 0);
  t.is(found[0]?.evidence, 'm=audio 8000 RTP/SAVP 0');
  t.regex(found[0]?.message ?? '', /port 8000.*10000-60000/);
});

test('a port count is judged over its whole span (RFC 8866 §5.14: RTP on every other port)', (t) => {
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 59998/2 RTP/SAVP 0'))), []);
  const found = mediaPorts.run(
    sdpContext(sdp(...TWILIO_SESSION, 'm=audio 59996/3 RTP/SAVP 0', 'm=video 59999/2 RTP/SAVP 96')),
  );
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [1],
  );
  t.regex(found[0]?.message ?? '', /59999-60001/);
});

test('non-RTP streams use consecutive ports', (t) => {
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=image 59999/2 udptl t38'))), []);
  t.is(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=image 9000 udptl t38'))).length, 1);
});

test('customer SDP is free unless the policy sets customer ports', (t) => {
  const text = sdp(...session('203.0.113.10'), 'm=audio 40000 RTP/SAVP 0');
  t.deepEqual(mediaPorts.run(sdpContext(text, { side: 'customer' })), []);
  const found = mediaPorts.run(
    sdpContext(text, { side: 'customer', policy: { customerPorts: { min: 20000, max: 30000 } } }),
  );
  t.deepEqual(codesOf(found), ['media-port-out-of-range']);
  t.regex(found[0]?.message ?? '', /customer's configured media port span 20000-30000/);
});

test('rejected and held streams are not judged', (t) => {
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...TWILIO_SESSION, 'm=audio 0 RTP/SAVP 0'))), []);
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...session('0.0.0.0'), 'm=audio 8000 RTP/SAVP 0'))), []);
});

test('silent when the profile publishes no port span', (t) => {
  const context = sdpContext(sdp(...TWILIO_SESSION, 'm=audio 8000 RTP/SAVP 0'), {
    profile: { mediaPorts: null },
  });
  t.deepEqual(mediaPorts.run(context), []);
});

test('the port 9 of an ICE placeholder (c=0.0.0.0) is not judged', (t) => {
  t.deepEqual(mediaPorts.run(sdpContext(sdp(...session('0.0.0.0'), 'm=audio 9 UDP/TLS/RTP/SAVPF 111'))), []);
});
