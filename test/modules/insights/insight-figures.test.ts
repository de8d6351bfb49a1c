import { sql } from 'kysely';
import { buildFiguresSql } from '../../../src/modules/insights/0014-insight-figures.migration';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import { DATABASES } from '../../support/test-databases';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  publishPlaybook,
} from '../exceptions/support/exception-fixtures';

// The harness's clock: Thursday 2026-11-26 10:00 in New York (15:00 UTC).
const MOVED_AT = new Date('2026-11-26T16:00:00.000Z');
const FIGURE_TABLES = ['insight_open_figures', 'insight_outcome_figures', 'insight_won_months'] as const;
const FLOAT_COLUMNS = new Set(['amount', 'days']);

describe.each(DATABASES)('the insights figures kept as deals change (%s)', (database) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
  });
  afterEach(() => service.stop());

  const manager = () => service.sample.owners.manager.userId;
  const get = (path: string) => service.cardRequest('GET', path, { userId: manager() });
  const qualified = (amount: string, closedate: string) =>
    addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt: new Date(MOVED_AT.getTime() - 72 * HOUR_MS),
      properties: { amount, closedate },
    });

  /** Every non-zero row of the figure tables, in one order: what the dashboard sums. */
  async function readFigures(): Promise<Record<string, unknown[]>> {
    const { db } = service.running.services.store.context;
    const figures: Record<string, unknown[]> = {};
    for (const table of FIGURE_TABLES) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      figures[table] = rows
        .filter((row) => Number(row.deals) !== 0)
        .map((row) =>
          Object.fromEntries(
            // Sums of days and amounts added and taken back one by one differ from one sum in the last bits.
            Object.entries(row).map(([key, value]) => [
              key,
              FLOAT_COLUMNS.has(key) ? Number(value).toFixed(6) : String(value),
            ]),
          ),
        )
        .map((row) => JSON.stringify(row, Object.keys(row).sort()))
        .sort();
    }
    return figures;
  }

  it('an open exception counts on its stage and owner and puts the deal at risk, until it is justified', async () => {
    const moved = await qualified('10000', '2026-12-15');
    await qualified('5000', '2026-12-20');
    // The rep moves one deal on without the discovery call: qualification asks for a justification.
    await moveDeal(service, moved, 'presentationscheduled', MOVED_AT);
    const [exception] = await exceptionsOf(service, moved);
    expect(exception?.status).toBe('open');

    const compliance = (await get('/api/v1/insights/compliance')).body;
    const stage = (stageId: string) =>
      compliance.byStage.find((row: { stageId: string }) => row.stageId === stageId);
    expect(stage('qualifiedtobuy')).toMatchObject({ open: 1, openExceptions: 0 });
    expect(stage('presentationscheduled')).toMatchObject({ open: 1, openExceptions: 1 });
    expect(compliance.byOwner).toEqual([
      expect.objectContaining({ name: 'Riley Rep', open: 2, openExceptions: 1 }),
    ]);
    // December: 10000 × 0.6 (presentation) + 5000 × 0.4 (qualified) = 8000 weighted; the moved deal's 6000
    // is at risk (an open exception; no deal is stalled).
    const december = async () => (await get('/api/v1/insights/demand?months=2')).body.months[1];
    expect(await december()).toEqual({
      month: '2026-12',
      openDeals: 2,
      amount: 15000,
      weightedAmount: 8000,
      atRiskAmount: 6000,
      wonAmount: 0,
    });

    const justified = await service.cardRequest('POST', `/api/v1/exceptions/${exception!.id}/justification`, {
      userId: service.sample.owners.rep.userId,
      body: { reason: 'Discovery happened at the trade show.' },
    });
    expect(justified.status).toBe(200);
    expect(
      (await get('/api/v1/insights/compliance')).body.byStage.map(
        (row: { openExceptions: number }) => row.openExceptions,
      ),
    ).toEqual([0, 0, 0, 0, 0]);
    expect(await december()).toMatchObject({ weightedAmount: 8000, atRiskAmount: 0 });
  });

  it('after creates, moves, verdicts, exceptions, closes, a reopen, an owner change and a delete, the kept figures equal a build from scratch', async () => {
    const now = () => service.clock.now();
    const { store, closedDealHistory, writeback, dealSync } = service.running.services;
    const recordHistory = async () => {
      while ((await closedDealHistory.recordPending(now())) > 0);
    };
    const [a, b, c, d] = [
      await qualified('1000', '2026-12-01'),
      await qualified('2000', '1796083200000'),
      await qualified('not a number', ''),
      await qualified('4000', '2027-02-10'),
    ];
    await writeback.flush(now());
    // Moves with the SOP unmet: exceptions open on a and b; b's is then justified.
    await moveDeal(service, a, 'presentationscheduled', MOVED_AT);
    await moveDeal(service, b, 'presentationscheduled', new Date(MOVED_AT.getTime() + HOUR_MS));
    const [bException] = await exceptionsOf(service, b);
    await service.cardRequest('POST', `/api/v1/exceptions/${bException!.id}/justification`, {
      userId: service.sample.owners.rep.userId,
      body: { reason: 'Done by phone.' },
    });
    // c is won and d lost; then c reopens (it leaves the history) and d stays closed.
    await moveDeal(service, c, 'closedwon', new Date(MOVED_AT.getTime() + 2 * HOUR_MS));
    await moveDeal(service, d, 'closedlost', new Date(MOVED_AT.getTime() + 3 * HOUR_MS));
    await recordHistory();
    const closedOnce = await readFigures();
    expect(closedOnce.insight_outcome_figures).not.toEqual([]);
    await moveDeal(service, c, 'decisionmakerboughtin', new Date(MOVED_AT.getTime() + 4 * HOUR_MS));
    await recordHistory();
    // a changes owner and amount in HubSpot; b is deleted.
    service.hubspot.state.upsertDeal(SAMPLE_PORTAL_ID, {
      id: a,
      properties: { hubspot_owner_id: service.sample.owners.secondRep.ownerId, amount: '1500' },
    });
    await dealSync.syncDeals(SAMPLE_PORTAL_ID, [a], now());
    await store.deals.markDealDeleted(SAMPLE_PORTAL_ID, b, new Date(MOVED_AT.getTime() + 5 * HOUR_MS), {
      now: now(),
    });
    await writeback.flush(now());

    const kept = await readFigures();
    expect(kept.insight_open_figures).not.toEqual([]);
    expect(kept.insight_won_months).toEqual([]);
    await store.runInTransaction(async ({ db, dialect }) => {
      for (const statement of buildFiguresSql(dialect)) await sql.raw(statement).execute(db);
    });
    expect(await readFigures()).toEqual(kept);
  });
});
