// Tests are compiled by `tsc -p .` first (TypeScript 7 is a native compiler and has no
// loader API), then ava runs the JavaScript in dist/.
export default {
  files: ['dist/test/**/*.test.js'],
  timeout: '120s',
  // One test file at a time: the e2e files drive real SIPp, Kamailio, Chromium and floods of
  // thousands of messages, and two of them at once on a 2-core CI machine starved each other
  // (a Kamailio relay's 180 took over 5 s while the flood test ran). Tests within a file still
  // run concurrently. The whole suite takes about 2 minutes this way instead of 1.5.
  concurrency: 1,
};
