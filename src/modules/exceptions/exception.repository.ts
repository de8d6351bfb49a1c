import type { EnforcementMode, OpenItem } from '../../domain';
import {
  generateSortableId,
  toEpochMs,
  toEpochMsOrNull,
  type StoreContext,
} from '../../platform/db/store-context';
import {
  JUSTIFY_OVERDUE_TASK,
  MOVE_BACK,
  REVERT_OWNER_TASK,
  TIMELINE_NOTE,
} from './exception-outbox.repository';
import type { ExceptionOutboxKind, ExceptionOutboxStatus } from './exception.table';
import type { DealExceptionsTable } from './exception.table';

/** Rows per insert: 21 parameters each, well under SQLite's and PostgreSQL's limits. */
const EXCEPTIONS_PER_INSERT = 200;

export const EXCEPTION_STATUSES = ['open', 'justified', 'approved', 'rejected', 'reverted'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export interface ExceptionJustification {
  userId: string;
  email: string | null;
  reason: string;
  at: Date;
}

export interface ExceptionDecision {
  userId: string;
  email: string | null;
  decision: 'approve' | 'reject';
  note?: string;
  at: Date;
}

/** A deal that moved on with its SOP unmet (DESIGN.md §7). */
export interface DealException {
  id: string;
  portalId: number;
  dealId: string;
  fromStage: string;
  /** When the deal entered the stage it left: with the deal and stage, what makes the exception unique. */
  fromEnteredAt: Date;
  toStage: string;
  movedAt: Date;
  movedBy: { source: string; userId: string | null };
  ownerId: string | null;
  stepId: string;
  mode: EnforcementMode;
  status: ExceptionStatus;
  openItems: OpenItem[];
  justification: ExceptionJustification | null;
  decision: ExceptionDecision | null;
  playbookVersion: number | null;
  /** For `justify`: when the owner's reason is due; past it, the manager gets a task. */
  justifyDueAt: Date | null;
  createdAt: Date;
}

export type NewDealException = Omit<
  DealException,
  'id' | 'status' | 'justification' | 'decision' | 'createdAt'
> & { key: string };

/** Where a page of listExceptions ended (newest first): the next page starts after this one. */
export interface ExceptionCursor {
  movedAt: Date;
  id: string;
}

export interface ExceptionFilter {
  status?: ExceptionStatus;
  ownerId?: string;
  /** Moves at or after this instant. */
  since?: Date;
  after?: ExceptionCursor;
  limit: number;
}

/** An exception with when the app moved its deal back (a revert, a rejection), for the audit trail. */
export interface ExceptionHistory {
  exception: DealException;
  movedBackAt: Date | null;
}

export interface ExceptionRepository {
  /**
   * Exceptions of one deal (or the whole portal) with anything recorded at or after `since`, oldest
   * move first.
   */
  listExceptionHistory(
    portalId: number,
    filter: { dealId?: string; since?: Date },
  ): Promise<ExceptionHistory[]>;
  /**
   * Inserts each exception unless its key (the stage entry left) already has one; returns the keys
   * inserted. One statement per EXCEPTIONS_PER_INSERT: detection records a whole batch's at once.
   */
  recordExceptions(inputs: readonly NewDealException[], now: Date): Promise<Set<string>>;
  /** The deals' exceptions, newest move first. */
  listDealExceptions(portalId: number, dealIds: readonly string[]): Promise<DealException[]>;
  /** The portal's exceptions, newest move first, one keyset page. */
  listExceptions(portalId: number, filter: ExceptionFilter): Promise<DealException[]>;
  getException(portalId: number, id: string): Promise<DealException | null>;
  /** Closes an open `justify` exception with the owner's reason; false when it was not open any more. */
  recordJustification(
    portalId: number,
    id: string,
    justification: ExceptionJustification,
    now: Date,
  ): Promise<boolean>;
  /**
   * Open `justify` exceptions past their deadline whose manager task is not sent yet, every portal,
   * oldest deadline first.
   */
  listOverdueJustifications(now: Date, limit: number): Promise<DealException[]>;
  /** Settles an open `approve` exception with a manager's decision; false when it was not open any more. */
  recordDecision(portalId: number, id: string, decision: ExceptionDecision, now: Date): Promise<boolean>;
  /** Exceptions whose deal must go back (open `revert` ones, rejected ones) and has not, every portal. */
  listPendingMoveBacks(limit: number): Promise<DealException[]>;
  /** An open `revert` exception whose deal went back. */
  markReverted(portalId: number, id: string, now: Date): Promise<void>;
  /** Reverted exceptions whose owner's task is not sent yet, every portal. */
  listPendingRevertTasks(limit: number): Promise<DealException[]>;
  /** Exceptions not yet on their deal's HubSpot timeline, every portal, oldest first. */
  listPendingTimelineNotes(limit: number): Promise<DealException[]>;
}

function toDealException(row: DealExceptionsTable): DealException {
  const justification = row.justification
    ? (JSON.parse(row.justification) as Omit<ExceptionJustification, 'at'> & { at: string })
    : null;
  const decision = row.decision
    ? (JSON.parse(row.decision) as Omit<ExceptionDecision, 'at'> & { at: string })
    : null;
  return {
    id: row.id,
    portalId: Number(row.portal_id),
    dealId: row.deal_id,
    fromStage: row.from_stage,
    fromEnteredAt: new Date(Number(row.from_entered_at)),
    toStage: row.to_stage,
    movedAt: new Date(Number(row.moved_at)),
    movedBy: { source: row.moved_by_source, userId: row.moved_by_user_id },
    ownerId: row.owner_id,
    stepId: row.step_id,
    mode: row.mode as EnforcementMode,
    status: row.status as ExceptionStatus,
    openItems: JSON.parse(row.open_items) as OpenItem[],
    justification: justification ? { ...justification, at: new Date(justification.at) } : null,
    decision: decision ? { ...decision, at: new Date(decision.at) } : null,
    playbookVersion: row.playbook_version,
    justifyDueAt: row.justify_due_at === null ? null : new Date(Number(row.justify_due_at)),
    createdAt: new Date(Number(row.created_at)),
  };
}

export function createExceptionRepository(ctx: StoreContext): ExceptionRepository {
  const { db } = ctx;

  /** Exceptions with no outbox entry of `kind` in one of `settled` (the call was made, or never will be). */
  const withoutSettledOutbox = (kind: ExceptionOutboxKind, settled: ExceptionOutboxStatus[]) =>
    db
      .selectFrom('deal_exceptions')
      .selectAll('deal_exceptions')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('exception_outbox')
              .select('exception_outbox.key')
              .whereRef('exception_outbox.exception_id', '=', 'deal_exceptions.id')
              .where('exception_outbox.kind', '=', kind)
              .where('exception_outbox.status', 'in', settled),
          ),
        ),
      );

  return {
    async listExceptionHistory(portalId, filter) {
      let query = db
        .selectFrom('deal_exceptions')
        .leftJoin('exception_outbox', (join) =>
          join
            .onRef('exception_outbox.exception_id', '=', 'deal_exceptions.id')
            .on('exception_outbox.kind', '=', MOVE_BACK)
            .on('exception_outbox.status', '=', 'sent'),
        )
        .selectAll('deal_exceptions')
        .select('exception_outbox.updated_at as moved_back_at')
        .where('deal_exceptions.portal_id', '=', portalId);
      if (filter.dealId !== undefined) query = query.where('deal_exceptions.deal_id', '=', filter.dealId);
      if (filter.since) {
        const sinceMs = toEpochMs(filter.since);
        // A justification or decision updates the row; a move back is the outbox's.
        query = query.where((eb) =>
          eb.or([
            eb('deal_exceptions.updated_at', '>=', sinceMs),
            eb('deal_exceptions.moved_at', '>=', sinceMs),
            eb('exception_outbox.updated_at', '>=', sinceMs),
          ]),
        );
      }
      const rows = await query.orderBy('deal_exceptions.moved_at').orderBy('deal_exceptions.id').execute();
      return rows.map(({ moved_back_at, ...row }) => ({
        exception: toDealException(row),
        movedBackAt: moved_back_at === null ? null : new Date(Number(moved_back_at)),
      }));
    },

    async recordExceptions(inputs, now) {
      const created = new Set<string>();
      for (let start = 0; start < inputs.length; start += EXCEPTIONS_PER_INSERT) {
        const rows = await db
          .insertInto('deal_exceptions')
          .values(
            inputs.slice(start, start + EXCEPTIONS_PER_INSERT).map((input) => ({
              id: generateSortableId(),
              portal_id: input.portalId,
              deal_id: input.dealId,
              exception_key: input.key,
              from_stage: input.fromStage,
              from_entered_at: toEpochMs(input.fromEnteredAt),
              to_stage: input.toStage,
              moved_at: toEpochMs(input.movedAt),
              moved_by_source: input.movedBy.source,
              moved_by_user_id: input.movedBy.userId,
              owner_id: input.ownerId,
              step_id: input.stepId,
              mode: input.mode,
              status: 'open' as const,
              open_items: JSON.stringify(input.openItems),
              justification: null,
              decision: null,
              playbook_version: input.playbookVersion,
              justify_due_at: toEpochMsOrNull(input.justifyDueAt),
              created_at: toEpochMs(now),
              updated_at: toEpochMs(now),
            })),
          )
          .onConflict((oc) => oc.columns(['portal_id', 'exception_key']).doNothing())
          .returning('exception_key')
          .execute();
        for (const row of rows) created.add(row.exception_key);
      }
      return created;
    },

    async listDealExceptions(portalId, dealIds) {
      if (dealIds.length === 0) return [];
      const rows = await db
        .selectFrom('deal_exceptions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', dealIds)
        .orderBy('moved_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toDealException);
    },

    async listExceptions(portalId, filter) {
      let query = db.selectFrom('deal_exceptions').selectAll().where('portal_id', '=', portalId);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
      if (filter.since) query = query.where('moved_at', '>=', toEpochMs(filter.since));
      const after = filter.after;
      if (after) {
        const afterMs = toEpochMs(after.movedAt);
        query = query.where((eb) =>
          eb.or([
            eb('moved_at', '<', afterMs),
            eb.and([eb('moved_at', '=', afterMs), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('moved_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .execute();
      return rows.map(toDealException);
    },

    async getException(portalId, id) {
      const row = await db
        .selectFrom('deal_exceptions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toDealException(row) : null;
    },

    async recordJustification(portalId, id, justification, now) {
      const result = await db
        .updateTable('deal_exceptions')
        .set({
          status: 'justified',
          justification: JSON.stringify({ ...justification, at: justification.at.toISOString() }),
          updated_at: toEpochMs(now),
        })
        .where('portal_id', '=', portalId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('mode', '=', 'justify')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async listOverdueJustifications(now, limit) {
      const rows = await withoutSettledOutbox(JUSTIFY_OVERDUE_TASK, ['sent'])
        .where('deal_exceptions.status', '=', 'open')
        .where('deal_exceptions.mode', '=', 'justify')
        .where('deal_exceptions.justify_due_at', '<=', toEpochMs(now))
        .orderBy('deal_exceptions.justify_due_at')
        .orderBy('deal_exceptions.id')
        .limit(limit)
        .execute();
      return rows.map(toDealException);
    },

    async recordDecision(portalId, id, decision, now) {
      const result = await db
        .updateTable('deal_exceptions')
        .set({
          status: decision.decision === 'approve' ? 'approved' : 'rejected',
          decision: JSON.stringify({ ...decision, at: decision.at.toISOString() }),
          updated_at: toEpochMs(now),
        })
        .where('portal_id', '=', portalId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .where('mode', '=', 'approve')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async listPendingMoveBacks(limit) {
      const rows = await withoutSettledOutbox(MOVE_BACK, ['sent', 'cancelled'])
        .where((eb) =>
          eb.or([
            eb.and([eb('deal_exceptions.mode', '=', 'revert'), eb('deal_exceptions.status', '=', 'open')]),
            eb('deal_exceptions.status', '=', 'rejected'),
          ]),
        )
        .orderBy('deal_exceptions.id')
        .limit(limit)
        .execute();
      return rows.map(toDealException);
    },

    async markReverted(portalId, id, now) {
      await db
        .updateTable('deal_exceptions')
        .set({ status: 'reverted', updated_at: toEpochMs(now) })
        .where('portal_id', '=', portalId)
        .where('id', '=', id)
        .where('status', '=', 'open')
        .execute();
    },

    async listPendingTimelineNotes(limit) {
      const rows = await withoutSettledOutbox(TIMELINE_NOTE, ['sent'])
        .orderBy('deal_exceptions.id')
        .limit(limit)
        .execute();
      return rows.map(toDealException);
    },

    async listPendingRevertTasks(limit) {
      const rows = await withoutSettledOutbox(REVERT_OWNER_TASK, ['sent'])
        .where('deal_exceptions.status', '=', 'reverted')
        .orderBy('deal_exceptions.id')
        .limit(limit)
        .execute();
      return rows.map(toDealException);
    },
  };
}
