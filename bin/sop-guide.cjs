#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx sop-guide` works right after `npm ci`, no build.
require('tsx/cjs/api').register();
const { runCli } = require('../src/cli.ts');

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
