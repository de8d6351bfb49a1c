import { parsePlaybook } from '../../../src/domain';
import { createImpactPreviewService } from '../../../src/modules/playbooks/impact-preview.service';
import { createTestStore, type TestStore } from '../../support/test-databases';
import { buildPreviewCandidate } from './playbook-builders';
import { upsertDeal } from '../../support/store/store-writes';

const PORTAL_ID = 31337;
const NOW = new Date('2026-11-26T15:00:00.000Z');
const DEAL_COUNT = 450;

/** More deals than one page of the projection: every one is counted exactly once. */
describe('impact preview over many deals', () => {
  let testStore: TestStore;

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
    await testStore.store.portals.upsertPortal({ portalId: PORTAL_ID, timeZone: 'UTC', installedAt: NOW });
    for (let index = 0; index < DEAL_COUNT; index += 1) {
      await upsertDeal(
        testStore.store,
        {
          portalId: PORTAL_ID,
          dealId: String(1000 + index),
          pipelineId: 'default',
          stageId: 'appointmentscheduled',
          stageEnteredAt: new Date(NOW.getTime() - 3_600_000),
          ownerId: null,
          properties: { amount: index % 3 === 0 ? '100' : null },
          associations: {},
          lastActivityAt: null,
          nextActivityAt: null,
        },
        { observedAt: NOW, now: NOW },
      );
    }
  });
  afterAll(async () => {
    await testStore.cleanup();
  });

  it('pages through the whole projection and counts each deal once', async () => {
    const parsed = parsePlaybook(buildPreviewCandidate());
    if (!parsed.ok) throw new Error('the preview candidate no longer validates');
    const hubspotDown = () => Promise.reject(new Error('HubSpot is down'));
    const service = createImpactPreviewService({
      store: testStore.store,
      // HubSpot unreachable: the preview still answers from the projection, and says what it could not check.
      hubspot: { pipelines: { getAll: hubspotDown, getStageLabel: hubspotDown } },
      portals: { timeZoneOf: () => 'UTC' },
    });

    const preview = await service.preview(PORTAL_ID, parsed.playbook, NOW);

    expect(preview.totals).toEqual({
      openDeals: DEAL_COUNT,
      compliant: 150,
      blocked: 300,
      stalled: 0,
      noStep: 0,
    });
    expect(preview.stages[0]!.compliant.sampleDealIds).toEqual(['1000', '1003', '1006', '1009', '1012']);
    expect(preview.warnings[0]!.message).toContain('HubSpot is down');
  });
});
