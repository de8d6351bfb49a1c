import path from 'node:path';

/**
 * True when the process was started from `<name>.ts` (tsx) or `<name>.js` (the esbuild bundle in
 * dist/). `require.main === module` is not enough: in a bundle every inlined module shares the entry
 * file's module object, so dist/demo.js also ran main.ts's start-up and a second service fought the
 * demo's own for the database ("database is locked").
 */
export function isEntryPoint(name: string): boolean {
  const started = require.main?.filename;
  if (!started) return false;
  const base = path.basename(started);
  return base === `${name}.ts` || base === `${name}.js`;
}
