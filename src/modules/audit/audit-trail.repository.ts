import { toActionCompletion, type ActionCompletion } from '../checklist';
import { toSnooze, type Snooze } from '../snoozes';
import { toStageChange, type StageChange } from '../deals';
import { toEpochMs, type StoreContext } from '../../platform/db/store-context';

/**
 * Read side of the audit trail: the append-only records of one deal, or of a whole portal (the CSV
 * export), each list oldest first. Writes stay with their own repositories.
 */
export interface AuditRecords {
  stageChanges: StageChange[];
  actionCompletions: ActionCompletion[];
  snoozes: Snooze[];
}

export interface AuditTrailFilter {
  /** One deal; every deal of the portal when absent. */
  dealId?: string;
  /** Only records at or after this instant. */
  since?: Date;
}

export interface AuditTrailRepository {
  listAuditRecords(portalId: number, filter?: AuditTrailFilter): Promise<AuditRecords>;
}

export function createAuditTrailRepository(ctx: StoreContext): AuditTrailRepository {
  const { db } = ctx;
  return {
    async listAuditRecords(portalId, filter = {}) {
      const sinceMs = filter.since ? toEpochMs(filter.since) : null;

      let stageQuery = db.selectFrom('stage_changes').selectAll().where('portal_id', '=', portalId);
      let actionQuery = db.selectFrom('action_completions').selectAll().where('portal_id', '=', portalId);
      let snoozeQuery = db.selectFrom('snoozes').selectAll().where('portal_id', '=', portalId);
      if (filter.dealId !== undefined) {
        stageQuery = stageQuery.where('deal_id', '=', filter.dealId);
        actionQuery = actionQuery.where('deal_id', '=', filter.dealId);
        snoozeQuery = snoozeQuery.where('deal_id', '=', filter.dealId);
      }
      if (sinceMs !== null) {
        stageQuery = stageQuery.where('occurred_at', '>=', sinceMs);
        actionQuery = actionQuery.where('at', '>=', sinceMs);
        snoozeQuery = snoozeQuery.where('created_at', '>=', sinceMs);
      }
      // Sequential on purpose: a SQLite store has one connection, and the three reads are small.
      const stageRows = await stageQuery.orderBy('occurred_at').orderBy('id').execute();
      const actionRows = await actionQuery.orderBy('at').orderBy('id').execute();
      const snoozeRows = await snoozeQuery.orderBy('created_at').orderBy('id').execute();

      return {
        stageChanges: stageRows.map(toStageChange),
        actionCompletions: actionRows.map(toActionCompletion),
        snoozes: snoozeRows.map(toSnooze),
      };
    },
  };
}
