import { selectActiveSnooze } from '../../domain/snooze.util';
import type { SnoozesTable } from '../../platform/db/database.types';
import {
  generateSortableId,
  toEpochMs,
  toEpochMsOrNull,
  type StoreContext,
} from '../../platform/db/store-context';

export interface Snooze {
  id: string;
  portalId: number;
  dealId: string;
  /** The stage entry the snooze was given for; null for one that holds whatever the stage. */
  stageEnteredAt: Date | null;
  until: Date;
  reason: string | null;
  userId: string | null;
  /** The email the signed card request carried; null for snoozes given before it was kept. */
  userEmail: string | null;
  createdAt: Date;
}

export interface AddSnoozeInput {
  portalId: number;
  dealId: string;
  until: Date;
  stageEnteredAt?: Date | null;
  reason?: string | null;
  userId?: string | null;
  userEmail?: string | null;
  now?: Date;
}

export interface SnoozeRepository {
  addSnooze(input: AddSnoozeInput): Promise<Snooze>;
  /** The snooze in force at `now` (the domain's selectActiveSnooze), among those of this stage entry when given. */
  getActiveSnooze(
    portalId: number,
    dealId: string,
    now: Date,
    options?: { stageEnteredAt?: Date },
  ): Promise<Snooze | null>;
  /** Every snooze ever given on a deal, oldest first: the audit trail shows who silenced it, why and until when. */
  listSnoozesForDeal(portalId: number, dealId: string): Promise<Snooze[]>;
  /** The snoozes of many deals in one query (the stall sweep reads a page of deals at a time), oldest first. */
  listSnoozesForDeals(portalId: number, dealIds: readonly string[]): Promise<Snooze[]>;
}

export function toSnooze(row: SnoozesTable): Snooze {
  return {
    id: row.id,
    portalId: row.portal_id,
    dealId: row.deal_id,
    stageEnteredAt: row.stage_entered_at === null ? null : new Date(row.stage_entered_at),
    until: new Date(row.until),
    reason: row.reason,
    userId: row.user_id,
    userEmail: row.user_email,
    createdAt: new Date(row.created_at),
  };
}

export function createSnoozeRepository(ctx: StoreContext): SnoozeRepository {
  const { db } = ctx;
  return {
    async addSnooze(input) {
      const row: SnoozesTable = {
        id: generateSortableId(),
        portal_id: input.portalId,
        deal_id: input.dealId,
        stage_entered_at: toEpochMsOrNull(input.stageEnteredAt),
        until: toEpochMs(input.until),
        reason: input.reason ?? null,
        user_id: input.userId ?? null,
        user_email: input.userEmail ?? null,
        created_at: toEpochMs(input.now ?? new Date()),
      };
      await db.insertInto('snoozes').values(row).execute();
      return toSnooze(row);
    },

    async getActiveSnooze(portalId, dealId, now, options = {}) {
      // SQL only narrows to the snoozes still running; which of them holds is the domain's rule.
      const rows = await db
        .selectFrom('snoozes')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', dealId)
        .where('until', '>', toEpochMs(now))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return selectActiveSnooze(rows.map(toSnooze), now, options.stageEnteredAt);
    },

    async listSnoozesForDeal(portalId, dealId) {
      const rows = await db
        .selectFrom('snoozes')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', dealId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSnooze);
    },

    async listSnoozesForDeals(portalId, dealIds) {
      if (dealIds.length === 0) return [];
      const rows = await db
        .selectFrom('snoozes')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', [...new Set(dealIds)])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSnooze);
    },
  };
}
