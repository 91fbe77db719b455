// Browser tests: plain ESM test files driving Debian's Chromium through playwright-core
// against the built playground (npm run build first). Not part of the node suite (`npm test`).
export default {
  files: ['test/**/*.browser.test.mjs'],
  timeout: '15m',
  workerThreads: false,
};
