/**
 * The layout's boundaries (README "Architecture"), checked by `npm run lint`:
 * the domain is pure, a capability reaches another only through its index.ts, the platform names no
 * capability, the webhook edge stands alone, entry points are started and never imported, and the
 * service ships no test code.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself and zod: no adapter, no I/O (STYLE.md principle 1).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node_modules/zod/'] },
    },
    {
      name: 'modules-meet-through-index',
      comment: "A module reaches another module only through that module's index.ts.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'app-meets-modules-through-index',
      comment: "The composition root, the HTTP app and the CLI use a module's index.ts, not its files.",
      severity: 'error',
      from: { path: '^src/(app|entrypoints)/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'modules-do-not-reach-up',
      comment:
        'Modules take what they need as parameters; they import neither the composition root nor entry points.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/(app|entrypoints)/' },
    },
    {
      name: 'platform-names-no-capability',
      comment: 'The platform serves every module and knows none (modules add to it by declaration merging).',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|app|entrypoints)/' },
    },
    {
      name: 'webhook-edge-stands-alone',
      comment: 'webhooks/ depends on no module of src/ (DESIGN.md §2); src wires it.',
      severity: 'error',
      from: { path: '^webhooks/' },
      to: { path: '^(src|sandbox|test|bench)/' },
    },
    {
      name: 'nothing-imports-entry-points',
      comment: 'Entry points only start things.',
      severity: 'error',
      from: { pathNot: '^src/entrypoints/' },
      to: { path: '^src/entrypoints/' },
    },
    {
      name: 'service-ships-no-test-code',
      comment: 'Nothing in src/ imports test code; only the demo uses the local HubSpot sandbox.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'only-the-demo-uses-the-sandbox',
      comment: 'The local HubSpot and the embedded PostgreSQL are for the demo, the tests and the bench.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/entrypoints/demo' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'sandbox-is-not-the-service',
      comment: 'The sandbox stands in for HubSpot and PostgreSQL; it uses none of the service.',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: '^(src|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
