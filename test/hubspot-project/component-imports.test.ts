import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const APP_DIR = path.resolve(__dirname, '../../extensions/app');
const COMPONENT_FOLDERS = ['cards', 'settings', 'pages'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|tsx|js|jsx)$/.test(entry.name) ? [full] : [];
  });
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']*)'/g)].map((match) => match[1]!);
}

/**
 * HubSpot builds each component folder on its own, and an import that leaves it fails at build time
 * ("Use npm workspaces to share code"). HubSpot's lint rule for this (no-parent-imports) only recognises
 * a `src/app/<component>` path, and this project's srcDir is `extensions`: so this test checks it.
 */
describe('UI extension components', () => {
  it.each(COMPONENT_FOLDERS)(
    'the %s folder imports nothing from outside itself (shared code comes from workspace packages)',
    (folder) => {
      const root = path.join(APP_DIR, folder);
      const leaving = sourceFiles(root).flatMap((file) =>
        relativeImports(file)
          .filter((specifier) => !path.resolve(path.dirname(file), specifier).startsWith(root + path.sep))
          .map((specifier) => `${path.relative(APP_DIR, file)} imports ${specifier}`),
      );
      expect(sourceFiles(root).length).toBeGreaterThan(0);
      expect(leaving).toEqual([]);
    },
  );
});
