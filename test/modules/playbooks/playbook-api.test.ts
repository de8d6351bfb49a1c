import { DEFAULT_PLAYBOOK } from '../../../src/domain';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import { copyDefaultPlaybook, withQualificationTitle } from './playbook-builders';

/**
 * The playbook API as the settings page and scripts use it: who may publish, what a publish answers,
 * how rejected documents are explained, versions and rollback, and that portals never see each other's.
 */
const CONFIGURED_MANAGER_ID = '4242';

describe('playbook API', () => {
  let t: TestService;
  let superAdminId: string;
  let repId: string;

  beforeEach(async () => {
    t = await startTestService({ env: { MANAGER_USER_IDS: CONFIGURED_MANAGER_ID } });
    superAdminId = t.sample.owners.manager.userId;
    repId = t.sample.owners.rep.userId;
  });
  afterEach(async () => {
    await t.stop();
  });

  const publish = (userId: string, body: unknown) =>
    t.cardRequest('PUT', '/api/v1/playbook', { userId, body });

  describe('reading', () => {
    it('anyone in the portal reads the installed default playbook as version 1, read-only for a rep', async () => {
      const response = await t.cardRequest('GET', '/api/v1/playbook', { userId: repId });

      expect(response.status).toBe(200);
      const { version, author, createdAt, note, canEdit, readOnlyReason, hubspotPipelines, ...document } =
        response.body;
      expect(document).toEqual(DEFAULT_PLAYBOOK);
      expect(version).toBe(1);
      expect(author).toBeNull();
      expect(new Date(createdAt).toISOString()).toBe(createdAt);
      expect(note).toContain('Default');
      expect(canEdit).toBe(false);
      expect(readOnlyReason).toContain('super admins');
      expect(hubspotPipelines[0].stages.map((stage: { id: string }) => stage.id)).toContain('qualifiedtobuy');
    });

    it('tells a super admin and a configured manager that they can edit', async () => {
      for (const userId of [superAdminId, CONFIGURED_MANAGER_ID]) {
        const response = await t.cardRequest('GET', '/api/v1/playbook', { userId });
        expect(response.body).toMatchObject({ canEdit: true, readOnlyReason: null });
      }
    });
  });

  describe('who may publish', () => {
    it('refuses a rep with 403 on publish, preview and restore, and keeps the playbook unchanged', async () => {
      const attempts = [
        await publish(repId, withQualificationTitle('Changed by a rep')),
        await t.cardRequest('POST', '/api/v1/playbook/preview', { userId: repId, body: DEFAULT_PLAYBOOK }),
        await t.cardRequest('POST', '/api/v1/playbook/versions/1/restore', { userId: repId, body: {} }),
        await publish('101', withQualificationTitle('Changed by a stranger')),
      ];

      for (const response of attempts) {
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('FORBIDDEN');
        expect(response.body.error.message).toContain('MANAGER_USER_IDS');
      }
      expect((await t.cardRequest('GET', '/api/v1/playbook')).body.version).toBe(1);
    });

    it('lets a super admin publish', async () => {
      const response = await publish(superAdminId, withQualificationTitle('Qualify hard'));

      expect(response.status).toBe(200);
      expect(response.body.version).toBe(2);
    });

    it('lets a user listed in MANAGER_USER_IDS publish', async () => {
      const response = await publish(CONFIGURED_MANAGER_ID, withQualificationTitle('Qualify hard'));

      expect(response.status).toBe(200);
      expect(response.body.author).toEqual({ userId: CONFIGURED_MANAGER_ID });
    });

    it("trusts HubSpot's super admin answer for a minute, then asks again", async () => {
      expect((await publish(superAdminId, withQualificationTitle('First'))).status).toBe(200);
      const user = t.hubspot.state.portal(SAMPLE_PORTAL_ID).users.find((u) => u.id === superAdminId);
      user!.superAdmin = false;

      t.clock.advanceMs(30_000);
      expect((await publish(superAdminId, withQualificationTitle('Second'))).status).toBe(200);
      t.clock.advanceMs(31_000);
      expect((await publish(superAdminId, withQualificationTitle('Third'))).status).toBe(403);
    });
  });

  describe('publishing', () => {
    it('saves every publish as a new version with its author, time and note, ignoring a version in the body', async () => {
      const response = await publish(superAdminId, {
        ...withQualificationTitle('Qualify hard'),
        version: 99,
        note: 'Stricter qualification',
      });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        version: 2,
        author: { userId: superAdminId },
        createdAt: t.clock.now().toISOString(),
        note: 'Stricter qualification',
        warnings: [],
        dealsRepinned: 0,
      });
      const current = await t.cardRequest('GET', '/api/v1/playbook');
      expect(current.body.version).toBe(2);
      expect(current.body.steps[1].title).toBe('Qualify hard');
    });

    it('accepts a GET answer put back as it is', async () => {
      const current = await t.cardRequest('GET', '/api/v1/playbook', { userId: superAdminId });

      const response = await publish(superAdminId, current.body);

      expect(response.status).toBe(200);
      expect(response.body.version).toBe(2);
    });

    it('rejects a playbook with 400 naming each bad path, and saves nothing', async () => {
      const playbook = copyDefaultPlaybook() as any;
      delete playbook.steps[2].actions[0].id;
      playbook.steps[1].checks[1].id = playbook.steps[1].checks[0].id;
      playbook.pipelines.default.stages.qualifiedtobuy = 'no-such-step';

      const response = await publish(superAdminId, playbook);

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('INVALID_PLAYBOOK');
      expect(response.body.error.message).toContain('steps.2.actions.0.id: required');
      expect(response.body.error.details.errors).toEqual([
        { path: 'steps.2.actions.0.id', message: 'required' },
      ]);
      expect((await t.cardRequest('GET', '/api/v1/playbook')).body.version).toBe(1);

      // Cross-reference errors are reported once the structure is sound.
      playbook.steps[2].actions[0].id = 'send-demo-agenda';
      const semantic = await publish(superAdminId, playbook);
      expect(semantic.status).toBe(400);
      expect(semantic.body.error.details.errors).toEqual(
        expect.arrayContaining([
          { path: 'pipelines.default.stages.qualifiedtobuy', message: 'unknown step "no-such-step"' },
          { path: 'steps.1.checks.1.id', message: 'duplicate check id "amount-set"' },
        ]),
      );
    });

    it('names a bad publish option by its field', async () => {
      const response = await publish(superAdminId, {
        ...copyDefaultPlaybook(),
        applyToDealsInProgress: 'yes',
      });

      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('applyToDealsInProgress');
    });

    it('publishes stage and pipeline ids HubSpot does not have, with a warning for each', async () => {
      const playbook = copyDefaultPlaybook();
      playbook.pipelines.default!.stages.renewalnegotiation = 'negotiation';
      playbook.pipelines.partners = { stages: { partnerintro: 'prospecting' } };

      const response = await publish(superAdminId, playbook);

      expect(response.status).toBe(200);
      expect(response.body.warnings).toEqual([
        {
          path: 'pipelines.default.stages.renewalnegotiation',
          message: 'HubSpot pipeline "default" has no stage "renewalnegotiation"',
        },
        { path: 'pipelines.partners', message: 'HubSpot has no deal pipeline "partners" in this portal' },
      ]);
    });
  });

  describe('versions and rollback', () => {
    it('lists versions newest first, reads an old one, and restores it as a new version', async () => {
      await publish(superAdminId, { ...withQualificationTitle('Second title'), note: 'second' });
      await publish(CONFIGURED_MANAGER_ID, { ...withQualificationTitle('Third title'), note: 'third' });

      const list = await t.cardRequest('GET', '/api/v1/playbook/versions');
      expect(list.status).toBe(200);
      expect(list.body.versions.map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([
        [3, 'third'],
        [2, 'second'],
        [1, expect.stringContaining('Default')],
      ]);
      expect(list.body.versions[0].author).toEqual({ userId: CONFIGURED_MANAGER_ID });

      const second = await t.cardRequest('GET', '/api/v1/playbook/versions/2');
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ version: 2, note: 'second' });
      expect(second.body.steps[1].title).toBe('Second title');

      const restored = await t.cardRequest('POST', '/api/v1/playbook/versions/2/restore', {
        userId: superAdminId,
      });
      expect(restored.status).toBe(200);
      expect(restored.body).toMatchObject({ version: 4, note: 'Restored version 2' });

      const current = await t.cardRequest('GET', '/api/v1/playbook');
      expect(current.body.version).toBe(4);
      expect(current.body.steps[1].title).toBe('Second title');
    });

    it('answers 404 for a version the portal does not have, and 400 for one that is not a number', async () => {
      expect((await t.cardRequest('GET', '/api/v1/playbook/versions/7')).status).toBe(404);
      expect(
        (await t.cardRequest('POST', '/api/v1/playbook/versions/7/restore', { userId: superAdminId })).status,
      ).toBe(404);
      expect((await t.cardRequest('GET', '/api/v1/playbook/versions/latest')).status).toBe(400);
    });
  });
});

