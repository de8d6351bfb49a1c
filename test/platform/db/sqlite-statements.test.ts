import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { preparedStatement, withKeptStatements } from '../../../src/platform/db/sqlite-statements';

describe('kept SQLite statements', () => {
  let database: SqliteDatabase.Database;
  beforeEach(() => {
    database = new SqliteDatabase(':memory:');
    database.exec('create table notes (id integer primary key, body text)');
  });
  afterEach(() => {
    if (database.open) database.close();
  });

  it('prepares a statement once and gives the same one back for the same text', () => {
    const first = preparedStatement(database, 'select * from notes');
    expect(preparedStatement(database, 'select * from notes')).toBe(first);
    expect(preparedStatement(database, 'select id from notes')).not.toBe(first);
  });

  it('keeps a bounded number: the least recently used statement is prepared again', () => {
    const oldest = preparedStatement(database, 'select 0');
    const recent = preparedStatement(database, 'select 1');
    for (let n = 2; n < 500; n += 1) {
      preparedStatement(database, `select ${n}`);
      // Used again on every round: never the least recently used.
      expect(preparedStatement(database, 'select 1')).toBe(recent);
    }
    expect(preparedStatement(database, 'select 0')).not.toBe(oldest);
  });

  it('a kept statement sees a schema changed under it (migrations run on the same connection)', () => {
    const insert = preparedStatement(database, "insert into notes (body) values ('a')");
    insert.run();
    const select = preparedStatement(database, 'select * from notes');
    expect(select.all()).toEqual([{ id: 1, body: 'a' }]);
    database.exec("alter table notes add column author text default 'ann'");
    expect(preparedStatement(database, 'select * from notes').all()).toEqual([
      { id: 1, body: 'a', author: 'ann' },
    ]);
  });

  it("serves Kysely's queries, reads and writes, with their parameters, and closes the database", async () => {
    const db = new Kysely<{ notes: { id: Generated<number>; body: string } }>({
      dialect: new SqliteDialect({ database: withKeptStatements(database) }),
    });
    for (const body of ['x', 'y', 'z']) {
      const result = await db.insertInto('notes').values({ body }).executeTakeFirst();
      expect(Number(result.numInsertedOrUpdatedRows)).toBe(1);
    }
    const rows = await db.selectFrom('notes').select('body').where('body', '!=', 'y').orderBy('id').execute();
    expect(rows).toEqual([{ body: 'x' }, { body: 'z' }]);
    const updated = await db
      .updateTable('notes')
      .set({ body: 'w' })
      .where('body', '=', 'x')
      .executeTakeFirst();
    expect(Number(updated.numUpdatedRows)).toBe(1);
    // The same compiled text again, different parameters: the kept statement binds them afresh.
    expect(
      await db.selectFrom('notes').select('body').where('body', '!=', 'z').orderBy('id').execute(),
    ).toEqual([{ body: 'w' }, { body: 'y' }]);
    expect((await sql<{ n: number }>`select count(*) as n from notes`.execute(db)).rows).toEqual([{ n: 3 }]);
    await db.destroy();
    expect(database.open).toBe(false);
  });
});
