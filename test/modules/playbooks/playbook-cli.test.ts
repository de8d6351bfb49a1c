import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { runCli } from '../../../src/app/cli/run-cli';
import { DEFAULT_PLAYBOOK, parsePlaybook } from '../../../src/domain';
import { createStore } from '../../../src/app/store';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { testDatabaseUrl, type TestDatabase } from '../../support/test-databases';
import { withQualificationTitle } from './playbook-builders';

const PORTAL_ID = 62515;
const REPO_ROOT = path.resolve(__dirname, '../../..');

function captureIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
}

describe('example playbooks', () => {
  it.each(['default.yaml', 'meddicc.yaml', 'inbound-saas.yaml'])(
    'playbooks/%s is a valid playbook',
    async (file) => {
      const { io, out, err } = captureIo();

      expect(await runCli(['validate', path.join(REPO_ROOT, 'playbooks', file)], io)).toBe(0);
      expect(err).toEqual([]);
      expect(out[0]).toContain(`${file}: valid playbook`);
    },
  );

  it('playbooks/default.yaml is exactly the default playbook the app installs', () => {
    const parsed = parsePlaybook(
      YAML.parse(readFileSync(path.join(REPO_ROOT, 'playbooks/default.yaml'), 'utf8')),
    );

    expect(parsed).toEqual({ ok: true, playbook: DEFAULT_PLAYBOOK });
  });
});

describe('sop-guide validate', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'sop-validate-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(folder, name);
    writeFileSync(file, text);
    return file;
  };

  it('exits 1 printing each path-named error, with no environment at all', async () => {
    const file = write(
      'broken.yaml',
      [
        'name: Broken',
        'pipelines: {default: {stages: {qualifiedtobuy: qualification, contractsent: nowhere}}}',
        'steps:',
        '  - {id: qualification, title: Qualify, guidance: Ask, actions: [{id: call, title: Call}], checks: [{id: c, title: C, rule: {actionDone: email}}]}',
        '',
      ].join('\n'),
    );
    const { io, out, err } = captureIo();

    expect(await runCli(['validate', file], io)).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      'broken.yaml: 2 errors',
      '  pipelines.default.stages.contractsent: unknown step "nowhere"',
      '  steps.0.checks.0.rule.actionDone: unknown action "email" in step "qualification"',
    ]);
  });

  it('reads JSON as well as YAML', async () => {
    const file = write('default.json', JSON.stringify(DEFAULT_PLAYBOOK));
    const { io, out } = captureIo();

    expect(await runCli(['validate', file], io)).toBe(0);
    expect(out[0]).toContain('valid playbook "Default sales SOP" with 5 steps and 7 mapped stages');
  });

  it('reports a YAML syntax error with its line, and a missing file, as errors', async () => {
    const syntax = captureIo();
    expect(await runCli(['validate', write('syntax.yaml', 'name: [unclosed\n')], syntax.io)).toBe(1);
    expect(syntax.err.join('\n')).toMatch(/not valid YAML: .*line \d+/);

    const missing = captureIo();
    expect(await runCli(['validate', path.join(folder, 'absent.yaml')], missing.io)).toBe(1);
    expect(missing.err.join('\n')).toContain('no such file');
  });
});

describe('sop-guide import and export', () => {
  let hubspot: LocalHubSpot;
  let database: TestDatabase;
  let folder: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    hubspot = await startLocalHubSpot({ port: 0 });
    seedSamplePortal(hubspot.state, { portalId: PORTAL_ID, token: 'cli-token' });
    database = await testDatabaseUrl('sqlite');
    folder = mkdtempSync(path.join(tmpdir(), 'sop-import-'));
    env = {
      DATABASE_URL: database.url,
      HUBSPOT_ACCESS_TOKEN: 'cli-token',
      HUBSPOT_API_BASE_URL: hubspot.url,
    };
  });
  afterAll(async () => {
    await hubspot.close();
    await database.cleanup();
    rmSync(folder, { recursive: true, force: true });
  });

  async function exportYaml(args: string[] = []) {
    const { io, out, err } = captureIo(env);
    expect(await runCli(['export', ...args], io)).toBe(0);
    expect(err).toEqual([]);
    return out.join('\n');
  }

  async function versionsOfPortal() {
    const store = await createStore(database.url);
    try {
      return await store.playbooks.listPlaybookVersions(PORTAL_ID);
    } finally {
      await store.close();
    }
  }

  it('exports the installed playbook as YAML, with its version on top', async () => {
    const yaml = await exportYaml();

    const { version, ...document } = YAML.parse(yaml);
    expect(version).toBe(1);
    expect(document).toEqual(DEFAULT_PLAYBOOK);
  });

  it('imports a file as a new version with its note, printing warnings for stages HubSpot lacks', async () => {
    const playbook = withQualificationTitle('Imported qualification');
    playbook.pipelines.default!.stages.renewal = 'negotiation';
    const file = path.join(folder, 'team.yaml');
    writeFileSync(file, YAML.stringify(playbook));
    const { io, out, err } = captureIo(env);

    expect(await runCli(['import', file, '--note', 'Team playbook', '--portal', String(PORTAL_ID)], io)).toBe(
      0,
    );

    expect(out).toEqual([`portal ${PORTAL_ID}: published "Default sales SOP" as version 2`]);
    expect(err).toEqual([
      'warning: pipelines.default.stages.renewal: HubSpot pipeline "default" has no stage "renewal"',
    ]);
    const [latest] = await versionsOfPortal();
    expect(latest).toMatchObject({ version: 2, note: 'Team playbook', authorUserId: null });
  });

  it('round-trips: exporting then importing gives the same document as a new version', async () => {
    const exported = await exportYaml();
    const file = path.join(folder, 'exported.yaml');
    writeFileSync(file, exported);
    const { io } = captureIo(env);
    const before = await versionsOfPortal();

    expect(await runCli(['import', file], io)).toBe(0);

    const [latest, previous] = await versionsOfPortal();
    expect(latest!.version).toBe(before[0]!.version + 1);
    expect(latest!.note).toBe('Imported from exported.yaml');
    expect(latest!.document).toEqual(previous!.document);
    const { version: _version, ...reexported } = YAML.parse(await exportYaml());
    const { version: _old, ...original } = YAML.parse(exported);
    expect(reexported).toEqual(original);
  });

  it('exports an older version with --version', async () => {
    const { version, name, steps } = YAML.parse(await exportYaml(['--version', '1']));

    expect(version).toBe(1);
    expect(name).toBe(DEFAULT_PLAYBOOK.name);
    expect(steps[1].title).toBe('Qualification and needs assessment');
  });

  it('refuses an invalid file before touching the database, and a portal that is not installed', async () => {
    const before = await versionsOfPortal();
    const invalid = captureIo(env);
    const file = path.join(folder, 'invalid.yaml');
    writeFileSync(file, 'name: ""\npipelines: {}\nsteps: []\n');

    expect(await runCli(['import', file], invalid.io)).toBe(1);
    expect(invalid.err).toContain('  name: must not be empty');

    const otherPortal = captureIo(env);
    expect(await runCli(['export', '--portal', '777'], otherPortal.io)).toBe(1);
    expect(otherPortal.err.join('\n')).toContain('not installed in portal 777');

    const missingVersion = captureIo(env);
    expect(await runCli(['export', '--version', '99'], missingVersion.io)).toBe(1);
    expect(missingVersion.err.join('\n')).toContain('no playbook version 99');
    expect(await versionsOfPortal()).toHaveLength(before.length);
  });
});
