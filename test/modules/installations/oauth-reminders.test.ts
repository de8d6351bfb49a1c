import { DEFAULT_PLAYBOOK } from '../../../src/domain';
import { countLiveDeals } from '../../support/store/store-reads';
import { DATABASES } from '../../support/test-databases';
import {
  PORTAL_IDS,
  startOAuthHarness,
  waitFor,
  type OAuthHarness,
  type OAuthInstance,
} from '../portals/oauth-harness';

/**
 * Issue 15's "done when": a second HubSpot account that installed the app through /oauth/install gets
 * reminders, not only guidance. Both accounts hold the same sample deals (Globex, Hooli and Stark
 * stalled on Thursday 26 November 2026); every task must be created in the right account, with that
 * account's OAuth access token, once, while the tokens expire and are refreshed underneath.
 */
const [FIRST_ACCOUNT, SECOND_ACCOUNT] = PORTAL_IDS;
const ACCESS_TOKEN_TTL_MS = 1800 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const TASK_BATCH_CREATE_PATH = '/crm/v3/objects/tasks/batch/create';

describe.each(DATABASES)('reminders in an OAuth-installed account (%s)', (kind) => {
  let harness: OAuthHarness;
  let instances: OAuthInstance[];
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
    // On PostgreSQL two instances take turns sweeping; SQLite serves one process.
    instances =
      kind === 'postgres' ? [harness.instances[0]!, await harness.startInstance()] : [harness.instances[0]!];
  });
  afterEach(async () => {
    await harness.stop();
  });

  /** Installed through the real flow, its deals backfilled, its teams' manager named for escalations. */
  const installAccount = async (portalId: number) => {
    const { store } = harness.instances[0]!.running.services;
    expect((await harness.install(portalId)).status).toBe(200);
    await waitFor(async () => (await countLiveDeals(store, portalId)) === 6);
    const base = portalId * 10;
    const manager = harness.samples.get(portalId)!.owners.manager.ownerId;
    const saved = await store.playbooks.savePlaybookVersion(
      portalId,
      {
        ...DEFAULT_PLAYBOOK,
        reminders: {
          escalateAfterBusinessDays: 5,
          teamManagers: { [String(base + 400_000_001)]: manager, [String(base + 400_000_002)]: manager },
        },
      },
      { now: harness.clock.now(), repinsDealsInProgress: true },
    );
    // Published for deals in progress, as a manager's PUT with applyToDealsInProgress does.
    await store.deals.repinLiveDeals(portalId, saved.version, { now: harness.clock.now() });
  };

  let sweeps = 0;
  const sweep = async () => {
    const instance = instances[sweeps++ % instances.length]!;
    const report = await instance.running.services.reminders.sweep({ now: harness.clock.now() });
    expect(report.ran).toBe(true);
    return report;
  };

  const tasksOf = (portalId: number, prefix: string) =>
    harness.hubspot.state
      .listTasks(portalId)
      .filter((task) => task.properties.hs_task_subject?.startsWith(prefix))
      .map((task) => ({ dealId: task.dealIds[0], ownerId: task.properties.hubspot_owner_id }))
      .sort((a, b) => `${a.dealId}`.localeCompare(`${b.dealId}`));

  it("the second account's stalled deals get one owner task and one escalation each, created with its own OAuth token across expiries and refreshes", async () => {
    await installAccount(FIRST_ACCOUNT);
    await installAccount(SECOND_ACCOUNT);
    const second = harness.samples.get(SECOND_ACCOUNT)!;
    const requestsBefore = harness.hubspot.requests.length;

    // Thursday, the install's access tokens expired: the sweep's first call refreshes them.
    harness.clock.advanceMs(ACCESS_TOKEN_TTL_MS + 60_000);
    await sweep();
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(2);
    const { stalledQualified, contractSent, closedWon } = second.deals;
    const byDeal = (dealIds: string[], ownerId: (dealId: string) => string) =>
      dealIds
        .map((dealId) => ({ dealId, ownerId: ownerId(dealId) }))
        .sort((a, b) => a.dealId.localeCompare(b.dealId));
    const ownerOf = (dealId: string) =>
      harness.hubspot.state.getDeal(SECOND_ACCOUNT, dealId)!.properties.hubspot_owner_id;
    expect(tasksOf(SECOND_ACCOUNT, 'Stalled deal:')).toEqual(
      byDeal([stalledQualified, contractSent, closedWon], (dealId) => ownerOf(dealId)!),
    );
    // Stark has been stalled for weeks: its team's manager hears of it at once.
    expect(tasksOf(SECOND_ACCOUNT, 'Escalation:')).toEqual(
      byDeal([closedWon], () => second.owners.manager.ownerId),
    );

    // Nothing more that day, however often it sweeps.
    harness.clock.advanceMs(60 * 60 * 1000);
    await sweep();
    expect(tasksOf(SECOND_ACCOUNT, 'Escalation:')).toHaveLength(1);

    // Friday: Globex and Hooli have now been stalled long enough to escalate. The tokens expired
    // overnight and are refreshed ahead by a first read; then HubSpot's clock runs ahead and refuses
    // them while the app still thinks them fresh: one 401, one refresh and one retry per account.
    harness.clock.advanceMs(DAY_MS);
    for (const portalId of [FIRST_ACCOUNT, SECOND_ACCOUNT]) {
      const deal = harness.samples.get(portalId)!.deals.readyQualified;
      await instances[0]!.running.services.hubspot.deals.batchRead(portalId, [deal], ['dealname']);
    }
    harness.hubspot.state.oauth.now = () => new Date(harness.clock.now().getTime() + ACCESS_TOKEN_TTL_MS);
    const refreshesBefore = harness.hubspot.state.oauth.grants.refresh_token;
    await sweep();
    expect(harness.hubspot.state.oauth.grants.refresh_token - refreshesBefore).toBe(2);
    harness.hubspot.state.oauth.now = () => harness.clock.now();
    await sweep();
    expect(tasksOf(SECOND_ACCOUNT, 'Stalled deal:')).toHaveLength(3);
    expect(tasksOf(SECOND_ACCOUNT, 'Escalation:')).toEqual(
      byDeal([stalledQualified, contractSent, closedWon], () => second.owners.manager.ownerId),
    );
    // The first account got its own, the same way, and nothing of the other's.
    expect(tasksOf(FIRST_ACCOUNT, 'Stalled deal:')).toHaveLength(3);
    expect(tasksOf(FIRST_ACCOUNT, 'Escalation:')).toHaveLength(3);
    const firstDeals = new Set(Object.values(harness.samples.get(FIRST_ACCOUNT)!.deals));
    for (const task of harness.hubspot.state.listTasks(FIRST_ACCOUNT))
      expect(firstDeals.has(task.dealIds[0]!)).toBe(true);

    // Every task was created by a request carrying an OAuth access token of the account it landed in.
    const creates = harness.hubspot.requests
      .slice(requestsBefore)
      .filter((r) => r.path === TASK_BATCH_CREATE_PATH);
    const created = creates.filter((request) => request.status === 200 || request.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(2);
    for (const request of creates) expect(request.tokenKind).toBe('oauth');
    const dealsOf = (portalId: number) => new Set(Object.values(harness.samples.get(portalId)!.deals));
    for (const request of created) {
      const inputs = (request.body as { inputs: Array<{ associations: Array<{ to: { id: string } }> }> })
        .inputs;
      for (const input of inputs)
        expect(dealsOf(request.portalId!).has(input.associations[0]!.to.id)).toBe(true);
    }
    expect(new Set(created.map((request) => request.portalId))).toEqual(
      new Set([FIRST_ACCOUNT, SECOND_ACCOUNT]),
    );
    // The 401 happened and was answered by a refresh, not by a private-app token or another account's.
    expect(harness.hubspot.requests.slice(requestsBefore).some((request) => request.status === 401)).toBe(
      true,
    );
    expect(harness.hubspot.requests.slice(requestsBefore).every((r) => r.tokenKind !== 'private-app')).toBe(
      true,
    );
  });
});
