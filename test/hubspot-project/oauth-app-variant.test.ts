/**
 * The OAuth build of the HubSpot project: extensions-oauth/app/app-hsmeta.json replaces
 * extensions/app/app-hsmeta.json (README, "Static auth or OAuth"). HubSpot's parser must take the
 * project so built, and the variant must ask for exactly the scopes the install flow requests (the
 * static file's, which /oauth/install reads) and name the service's callback as its redirect URL.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAUTH_CALLBACK_PATH } from '../../src/modules/portals';

const ROOT = path.resolve(__dirname, '../..');
const RESULT_MARKER = 'PROJECT_PARSE_RESULT ';

interface AppMeta {
  uid: string;
  config: {
    distribution: string;
    auth: {
      type: string;
      redirectUrls?: string[];
      requiredScopes: string[];
      optionalScopes: string[];
      conditionallyRequiredScopes: string[];
    };
    permittedUrls: { fetch: string[] };
  };
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const staticMeta = readJson(path.join(ROOT, 'extensions/app/app-hsmeta.json')) as AppMeta;
const oauthMeta = readJson(path.join(ROOT, 'extensions-oauth/app/app-hsmeta.json')) as AppMeta;

describe('the OAuth variant of the HubSpot app', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'sop-guide-oauth-project-'));
    cpSync(path.join(ROOT, 'extensions'), project, {
      recursive: true,
      filter: (source) => !source.includes(`${path.sep}node_modules`),
    });
    cpSync(path.join(ROOT, 'extensions-oauth'), project, { recursive: true });
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it("parses with HubSpot's parser, the app component an OAuth app for many accounts", () => {
    const output = execFileSync(
      process.execPath,
      [path.join(__dirname, 'translate-project.mjs'), project, '2025.2'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const result = JSON.parse(
      output
        .split('\n')
        .find((line) => line.startsWith(RESULT_MARKER))!
        .slice(RESULT_MARKER.length),
    ) as {
      parseErrors: unknown[];
      components: Array<{ componentType: string; config: AppMeta['config'] }>;
    };
    expect(result.parseErrors).toEqual([]);
    const app = result.components.find((component) => component.componentType === 'APPLICATION');
    expect(app?.config.auth.type).toBe('oauth');
    expect(app?.config.distribution).toBe('marketplace');
  });

  it('asks for the same scopes as the static app, and redirects to the service callback on its backend origin', () => {
    expect(oauthMeta.uid).toBe(staticMeta.uid);
    for (const list of ['requiredScopes', 'optionalScopes', 'conditionallyRequiredScopes'] as const) {
      expect(oauthMeta.config.auth[list]).toEqual(staticMeta.config.auth[list]);
    }
    const [backendOrigin] = staticMeta.config.permittedUrls.fetch;
    expect(oauthMeta.config.auth.redirectUrls).toEqual([`${backendOrigin}${OAUTH_CALLBACK_PATH}`]);
  });
});
