import { sql } from 'kysely';
import type { MoveSource } from '../../domain';
import { preparedStatement } from '../../platform/db/sqlite-statements';
import { toEpochMs, withSqliteConnection, type StoreContext } from '../../platform/db/store-context';

/** The judged_stage_moves table (migration 0013). */
export interface JudgedStageMovesTable {
  portal_id: number;
  /** buildExceptionKey: the stage entry left, so a redelivered event adds nothing. */
  move_key: string;
  deal_id: string;
  from_stage: string;
  /** The entry's time as the checklist keys it. */
  checklist_entered_at: number;
  to_stage: string;
  moved_at: number;
  moved_by_source: string;
  moved_by_user_id: string | null;
}

/** A stage move as exception detection judged it: enough to judge it again under another playbook. */
export interface JudgedStageMove {
  key: string;
  dealId: string;
  fromStage: string;
  checklistEnteredAt: Date;
  toStage: string;
  movedAt: Date;
  movedBy: MoveSource;
}

export interface JudgedMoveRepository {
  /** One row per stage entry left; a move already recorded is kept as it was. */
  recordJudgedMoves(portalId: number, moves: readonly JudgedStageMove[]): Promise<void>;
  /** The portal's moves at or after `since`, newest first, at most `limit`. */
  listJudgedMoves(portalId: number, since: Date, limit: number): Promise<JudgedStageMove[]>;
}

/** One judged move; bound by name from a row of judged_stage_moves (better-sqlite3's named parameters). */
const SQLITE_INSERT_SQL = `insert into judged_stage_moves
  (portal_id, move_key, deal_id, from_stage, checklist_entered_at, to_stage, moved_at, moved_by_source, moved_by_user_id)
  values (@portal_id, @move_key, @deal_id, @from_stage, @checklist_entered_at, @to_stage, @moved_at,
    @moved_by_source, @moved_by_user_id)
  on conflict (portal_id, move_key) do nothing`;

export function createJudgedMoveRepository(ctx: StoreContext): JudgedMoveRepository {
  const { db } = ctx;
  return {
    async recordJudgedMoves(portalId, moves) {
      if (moves.length === 0) return;
      const rows = moves.map((move) => ({
        portal_id: portalId,
        move_key: move.key,
        deal_id: move.dealId,
        from_stage: move.fromStage,
        checklist_entered_at: toEpochMs(move.checklistEnteredAt),
        to_stage: move.toStage,
        moved_at: toEpochMs(move.movedAt),
        moved_by_source: move.movedBy.source,
        moved_by_user_id: move.movedBy.userId,
      }));
      // Detection runs inside the inbox batch and must stay cheap. On SQLite a kept statement a row in
      // one transaction; on PostgreSQL one statement whose nine parameters are arrays (unnest), as a
      // statement a row would cost a round trip each and a multi-row insert of a batch's moves, nine
      // parameters a move, took longer to build and serialise than PostgreSQL took to insert it.
      // Chosen by dialect: a SQLite context without its raw handle (one built inside runInTransaction)
      // fails in withSqliteConnection with a clear message instead of running PostgreSQL's unnest.
      if (ctx.dialect === 'sqlite') {
        await withSqliteConnection(ctx, (database) => {
          const insert = preparedStatement(database, SQLITE_INSERT_SQL);
          database
            .transaction(() => {
              for (const row of rows) insert.run(row);
            })
            .immediate();
        });
        return;
      }
      const column = <K extends keyof JudgedStageMovesTable>(name: K) => rows.map((row) => row[name]);
      await sql`insert into judged_stage_moves
        (portal_id, move_key, deal_id, from_stage, checklist_entered_at, to_stage, moved_at, moved_by_source, moved_by_user_id)
        select * from unnest(
          ${column('portal_id')}::bigint[], ${column('move_key')}::text[], ${column('deal_id')}::text[],
          ${column('from_stage')}::text[], ${column('checklist_entered_at')}::bigint[], ${column('to_stage')}::text[],
          ${column('moved_at')}::bigint[], ${column('moved_by_source')}::text[], ${column('moved_by_user_id')}::text[])
        on conflict (portal_id, move_key) do nothing`.execute(db);
    },

    async listJudgedMoves(portalId, since, limit) {
      const rows = await db
        .selectFrom('judged_stage_moves')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('moved_at', '>=', toEpochMs(since))
        .orderBy('moved_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        key: row.move_key,
        dealId: row.deal_id,
        fromStage: row.from_stage,
        checklistEnteredAt: new Date(Number(row.checklist_entered_at)),
        toStage: row.to_stage,
        movedAt: new Date(Number(row.moved_at)),
        movedBy: { source: row.moved_by_source, userId: row.moved_by_user_id },
      }));
    },
  };
}
