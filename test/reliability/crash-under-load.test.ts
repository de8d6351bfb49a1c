import path from 'node:path';
import { INBOX_LEASE_MS } from '../../src/modules/intake/inbox-processor';
import { createStore } from '../../src/app/store';
import type { LocalHubSpot } from '../../sandbox/local-hubspot';
import { DEALS_BATCH_READ, metricValue, postSignedWebhook } from '../integration/support/integration-helpers';
import {
  startCrashRig,
  startServiceProcess,
  stopCrashRig,
  waitUntil,
  type ServiceProcess,
} from '../integration/support/service-process';
import {
  WALK_STAGES,
  addWalkDeals,
  inBatches,
  walkRound,
  type StageMove,
} from '../integration/support/stage-walk';
import { SAMPLE_PORTAL_ID } from '../support/service-harness';
import { stageHistoryOf } from '../support/store/store-reads';

/**
 * SOAK=1 only (it waits out real leases): `kill -9` of the service under sustained webhook load, twice,
 * with a slow HubSpot. A sender keeps posting batches the whole time and, like HubSpot, re-sends every
 * batch that was not acknowledged; after the last restart every event is applied exactly once.
 */
const describeSoak = process.env.SOAK === '1' ? describe : describe.skip;
const DEALS = 100;
const CRASHES = 2;

describeSoak('kill -9 under sustained webhook load (soak)', () => {
  let hubspot: LocalHubSpot;
  let folder: string;
  let service: ServiceProcess | null = null;

  beforeAll(async () => {
    ({ hubspot, folder } = await startCrashRig('sop-soak-'));
  });
  afterAll(async () => stopCrashRig({ hubspot, folder }, service));

  it(
    'every event is applied exactly once across crashes and restarts',
    async () => {
      const databaseUrl = `sqlite:${path.join(folder, 'soak.db')}`;
      const dealIds = addWalkDeals(hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date(Date.now() - 86_400_000));
      hubspot.inject({ path: DEALS_BATCH_READ, delayMs: 200, times: 1_000_000 });
      service = await startServiceProcess({ databaseUrl, hubspotUrl: hubspot.url });

      const start = new Date(Date.now() - 30 * 60_000);
      const batches = WALK_STAGES.flatMap((_, round) =>
        inBatches(walkRound(hubspot.state, SAMPLE_PORTAL_ID, dealIds, round, start), 25),
      );
      const unacknowledged: StageMove[][] = [...batches];
      let sending = true;
      // The sender: HubSpot's at-least-once delivery, bounded by the batch list and a deadline.
      const sender = (async () => {
        const deadline = Date.now() + 8 * 60_000;
        while (sending && Date.now() < deadline) {
          const batch = unacknowledged[0];
          if (!batch) break;
          const target = service;
          const response = target
            ? await postSignedWebhook(target.url, JSON.stringify(batch.map((m) => m.event)), {
                timestampMs: Date.now(),
              }).catch(() => null)
            : null;
          if (response?.status === 200) unacknowledged.shift();
          else await new Promise((resolve) => setTimeout(resolve, 100));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();

      for (let crash = 0; crash < CRASHES; crash += 1) {
        const readsBefore = hubspot.requests.filter((r) => r.path === DEALS_BATCH_READ).length;
        await waitUntil(
          () => hubspot.requests.filter((r) => r.path === DEALS_BATCH_READ).length > readsBefore,
          { timeoutMs: 60_000, what: 'processing under load' },
        );
        const dying = service!;
        service = null;
        await dying.crash();
        // A real restart: the claims of the dead process come back when their lease runs out.
        await new Promise((resolve) => setTimeout(resolve, INBOX_LEASE_MS + 2_000));
        service = await startServiceProcess({ databaseUrl, hubspotUrl: hubspot.url });
      }
      await waitUntil(() => unacknowledged.length === 0, {
        timeoutMs: 5 * 60_000,
        what: 'all batches acknowledged',
      });
      sending = false;
      await sender;
      const total = batches.reduce((sum, batch) => sum + batch.length, 0);
      const running = service!;
      await waitUntil(
        async () =>
          metricValue(await fetch(`${running.url}/metrics`).then((r) => r.text()), 'sop_inbox_events', {
            status: 'done',
          }) === total,
        { timeoutMs: 3 * 60_000, intervalMs: 500, what: 'the inbox to drain' },
      );
      await running.stop();
      service = null;

      const store = await createStore(databaseUrl);
      try {
        expect(await store.inbox.countInboxByStatus()).toMatchObject({ done: total, pending: 0, parked: 0 });
        for (const dealId of dealIds) {
          expect((await store.deals.getDeal(SAMPLE_PORTAL_ID, dealId))?.stageId).toBe('closedwon');
          const changes = await stageHistoryOf(store, SAMPLE_PORTAL_ID, dealId);
          expect([dealId, changes.map((change) => change.toStage)]).toEqual([dealId, [...WALK_STAGES]]);
        }
      } finally {
        await store.close();
      }
    },
    15 * 60_000,
  );
});
