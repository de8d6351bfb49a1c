/**
 * What `hs project upload` will make of extensions/, checked without a HubSpot account: HubSpot's own
 * parser must take every *-hsmeta.json file as a component, and the pieces that must agree (the
 * backend origin, the watched deal properties, the CLI config without secrets) must agree.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BACKEND_ORIGIN as CARD_BACKEND_ORIGIN } from '../../extensions/app/cards/src/backend-client';
import { GUIDANCE_INPUT_PROPERTIES } from '../../extensions/app/cards/src/guidance-input-properties';
import { BACKEND_ORIGIN as SETTINGS_BACKEND_ORIGIN } from '../../extensions/app/settings/src/playbook-client';
import { BACKEND_ORIGIN as PAGES_BACKEND_ORIGIN } from '../../extensions/app/pages/src/insights-client';
import { SOP_READINESS_PATH } from '../../src/modules/workflow-actions/sop-readiness.route';

const ROOT = path.resolve(__dirname, '../..');
const TRANSLATE_SCRIPT = path.join(__dirname, 'translate-project.mjs');
const RESULT_MARKER = 'PROJECT_PARSE_RESULT ';

interface ParsedComponent {
  uid: string;
  componentType: string;
  metaFilePath: string;
  componentDeps: Record<string, unknown>;
  config: unknown;
}

interface ProjectParse {
  components: ParsedComponent[];
  skippedHsMetaFiles: string[];
  parseErrors: Array<{ file: string; errors: string[] }>;
}

/** Component type HubSpot gives each feature folder's hsmeta files. */
const COMPONENT_TYPE_BY_DIRECTORY: Record<string, string> = {
  app: 'APPLICATION',
  'app/cards': 'CARD',
  'app/settings': 'SETTINGS',
  'app/pages': 'PAGE',
  'app/webhooks': 'WEBHOOKS',
  'app/workflow-actions': 'WORKFLOW_ACTION',
};

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

function parseProject(projectSourceDir: string, platformVersion: string): ProjectParse {
  const output = execFileSync(process.execPath, [TRANSLATE_SCRIPT, projectSourceDir, platformVersion], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const resultLine = output.split('\n').find((line) => line.startsWith(RESULT_MARKER));
  if (!resultLine) {
    throw new Error(`translate-project.mjs printed no result:\n${output}`);
  }
  return JSON.parse(resultLine.slice(RESULT_MARKER.length)) as ProjectParse;
}

function listHsMetaFiles(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const entryPath = path.posix.join(relative, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' ? [] : listHsMetaFiles(dir, entryPath);
    }
    return entry.name.endsWith('-hsmeta.json') ? [entryPath] : [];
  });
}

/** Everything that would make HubSpot reject or silently drop part of the project, in words. */
function findProjectProblems(projectSourceDir: string, platformVersion: string): string[] {
  const parsed = parseProject(projectSourceDir, platformVersion);
  const problems: string[] = [];
  for (const { file, errors } of parsed.parseErrors) {
    problems.push(`${file}: ${errors.join('; ')}`);
  }
  for (const file of parsed.skippedHsMetaFiles) {
    problems.push(`${file}: skipped, not in a folder HubSpot reads hsmeta files from`);
  }
  const parsedFiles = new Set(parsed.components.map((component) => component.metaFilePath));
  for (const file of listHsMetaFiles(projectSourceDir)) {
    if (!parsedFiles.has(file)) {
      problems.push(`${file}: did not become a component`);
    }
  }
  const app = parsed.components.find((component) => component.componentType === 'APPLICATION');
  for (const component of parsed.components) {
    const expectedType = COMPONENT_TYPE_BY_DIRECTORY[path.posix.dirname(component.metaFilePath)];
    if (component.componentType !== expectedType) {
      problems.push(`${component.metaFilePath}: type ${component.componentType}, expected ${expectedType}`);
    }
    if (component !== app && component.componentDeps.app !== app?.uid) {
      problems.push(`${component.metaFilePath}: not attached to the app component`);
    }
    const entrypoint = (component.config as { entrypoint?: unknown } | null)?.entrypoint;
    if (typeof entrypoint === 'string' && !existsSync(path.join(projectSourceDir, entrypoint))) {
      problems.push(`${component.metaFilePath}: entrypoint ${entrypoint} does not exist`);
    }
  }
  return problems;
}

const hsproject = readJson(path.join(ROOT, 'hsproject.json')) as { srcDir: string; platformVersion: string };
const srcDir = path.join(ROOT, hsproject.srcDir);
const appMeta = readJson(path.join(srcDir, 'app/app-hsmeta.json')) as {
  config: { auth: { requiredScopes: string[] }; permittedUrls: { fetch: string[] } };
};
const webhooksMeta = readJson(path.join(srcDir, 'app/webhooks/webhooks-hsmeta.json')) as {
  config: {
    settings: { targetUrl: string; maxConcurrentRequests: number };
    subscriptions: {
      legacyCrmObjects: Array<{ subscriptionType: string; propertyName?: string; active: boolean }>;
    };
  };
};

