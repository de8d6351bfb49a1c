import { inflateRawSync } from 'node:zlib';
import { sql } from 'kysely';
import { runCli } from '../../../src/app/cli/run-cli';
import type { Store } from '../../../src/platform/db';
import { stageChangeEvent } from '../../support/service-harness';
import { countLiveDeals } from '../../support/store/store-reads';
import { DATABASES } from '../../support/test-databases';
import {
  OAUTH_CLIENT_ID,
  PORTAL_IDS,
  startOAuthHarness,
  waitFor,
  type OAuthHarness,
} from '../portals/oauth-harness';

const [PORTAL_A, PORTAL_B] = PORTAL_IDS;

/** Every table of the database, whichever module made it. */
async function allTables(store: Store): Promise<string[]> {
  const { rows } =
    store.dialect === 'postgres'
      ? await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.context.db)
      : await sql<{ name: string }>`select name from sqlite_master
          where type = 'table' and name not like 'sqlite_%'`.execute(store.context.db);
  return rows.map((row) => row.name).sort();
}

/** A stored value as text: deflated journal bodies inflated, so that what they hold is seen too. */
function asText(value: unknown): string {
  if (value instanceof Uint8Array) {
    try {
      return inflateRawSync(value).toString('utf8');
    } catch {
      return Buffer.from(value).toString('utf8');
    }
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * What of the portal each table holds: rows whose portal_id is it, or any of whose values names it the
 * way HubSpot's events do (`"portalId":62515`, in a journaled request body or a refused element).
 */
async function scanForPortal(store: Store, portalId: number): Promise<Record<string, string[]>> {
  const named = new RegExp(`"portalId":\\s*"?${portalId}\\b`);
  const found: Record<string, string[]> = {};
  for (const table of await allTables(store)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      store.context.db,
    );
    const hits = rows
      .filter(
        (row) =>
          Number(row.portal_id) === portalId || Object.values(row).some((value) => named.test(asText(value))),
      )
      .map((row) =>
        JSON.stringify(row, (_key, value: unknown) => (value instanceof Uint8Array ? asText(value) : value)),
      );
    if (hits.length > 0) found[table] = hits.sort();
  }
  return found;
}

describe.each(DATABASES)('portals purge leaves nothing of the portal (%s)', (kind) => {
  let harness: OAuthHarness;
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
  });
  afterEach(async () => {
    await harness.stop();
  });

  it('removes the portal from every table, its events from journaled requests shared with another portal, and nothing of the other', async () => {
    const instance = harness.instances[0]!;
    const { store, reminders } = instance.running.services;
    for (const portalId of [PORTAL_A, PORTAL_B]) {
      expect((await harness.install(portalId)).status).toBe(200);
      await waitFor(async () => (await countLiveDeals(store, portalId)) === 6);
    }
    // Applied activity: stage moves (stage changes, exceptions, insights), reminders, write-backs.
    const now = () => harness.clock.now();
    const moves = [PORTAL_A, PORTAL_B].map((portalId) => {
      const deals = harness.samples.get(portalId)!.deals;
      harness.hubspot.state.moveDealToStage(portalId, deals.freshAppointment, 'contractsent', now());
      harness.hubspot.state.moveDealToStage(portalId, deals.presentation, 'closedwon', now());
      return [
        stageChangeEvent(deals.freshAppointment, 'contractsent', now(), portalId),
        stageChangeEvent(deals.presentation, 'closedwon', now(), portalId),
      ];
    });
    expect((await harness.sendWebhook(instance, moves.flat())).status).toBe(200);
    await instance.running.workers.drainInbox();
    await reminders.sweep({ now: now() });

    // Then, not yet moved into the inbox: one request with both portals' events, one with A's alone,
    // and refusals (one with A's portalId malformed, so not attributed by a portal_id column).
    harness.clock.advanceMs(60_000);
    const pending = [PORTAL_A, PORTAL_B].map((portalId) => {
      const deal = harness.samples.get(portalId)!.deals.readyQualified;
      harness.hubspot.state.moveDealToStage(portalId, deal, 'presentationscheduled', now());
      return stageChangeEvent(deal, 'presentationscheduled', now(), portalId);
    });
    expect((await harness.sendWebhook(instance, pending)).status).toBe(200);
    expect((await harness.sendWebhook(instance, [pending[0]])).status).toBe(200);
    const malformed = [
      { ...pending[0]!, objectId: 'not-a-deal-id' },
      { ...pending[0]!, portalId: String(PORTAL_A) },
      { ...pending[1]!, objectId: 'not-a-deal-id' },
    ];
    expect((await harness.sendWebhook(instance, malformed)).status).toBe(200);

    const beforeA = await scanForPortal(store, PORTAL_A);
    expect(Object.keys(beforeA)).toEqual(
      expect.arrayContaining([
        'deal_exceptions',
        'deals',
        'deal_writebacks',
        'insight_pending_deals',
        'installations',
        'playbook_versions',
        'portals',
        'refused_webhook_events',
        'reminders',
        'stage_changes',
        'webhook_inbox',
        'webhook_journal',
      ]),
    );
    expect(beforeA.refused_webhook_events).toHaveLength(2);
    const beforeB = await scanForPortal(store, PORTAL_B);

    const out: string[] = [];
    const code = await runCli(['portals', 'purge', '--portal', String(PORTAL_A)], {
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      env: {
        DATABASE_URL: harness.database.url,
        HUBSPOT_API_BASE_URL: harness.hubspot.url,
        HUBSPOT_CLIENT_ID: OAUTH_CLIENT_ID,
        TOKEN_ENCRYPTION_KEY: harness.encryptionKey,
      },
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/webhook_journal\s+2\b/);

    expect(await scanForPortal(store, PORTAL_A)).toEqual({});
    // The other portal's rows are as they were, but for the shared request, which lost A's event only.
    const afterB = await scanForPortal(store, PORTAL_B);
    const { webhook_journal: journalBefore, ...restBefore } = beforeB;
    const { webhook_journal: journalAfter, ...restAfter } = afterB;
    expect(restAfter).toEqual(restBefore);
    expect(journalAfter).toHaveLength(journalBefore!.length);

    // And B's journaled event still reaches its deal.
    await instance.running.services.portals.reload();
    await instance.running.workers.drainInbox();
    const dealB = harness.samples.get(PORTAL_B)!.deals.readyQualified;
    expect((await store.deals.getDeal(PORTAL_B, dealB))?.stageId).toBe('presentationscheduled');
    expect(await scanForPortal(store, PORTAL_A)).toEqual({});
  });
});
