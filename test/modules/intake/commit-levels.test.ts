import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { runRebuildableWrites } from '../../../src/platform/db';
import { DATABASES, type TestDatabaseKind } from '../../support/test-databases';
import { startTestService, type TestService } from '../../support/service-harness';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  deliver,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  moveEvent,
  publishPlaybook,
} from '../exceptions/support/exception-fixtures';

/** How HubSpot reports the app's own API write in a webhook: the writing app's id as the source. */
const OWN_WRITE = { changeSource: 'INTEGRATION', sourceId: '54321' };

/** The level a commit ran at, as each database names it (SQLite's synchronous as a number). */
const LEVELS: Record<TestDatabaseKind, { relaxed: string; durable: string }> = {
  sqlite: { relaxed: '1', durable: '2' },
  postgres: { relaxed: 'off', durable: 'on' },
};

/** The writes watched: the ack's journal append, the processor's own writes, an outbox intent and its claim. */
const WATCHED = [
  { table: 'webhook_journal', on: 'insert' },
  { table: 'webhook_inbox', on: 'insert' },
  { table: 'stage_changes', on: 'insert' },
  { table: 'deals', on: 'update' },
  { table: 'exception_outbox', on: 'insert' },
  { table: 'exception_outbox', on: 'update' },
] as const;

/**
 * Triggers that note, for every watched row written, the commit level of the connection writing it:
 * test-only schema, added over a connection of the test's own to the service's database.
 */
async function watchCommitLevels(kind: TestDatabaseKind, url: string): Promise<void> {
  if (kind === 'sqlite') {
    const database = new SqliteDatabase(url.slice('sqlite:'.length).replace(/^\/\//, ''));
    database.exec('create table commit_levels (written text, level text)');
    for (const { table, on } of WATCHED) {
      database.exec(
        `create trigger level_${table}_${on} after ${on} on ${table} begin ` +
          `insert into commit_levels select '${table} ${on}', synchronous from pragma_synchronous; end`,
      );
    }
    database.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('create table commit_levels (written text, level text)');
  await client.query(`create function note_commit_level() returns trigger language plpgsql as $$
    begin
      insert into commit_levels values (tg_table_name || ' ' || lower(tg_op), current_setting('synchronous_commit'));
      return null;
    end $$`);
  for (const { table, on } of WATCHED) {
    await client.query(
      `create trigger level_${table}_${on} after ${on} on ${table} for each row execute function note_commit_level()`,
    );
  }
  await client.end();
}

describe.each(DATABASES)('commit levels (%s)', (kind) => {
  let service: TestService;
  beforeEach(async () => {
    service = await startTestService({ database: kind });
    await publishPlaybook(service, buildGovernedPlaybook());
  });
  afterEach(async () => {
    await service.stop();
  });

  const levelsOf = async () => {
    const { rows } = await sql<{ written: string; level: string }>`
      select written, level from commit_levels`.execute(service.running.services.store.context.db);
    const byWrite = new Map<string, Set<string>>();
    for (const row of rows)
      byWrite.set(row.written, (byWrite.get(row.written) ?? new Set()).add(`${row.level}`));
    return Object.fromEntries([...byWrite].map(([written, levels]) => [written, [...levels].sort()]));
  };

  it("the processor's own writes commit without waiting for the disk; the ack's journal append, the outbox intent and its claim before HubSpot's call wait for it", async () => {
    const later = (ms: number) => new Date(service.clock.now().getTime() + ms);
    const dealId = await addProjectedDeal(service, {
      stageId: 'appointmentscheduled',
      enteredAt: later(-48 * HOUR_MS),
    });
    await watchCommitLevels(kind, service.databaseUrl);

    // Leaving prospecting unfinished: the revert's intent is recorded, then claimed and sent to HubSpot.
    await moveDeal(service, dealId, 'qualifiedtobuy', later(HOUR_MS));
    await service.running.services.exceptionResponses.runDue(service.clock.now());
    await deliver(service, [
      moveEvent(service, dealId, 'appointmentscheduled', service.clock.now(), OWN_WRITE),
    ]);

    expect(
      service.hubspot.state.apiStageUpdates
        .filter((update) => update.dealId === dealId)
        .map((update) => [update.fromStage, update.toStage]),
    ).toEqual([['qualifiedtobuy', 'appointmentscheduled']]);
    expect((await exceptionsOf(service, dealId)).map((exception) => exception.status)).toEqual(['reverted']);
    const { relaxed, durable } = LEVELS[kind];
    expect(await levelsOf()).toEqual({
      'webhook_journal insert': [durable],
      'webhook_inbox insert': [relaxed],
      'stage_changes insert': [relaxed],
      'deals update': [relaxed],
      'exception_outbox insert': [durable],
      'exception_outbox update': [durable],
    });
  });

  it('a connection taken after a relaxed write, or beside one, is durable again', async () => {
    const { db } = service.running.services.store.context;
    const levelQuery =
      kind === 'sqlite'
        ? sql<{ level: number }>`select synchronous as level from pragma_synchronous`
        : sql<{ level: string }>`select current_setting('synchronous_commit') as level`;
    const level = async () => `${(await levelQuery.execute(db)).rows[0]!.level}`;

    const [inside, beside] = await Promise.all([runRebuildableWrites(level), level()]);
    const after = await level();

    const { relaxed, durable } = LEVELS[kind];
    expect({ inside, beside, after }).toEqual({ inside: relaxed, beside: durable, after: durable });
  });
});