describe('HubSpot project', () => {
  it('is the sop-guide project on platform 2025.2 with its sources in extensions/', () => {
    expect(hsproject).toEqual({ name: 'sop-guide', srcDir: 'extensions', platformVersion: '2025.2' });
  });

  it("parses with HubSpot's parser into one component per hsmeta file, without errors", () => {
    expect(findProjectProblems(srcDir, hsproject.platformVersion)).toEqual([]);
  });

  it("makes the app pages (the managers' dashboard) a PAGE component with its entry point", () => {
    const pages = parseProject(srcDir, hsproject.platformVersion).components.filter(
      (component) => component.componentType === 'PAGE',
    );
    expect(pages.map((component) => [component.uid, component.metaFilePath])).toEqual([
      ['sop-guide-insights-pages', 'app/pages/pages-hsmeta.json'],
    ]);
    expect(existsSync(path.join(srcDir, 'app/pages/insights-pages.entry.tsx'))).toBe(true);
  });

  describe('the parse check itself', () => {
    let brokenProject: string;

    beforeAll(() => {
      brokenProject = mkdtempSync(path.join(tmpdir(), 'sop-guide-broken-project-'));
      const write = (file: string, content: string) => {
        mkdirSync(path.dirname(path.join(brokenProject, file)), { recursive: true });
        writeFileSync(path.join(brokenProject, file), content);
      };
      write('app/app-hsmeta.json', JSON.stringify({ uid: 'app', type: 'app', config: {} }));
      write('app/cards/broken-hsmeta.json', '{"uid": "card", "type": "card", ');
      write(
        'app/settings/settings-hsmeta.json',
        JSON.stringify({ uid: 's', type: 'settings', config: {}, extra: 1 }),
      );
      write('app/misplaced/lost-hsmeta.json', JSON.stringify({ uid: 'lost', type: 'card', config: {} }));
    });

    afterAll(() => rmSync(brokenProject, { recursive: true, force: true }));

    it('catches the broken, misplaced and malformed files that translate drops silently', () => {
      const problems = findProjectProblems(brokenProject, hsproject.platformVersion);

      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^app\/cards\/broken-hsmeta\.json: Invalid JSON/),
          expect.stringMatching(/^app\/cards\/broken-hsmeta\.json: did not become a component/),
          expect.stringMatching(
            /^app\/settings\/settings-hsmeta\.json: Unexpected top-level properties found: extra/,
          ),
          expect.stringMatching(/^app\/misplaced\/lost-hsmeta\.json: skipped/),
        ]),
      );
    });
  });

  it('commits no key in hubspot.config.yml', () => {
    const text = readFileSync(path.join(ROOT, 'hubspot.config.yml'), 'utf8');
    const config = parseYaml(text) as Record<string, unknown>;

    expect(Object.keys(config)).toEqual(['defaultPortal']);
    expect(text).not.toMatch(/^\s*(personalAccessKey|apiKey|accessToken|auth|tokenInfo|clientSecret)\s*:/m);
    expect(text).not.toMatch(/pat-[a-z0-9]+-[0-9a-f-]{8,}/i);
  });

  it('lets the card, settings and pages fetch only the origin their clients call', () => {
    expect(appMeta.config.permittedUrls.fetch).toEqual([CARD_BACKEND_ORIGIN]);
    expect(new URL(CARD_BACKEND_ORIGIN).origin).toBe(CARD_BACKEND_ORIGIN);
    expect(SETTINGS_BACKEND_ORIGIN).toBe(CARD_BACKEND_ORIGIN);
    expect(PAGES_BACKEND_ORIGIN).toBe(CARD_BACKEND_ORIGIN);
  });

  it("points the workflow action at the same backend's readiness route", () => {
    const action = readJson(path.join(srcDir, 'app/workflow-actions/sop-readiness-hsmeta.json')) as {
      config: {
        actionUrl: string;
        objectTypes: string[];
        outputFields: Array<{ typeDefinition: { name: string } }>;
      };
    };
    expect(action.config.actionUrl).toBe(`${CARD_BACKEND_ORIGIN}${SOP_READINESS_PATH}`);
    expect(action.config.objectTypes).toEqual(['DEAL']);
    expect(action.config.outputFields.map((field) => field.typeDefinition.name)).toEqual([
      'ready',
      'step',
      'openItems',
      'openExceptions',
    ]);
  });

  it("sends webhooks to the same backend's webhook route", () => {
    const target = new URL(webhooksMeta.config.settings.targetUrl);

    expect(target.origin).toBe(CARD_BACKEND_ORIGIN);
    expect(target.pathname).toBe('/webhooks/hubspot');
    expect(webhooksMeta.config.settings.maxConcurrentRequests).toBeGreaterThan(0);
  });

  it('subscribes to deal creation, deletion and every property the card refreshes on', () => {
    const subscriptions = webhooksMeta.config.subscriptions.legacyCrmObjects.filter((s) => s.active);
    const watched = subscriptions
      .filter((s) => s.subscriptionType === 'deal.propertyChange')
      .map((s) => s.propertyName);

    expect(subscriptions.map((s) => s.subscriptionType)).toEqual(
      expect.arrayContaining(['deal.creation', 'deal.deletion']),
    );
    expect([...watched].sort()).toEqual([...GUIDANCE_INPUT_PROPERTIES].sort());
  });

  it('asks for exactly the scopes the service uses', () => {
    expect([...appMeta.config.auth.requiredScopes].sort()).toEqual(
      [
        'crm.objects.companies.read',
        'crm.objects.contacts.read',
        'crm.objects.deals.read',
        'crm.objects.deals.write',
        'crm.objects.owners.read',
        'crm.objects.tasks.read',
        'crm.objects.tasks.write',
        'crm.schemas.deals.write',
        'settings.users.read',
      ].sort(),
    );
  });

  it('documents a local proxy from the backend origin to the local service', () => {
    const local = readJson(path.join(srcDir, 'app/local.example.json')) as { proxy: Record<string, string> };

    expect(Object.keys(local.proxy)).toEqual([CARD_BACKEND_ORIGIN]);
    expect(new URL(local.proxy[CARD_BACKEND_ORIGIN]!).hostname).toBe('localhost');
  });
});
