/**
 * Throughput of parseSdp on a typical 13-line SDES audio offer and on WebRTC offers, next to
 * sdp-transform alone. Not a test: run `npx tsc -p . && node dist/test/sdp/parse.bench.js`.
 * Numbers vary ±15 % per run on a shared 2-core machine.
 */
import sdpTransform from 'sdp-transform';
import { parseSdp } from '../../src/sdp/parse.js';
import { readSdpFixture } from './fixtures.js';

const inputs: Array<[string, string]> = [
  [
    '13-line SDES audio offer (crafted/twilio-style-sdes-offer)',
    readSdpFixture('crafted/twilio-style-sdes-offer.sdp'),
  ],
  [
    '11-line plain RTP audio offer (same, no a=crypto)',
    readSdpFixture('crafted/twilio-style-sdes-offer.sdp')
      .replace('RTP/SAVP', 'RTP/AVP')
      .replace(/a=crypto:.*\r\n/, ''),
  ],
  [
    'Chrome WebRTC offer, 169 lines (webrtc/chrome-offer-zlmediakit)',
    readSdpFixture('webrtc/chrome-offer-zlmediakit.sdp'),
  ],
  [
    'FreeSWITCH DTLS offer, 28 lines (webrtc/freeswitch-webrtc-dtls…)',
    readSdpFixture('webrtc/freeswitch-webrtc-dtls-offer-fs1310.sdp'),
  ],
];

function measure(label: string, iterations: number, run: () => void): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) run(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = Math.round(iterations / seconds);
  const micros = ((seconds / iterations) * 1e6).toFixed(1);
  console.log(
    `  ${label.padEnd(40)} ${rate.toLocaleString('en-US').padStart(9)} /s  ${micros.padStart(6)} µs`,
  );
}

let sink = 0;
for (const [name, text] of inputs) {
  const iterations = text.length > 2000 ? 30_000 : 200_000;
  console.log(name);
  measure('parseSdp', iterations, () => {
    sink += parseSdp(text).media.length;
  });
  measure('sdp-transform parse alone', iterations, () => {
    sink += sdpTransform.parse(text).media.length;
  });
  measure('parseSdp + sdp-transform cross-check', iterations / 2, () => {
    sink += parseSdp(text, { crossCheckWithSdpTransform: true }).problems.length;
  });
}
if (sink < 0) console.log(sink);
