import test from 'ava';
import { comedia } from '../../../src/policy/checks/comedia.js';
import { codesOf, sdp, sdpContext, session } from './context.js';

test('a=direction:active and both ask the far end to latch', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    'a=direction:active',
    'm=video 20002 RTP/SAVP 96',
    'a=direction:both',
  );
  const found = comedia.run(sdpContext(text, { side: 'customer' }));
  t.deepEqual(codesOf(found), ['comedia-active', 'comedia-active']);
  t.deepEqual(
    found.map((item) => item.mediaIndex),
    [0, 1],
  );
  t.is(found[0]?.evidence, 'a=direction:active');
  t.regex(found[1]?.message ?? '', /a=direction:both/);
});

test('passive, absent and rejected streams are fine', (t) => {
  const text = sdp(
    ...session('203.0.113.10'),
    'm=audio 20000 RTP/SAVP 0',
    'a=direction:passive',
    'm=video 20002 RTP/SAVP 96',
    'm=audio 0 RTP/SAVP 0',
    'a=direction:active',
  );
  t.deepEqual(comedia.run(sdpContext(text)), []);
});
