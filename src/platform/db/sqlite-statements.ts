import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/**
 * Statements kept prepared per connection. Kysely's SQLite driver prepares every query it runs, and
 * preparing is not cheap here: a statement that writes the deals table compiles the insights triggers
 * into it. A profile of the intake benchmark with processing on put 13% of the main thread in
 * better-sqlite3's prepare, all on the event loop that answers HubSpot. Most of our SQL repeats
 * (Kysely compiles the same query to the same text), so a few hundred kept statements cover it; SQL
 * that differs by its parameter count (IN lists, multi-row inserts) takes its turn in the LRU order.
 */
const MAX_KEPT_STATEMENTS = 400;

const statementsByDatabase = new WeakMap<SqliteDatabase.Database, Map<string, SqliteDatabase.Statement>>();

/**
 * `database.prepare(sql)`, kept for the next call with the same text. Safe because a connection runs one
 * statement at a time (better-sqlite3 is synchronous) and nothing here iterates a statement lazily;
 * SQLite re-prepares a kept statement itself when the schema changes under it.
 */
export function preparedStatement(database: SqliteDatabase.Database, sql: string): SqliteDatabase.Statement {
  let kept = statementsByDatabase.get(database);
  if (!kept) {
    kept = new Map();
    statementsByDatabase.set(database, kept);
  }
  const statement = kept.get(sql);
  if (statement) {
    // Most recently used last: Map keeps insertion order, so the first key is the one to let go.
    kept.delete(sql);
    kept.set(sql, statement);
    return statement;
  }
  const prepared = database.prepare(sql);
  kept.set(sql, prepared);
  if (kept.size > MAX_KEPT_STATEMENTS) kept.delete(kept.keys().next().value as string);
  return prepared;
}

/** The handle Kysely's SQLite dialect is given: its queries go through the kept statements. */
export function withKeptStatements(database: SqliteDatabase.Database): KyselySqliteDatabase {
  return {
    prepare: (sql: string) => preparedStatement(database, sql),
    close: () => {
      statementsByDatabase.delete(database);
      database.close();
    },
  };
}
