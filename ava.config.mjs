// Tests are compiled by `tsc -p .` first (TypeScript 7 is a native compiler and has no
// loader API), then ava runs the JavaScript in dist/.
export default {
  files: ['dist/test/**/*.test.js'],
  timeout: '120s',
};
