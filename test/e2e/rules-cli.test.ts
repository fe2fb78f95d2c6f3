import test from 'ava';
import { run } from './cli.js';

test('rules lists every shipped profile with its media range and port span', async (t) => {
  const result = await run(['rules']);
  t.is(result.code, 0);
  const names = result.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(/\s+/)[0]);
  t.deepEqual(names, ['bandwidth', 'teams', 'telnyx', 'twilio', 'vonage', 'zoom']);
  t.regex(result.stdout, /^twilio +Twilio: media 168\.86\.128\.0\/18; UDP 10000-60000$/m);
  t.regex(result.stdout, /^bandwidth .*no published media ranges; UDP 1024-64000$/m);
});

test('rules show prints each fact with its source, checked date and verified flag', async (t) => {
  const result = await run(['rules', 'show', 'twilio']);
  t.is(result.code, 0);
  t.regex(
    result.stdout,
    /168\.86\.128\.0\/18 .*\[verified; https:\/\/www\.twilio\.com\/docs\/sip-trunking\/ip-addresses checked \d{4}-\d\d-\d\d/,
  );
  t.regex(result.stdout, /54\.172\.60\.0\/23 UDP 10000-20000 .*UNVERIFIED: .*until 2024-02-21/);
  t.regex(result.stdout, /MKI not supported/);
});

test('rules with an unknown profile or action exits 2 with the reason', async (t) => {
  const unknown = await run(['rules', 'show', 'twillio']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /twillio/);
  const action = await run(['rules', 'frobnicate']);
  t.is(action.code, 2);
  t.regex(action.stderr, /unknown rules action "frobnicate"/);
});