describe('playbook API tenancy', () => {
  let t: TestService;

  beforeEach(async () => {
    t = await startTestService({ secondPortal: true });
  });
  afterEach(async () => {
    await t.stop();
  });

  it("one portal's published playbook is invisible to another", async () => {
    const managerA = t.sample.owners.manager.userId;
    const managerB = t.secondSample!.owners.manager.userId;
    const portalB = t.secondSample!.portalId;
    await t.cardRequest('PUT', '/api/v1/playbook', {
      userId: managerA,
      body: { ...withQualificationTitle('Portal A only'), name: 'Portal A SOP' },
    });

    const readByB = await t.cardRequest('GET', '/api/v1/playbook', { portalId: portalB, userId: managerB });
    expect(readByB.body).toMatchObject({ name: DEFAULT_PLAYBOOK.name, version: 1 });
    expect(
      (await t.cardRequest('GET', '/api/v1/playbook/versions/2', { portalId: portalB, userId: managerB }))
        .status,
    ).toBe(404);
    const versionsOfB = await t.cardRequest('GET', '/api/v1/playbook/versions', { portalId: portalB });
    expect(versionsOfB.body.versions).toHaveLength(1);
  });

  it('a super admin of one portal is no manager of another', async () => {
    const managerA = t.sample.owners.manager.userId;

    const response = await t.cardRequest('PUT', '/api/v1/playbook', {
      portalId: t.secondSample!.portalId,
      userId: managerA,
      body: copyDefaultPlaybook(),
    });

    expect(response.status).toBe(403);
  });

  it('answers 404 to a portal the app is not installed in', async () => {
    const response = await t.cardRequest('GET', '/api/v1/playbook', { portalId: 777 });

    expect(response.status).toBe(404);
  });
});
