#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx sop-guide` works right after `npm ci`, no build.
require('tsx/cjs/api').register();
require('../src/entrypoints/cli.ts');
