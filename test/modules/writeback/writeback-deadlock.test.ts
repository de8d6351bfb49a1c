import pg from 'pg';
import { createTestStore, type TestStore } from '../../support/test-databases';

const PORTAL_ID = 62515;
const T0 = new Date('2026-11-30T09:00:00Z');

/**
 * On PostgreSQL a flush's completion updates many deal_writebacks rows in one transaction, and the
 * insight triggers on them update shared figure rows: another transaction (the inbox marking deals,
 * the processor's deal upserts, another instance) can take the same rows in another order, and
 * PostgreSQL then aborts one of the two as a deadlock victim. Given up, the completion left the deals
 * pending and the next flush wrote them to HubSpot a second time; every write transaction
 * (`runWriteTransaction`) now runs again when it is the victim.
 */
describe('completing a write-back flush that PostgreSQL picks as a deadlock victim', () => {
  let testStore: TestStore;
  let other: pg.Client;

  beforeEach(async () => {
    testStore = await createTestStore('postgres');
    other = new pg.Client({ connectionString: testStore.url });
    await other.connect();
  });

  afterEach(async () => {
    await other.end();
    await testStore.cleanup();
  });

  it('runs the completion again once the other transaction is through, and completes every deal', async () => {
    const { store } = testStore;
    await store.writebacks.markDealsForWriteback(PORTAL_ID, ['1', '2'], T0);
    const pending = await store.writebacks.listPendingWritebacks({ portalId: PORTAL_ID, limit: 10 });
    const completed = pending.map((entry) => ({
      dealId: entry.dealId,
      markRevision: entry.markRevision,
      writtenValues: { sop_guide_step: `step of ${entry.dealId}` },
    }));

    // The other transaction holds deal 2's row; the completion takes deal 1's and waits for deal 2's.
    await other.query('begin');
    await other.query(`select 1 from deal_writebacks where portal_id = $1 and deal_id = '2' for update`, [
      PORTAL_ID,
    ]);
    const completing = store.writebacks.completeWritebacks(PORTAL_ID, completed, T0);
    await waitUntilWaitingForALock(other);
    // Now the other one wants deal 1's row: a cycle. The completion waited first, so after
    // deadlock_timeout it is the one PostgreSQL aborts.
    const otherTakesDealOne = other.query(
      `update deal_writebacks set attempts = attempts + 1 where portal_id = $1 and deal_id = '1'`,
      [PORTAL_ID],
    );
    await otherTakesDealOne;
    await other.query('commit');
    await completing;

    expect(await store.writebacks.listPendingWritebacks({ portalId: PORTAL_ID, limit: 10 })).toEqual([]);
    const rows = await other.query<{ deal_id: string; written_values: string }>(
      `select deal_id, written_values from deal_writebacks where portal_id = $1 order by deal_id`,
      [PORTAL_ID],
    );
    expect(rows.rows.map((row) => [row.deal_id, JSON.parse(row.written_values)])).toEqual([
      ['1', { sop_guide_step: 'step of 1' }],
      ['2', { sop_guide_step: 'step of 2' }],
    ]);
  });
});

/** Until some other backend of this database waits for a row lock. */
async function waitUntilWaitingForALock(client: pg.Client): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { rows } = await client.query<{ waiting: string }>(
      `select count(*) as waiting from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
    );
    if (Number(rows[0]!.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the completion never waited for the row lock');
}
