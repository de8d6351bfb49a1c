import {
  foldActionCompletions,
  type ActionLogEntry,
  type ScopedActionState,
} from '../../domain/action-log.util';
import type { ActionCompletionsTable } from '../../platform/db/database.types';
import { generateSortableId, toEpochMs, type StoreContext } from '../../platform/db/store-context';

/** One stored entry of the append-only checklist log: a tick (done) or an untick (undo). */
export interface ActionCompletion extends ActionLogEntry {
  id: string;
  portalId: number;
  dealId: string;
}

export type AppendActionCompletionInput = Omit<ActionCompletion, 'id'>;

export type { ScopedActionState };

export interface ActionCompletionFilter {
  stepId?: string;
  /** A deal that re-enters a stage starts a fresh checklist: pass the current entry to see only its ticks. */
  stageEnteredAt?: Date;
}

export interface ActionCompletionRepository {
  appendActionCompletion(input: AppendActionCompletionInput): Promise<ActionCompletion>;
  /** The log folded into the latest state per (stage entry, step, action); actions never ticked are absent. */
  listActionStates(
    portalId: number,
    dealId: string,
    filter?: ActionCompletionFilter,
  ): Promise<ScopedActionState[]>;
  /**
   * The deals' logs themselves, oldest first: what was ticked before a given moment (exception
   * detection, for a whole batch's deals in one query).
   */
  listActionCompletions(portalId: number, dealIds: readonly string[]): Promise<ActionCompletion[]>;
}

export function toActionCompletion(row: ActionCompletionsTable): ActionCompletion {
  return {
    id: row.id,
    portalId: row.portal_id,
    dealId: row.deal_id,
    stageEnteredAt: new Date(row.stage_entered_at),
    stepId: row.step_id,
    actionId: row.action_id,
    done: row.done === 1,
    userId: row.user_id,
    userEmail: row.user_email,
    note: row.note,
    at: new Date(row.at),
  };
}

export function createActionCompletionRepository(ctx: StoreContext): ActionCompletionRepository {
  const { db } = ctx;

  async function listLog(portalId: number, dealId: string, filter: ActionCompletionFilter = {}) {
    let query = db
      .selectFrom('action_completions')
      .selectAll()
      .where('portal_id', '=', portalId)
      .where('deal_id', '=', dealId);
    if (filter.stepId !== undefined) query = query.where('step_id', '=', filter.stepId);
    if (filter.stageEnteredAt !== undefined) {
      query = query.where('stage_entered_at', '=', toEpochMs(filter.stageEnteredAt));
    }
    // Ids sort in write order, which breaks ties between entries of the same millisecond.
    const rows = await query.orderBy('at').orderBy('id').execute();
    return rows.map(toActionCompletion);
  }

  return {
    async appendActionCompletion(input) {
      const row: ActionCompletionsTable = {
        id: generateSortableId(),
        portal_id: input.portalId,
        deal_id: input.dealId,
        stage_entered_at: toEpochMs(input.stageEnteredAt),
        step_id: input.stepId,
        action_id: input.actionId,
        done: input.done ? 1 : 0,
        user_id: input.userId,
        user_email: input.userEmail,
        note: input.note,
        at: toEpochMs(input.at),
      };
      await db.insertInto('action_completions').values(row).execute();
      return toActionCompletion(row);
    },

    async listActionStates(portalId, dealId, filter) {
      return foldActionCompletions(await listLog(portalId, dealId, filter));
    },
    async listActionCompletions(portalId, dealIds) {
      if (dealIds.length === 0) return [];
      const rows = await db
        .selectFrom('action_completions')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', dealIds)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map(toActionCompletion);
    },
  };
}
