import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { DealSnapshot } from '../../domain/deal.types';
import type { Database, DealsTable } from '../../platform/db/database.types';
import {
  fromEpochMsOrNull,
  toEpochMs,
  toEpochMsOrNull,
  type StoreContext,
  type StoreDialect,
} from '../../platform/db/store-context';

/** Large `IN (...)` lists are split so that no query exceeds SQLite's bound-parameter limit. */
const DEAL_IDS_PER_QUERY = 500;
/** Deals per upsert statement: 15 parameters each, well below SQLite's bound-parameter limit. */
const DEAL_IDS_PER_UPSERT = 100;

const dealKey = (portalId: number, dealId: string) => `${portalId}:${dealId}`;

/** The projection of a deal plus what the store tracks about it. */
export interface DealRecord extends DealSnapshot {
  /** The playbook version pinned when the deal entered its current stage; null when none was pinned. */
  playbookVersion: number | null;
  /** Time of the last applied change (event occurredAt or HubSpot read time). */
  lastEventAt: Date | null;
  /** Set when HubSpot reported the deal deleted; the sweep and counts skip such deals. */
  deletedAt: Date | null;
  updatedAt: Date;
}

/**
 * applied: the write changed the deal. stale: the deal already reflects a later change, nothing changed.
 * unknown-deal: the projection has no such deal yet (read it from HubSpot and upsert it).
 */
export type DealWriteOutcome = 'applied' | 'stale' | 'unknown-deal';

export interface DealWriteResult {
  outcome: DealWriteOutcome;
  /** The deal as it is after the call (null for an unknown deal). */
  deal: DealRecord | null;
}

export interface DealRepository {
  getDeal(portalId: number, dealId: string): Promise<DealRecord | null>;
  /** The deals found among `dealIds`, in no particular order; deleted ones included (check deletedAt). */
  getDeals(portalId: number, dealIds: readonly string[]): Promise<DealRecord[]>;
  /**
   * Writes what HubSpot returned, as of `observedAt` (when it was read), in one statement per
   * DEAL_IDS_PER_UPSERT deals: inserts an unknown deal; a read older than the last applied change is
   * ignored. Each deal keeps its pinned playbook version while its stage entry is the same, otherwise
   * its own `playbookVersion` (or null) is pinned. Results are in the order of `entries`.
   */
  upsertDealsFromHubSpot(
    entries: ReadonlyArray<{ snapshot: DealSnapshot; playbookVersion?: number | null }>,
    options: { observedAt: Date; now?: Date },
  ): Promise<DealWriteResult[]>;
  markDealDeleted(
    portalId: number,
    dealId: string,
    occurredAt: Date,
    options?: { now?: Date },
  ): Promise<DealWriteResult>;
  /**
   * Pins `version` on every live deal of the portal, whatever it was pinned to: a manager published with
   * "apply to deals in progress". One statement, so no deal is left half-way. Returns how many deals moved.
   */
  repinLiveDeals(portalId: number, version: number, options?: { now?: Date }): Promise<number>;
  /**
   * Live deals that entered their stage before `before`, ordered by deal id; pass the last id of a page as
   * `afterDealId` to get the next one. Meant for walks over (nearly) every deal, like the impact preview:
   * with a selective `before`, each page sorts every earlier candidate again, so the stall sweep uses
   * pageDealsEnteredStageBefore instead.
   */
  listDealsEnteredStageBefore(
    portalId: number,
    before: Date,
    page: { afterDealId?: string; limit: number },
  ): Promise<DealRecord[]>;
  /**
   * Live deals that entered their stage before `before`, oldest entry first, a page at a time: keyset
   * paging on (stage_entered_at, deal_id), which the index (portal_id, stage_entered_at, deal_id) serves
   * in order, so each page costs its own rows only. Pass the page's `next` as `after` for the next page;
   * `next` is null after the last page. Each deal carries the stalled value last written to HubSpot.
   */
  pageDealsEnteredStageBefore(
    portalId: number,
    before: Date,
    page: { after?: StageEntryCursor; limit: number },
  ): Promise<StageEntryPage>;
  /** How many deals pageDealsEnteredStageBefore walks through (the sweep's progress total). */
  countDealsEnteredStageBefore(portalId: number, before: Date): Promise<number>;
  /** Whether the portal has any deal projected (the demo refuses a database an earlier run filled). */
  hasDeals(portalId: number): Promise<boolean>;
}

/** Where a page of pageDealsEnteredStageBefore ended: the next page starts after this stage entry. */
export interface StageEntryCursor {
  stageEnteredAt: Date;
  dealId: string;
}

export interface StallCandidate extends DealRecord {
  /**
   * The SOP property sop_guide_stalled as last written to HubSpot by the write-back; null before the
   * first write. The sweep marks for write-back only the deals whose stall verdict differs from it.
   */
  writtenStalled: 'true' | 'false' | null;
}

export interface StageEntryPage {
  deals: StallCandidate[];
  next: StageEntryCursor | null;
}

function toDealRecord(row: DealsTable): DealRecord {
  return {
    portalId: row.portal_id,
    dealId: row.deal_id,
    pipelineId: row.pipeline_id,
    stageId: row.stage_id,
    stageEnteredAt: new Date(row.stage_entered_at),
    ownerId: row.owner_id,
    properties: JSON.parse(row.properties) as Record<string, string | null>,
    associations: JSON.parse(row.associations) as Record<string, number>,
    lastActivityAt: fromEpochMsOrNull(row.last_activity_at),
    nextActivityAt: fromEpochMsOrNull(row.next_activity_at),
    playbookVersion: row.playbook_version,
    lastEventAt: fromEpochMsOrNull(row.last_event_at),
    deletedAt: fromEpochMsOrNull(row.deleted_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The guard of every event-driven write: nothing later than `eventAtMs` has been applied to the deal yet. */
function isNotNewerThan(eb: ExpressionBuilder<Database, 'deals'>, eventAtMs: number) {
  return eb.or([eb('deals.last_event_at', 'is', null), eb('deals.last_event_at', '<=', eventAtMs)]);
}

/** The sop_guide_stalled value inside deal_writebacks.written_values (a JSON object), read by the database. */
function writtenStalledSql(dialect: StoreDialect): RawBuilder<string | null> {
  const written = sql.ref('deal_writebacks.written_values');
  if (dialect === 'postgres') return sql<string | null>`(${written}::jsonb ->> 'sop_guide_stalled')`;
  return sql<string | null>`json_extract(${written}, '$.sop_guide_stalled')`;
}

export function createDealRepository(ctx: StoreContext): DealRepository {
  const { db, dialect } = ctx;

  async function readDeal(portalId: number, dealId: string): Promise<DealRecord | null> {
    const row = await db
      .selectFrom('deals')
      .selectAll()
      .where('portal_id', '=', portalId)
      .where('deal_id', '=', dealId)
      .executeTakeFirst();
    return row ? toDealRecord(row) : null;
  }

  async function readDeals(portalId: number, dealIds: readonly string[]): Promise<DealRecord[]> {
    const unique = [...new Set(dealIds)];
    const deals: DealRecord[] = [];
    for (let start = 0; start < unique.length; start += DEAL_IDS_PER_QUERY) {
      const rows = await db
        .selectFrom('deals')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('deal_id', 'in', unique.slice(start, start + DEAL_IDS_PER_QUERY))
        .execute();
      deals.push(...rows.map(toDealRecord));
    }
    return deals;
  }

  /** After a guarded write changed nothing: tell "already newer" from "not there". */
  async function explainUnappliedWrite(portalId: number, dealId: string): Promise<DealWriteResult> {
    const deal = await readDeal(portalId, dealId);
    return { outcome: deal ? 'stale' : 'unknown-deal', deal };
  }

  return {
    getDeal: readDeal,

    getDeals: readDeals,

    async upsertDealsFromHubSpot(entries, options) {
      const observedAtMs = toEpochMs(options.observedAt);
      const updatedAtMs = toEpochMs(options.now ?? new Date());
      const rows = entries.map(({ snapshot, playbookVersion }): DealsTable => ({
        portal_id: snapshot.portalId,
        deal_id: snapshot.dealId,
        pipeline_id: snapshot.pipelineId,
        stage_id: snapshot.stageId,
        stage_entered_at: toEpochMs(snapshot.stageEnteredAt),
        playbook_version: playbookVersion ?? null,
        owner_id: snapshot.ownerId,
        properties: JSON.stringify(snapshot.properties),
        associations: JSON.stringify(snapshot.associations),
        last_activity_at: toEpochMsOrNull(snapshot.lastActivityAt),
        next_activity_at: toEpochMsOrNull(snapshot.nextActivityAt),
        last_event_at: observedAtMs,
        deleted_at: null,
        revision: 1,
        updated_at: updatedAtMs,
      }));
      const applied = new Map<string, DealRecord>();
      for (let start = 0; start < rows.length; start += DEAL_IDS_PER_UPSERT) {
        const saved = await db
          .insertInto('deals')
          .values(rows.slice(start, start + DEAL_IDS_PER_UPSERT))
          .onConflict((oc) =>
            oc
              .columns(['portal_id', 'deal_id'])
              .doUpdateSet((eb) => ({
                pipeline_id: eb.ref('excluded.pipeline_id'),
                stage_id: eb.ref('excluded.stage_id'),
                stage_entered_at: eb.ref('excluded.stage_entered_at'),
                // Per deal: the version pinned to this stage entry stays; a new entry pins its own.
                playbook_version: eb
                  .case()
                  .when(
                    eb.and([
                      eb('deals.stage_id', '=', eb.ref('excluded.stage_id')),
                      eb('deals.stage_entered_at', '=', eb.ref('excluded.stage_entered_at')),
                    ]),
                  )
                  .then(eb.fn.coalesce('deals.playbook_version', 'excluded.playbook_version'))
                  .else(eb.ref('excluded.playbook_version'))
                  .end(),
                owner_id: eb.ref('excluded.owner_id'),
                properties: eb.ref('excluded.properties'),
                associations: eb.ref('excluded.associations'),
                last_activity_at: eb.ref('excluded.last_activity_at'),
                next_activity_at: eb.ref('excluded.next_activity_at'),
                last_event_at: eb.ref('excluded.last_event_at'),
                // HubSpot returned the deal, so it exists (a restored deal comes back to life).
                deleted_at: null,
                revision: eb('deals.revision', '+', 1),
                updated_at: eb.ref('excluded.updated_at'),
              }))
              .where((eb) =>
                // The same guard as isNotNewerThan, against the incoming row's read time.
                eb.or([
                  eb('deals.last_event_at', 'is', null),
                  eb('deals.last_event_at', '<=', eb.ref('excluded.last_event_at')),
                ]),
              ),
          )
          .returningAll()
          .execute();
        for (const row of saved) applied.set(dealKey(row.portal_id, row.deal_id), toDealRecord(row));
      }
      // A guarded write that changed nothing: the deal is already newer (stale), or a later write won.
      const current = new Map<string, DealRecord>();
      const unapplied = new Map<number, string[]>();
      for (const { snapshot } of entries) {
        if (applied.has(dealKey(snapshot.portalId, snapshot.dealId))) continue;
        const ids = unapplied.get(snapshot.portalId) ?? [];
        ids.push(snapshot.dealId);
        unapplied.set(snapshot.portalId, ids);
      }
      for (const [portalId, dealIds] of unapplied) {
        for (const deal of await readDeals(portalId, dealIds)) {
          current.set(dealKey(deal.portalId, deal.dealId), deal);
        }
      }
      return entries.map(({ snapshot }): DealWriteResult => {
        const key = dealKey(snapshot.portalId, snapshot.dealId);
        const deal = applied.get(key);
        if (deal) return { outcome: 'applied', deal };
        const stale = current.get(key) ?? null;
        return { outcome: stale ? 'stale' : 'unknown-deal', deal: stale };
      });
    },

    async markDealDeleted(portalId, dealId, occurredAt, options = {}) {
      const occurredAtMs = toEpochMs(occurredAt);
      const saved = await db
        .updateTable('deals')
        .set((eb) => ({
          deleted_at: occurredAtMs,
          last_event_at: occurredAtMs,
          revision: eb('deals.revision', '+', 1),
          updated_at: toEpochMs(options.now ?? new Date()),
        }))
        .where('portal_id', '=', portalId)
        .where('deal_id', '=', dealId)
        .where((eb) => isNotNewerThan(eb, occurredAtMs))
        .returningAll()
        .executeTakeFirst();
      if (saved) return { outcome: 'applied', deal: toDealRecord(saved) };
      return explainUnappliedWrite(portalId, dealId);
    },

    async repinLiveDeals(portalId, version, options = {}) {
      const result = await db
        .updateTable('deals')
        .set({ playbook_version: version, updated_at: toEpochMs(options.now ?? new Date()) })
        .where('portal_id', '=', portalId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async listDealsEnteredStageBefore(portalId, before, page) {
      let query = db
        .selectFrom('deals')
        .selectAll()
        .where('portal_id', '=', portalId)
        .where('stage_entered_at', '<', toEpochMs(before))
        .where('deleted_at', 'is', null);
      if (page.afterDealId !== undefined) query = query.where('deal_id', '>', page.afterDealId);
      const rows = await query.orderBy('deal_id').limit(page.limit).execute();
      return rows.map(toDealRecord);
    },

    async countDealsEnteredStageBefore(portalId, before) {
      const row = await db
        .selectFrom('deals')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('portal_id', '=', portalId)
        .where('stage_entered_at', '<', toEpochMs(before))
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async pageDealsEnteredStageBefore(portalId, before, page) {
      const { after } = page;
      let query = db
        .selectFrom('deals')
        .leftJoin('deal_writebacks', (join) =>
          join
            .onRef('deal_writebacks.portal_id', '=', 'deals.portal_id')
            .onRef('deal_writebacks.deal_id', '=', 'deals.deal_id'),
        )
        .selectAll('deals')
        .select(writtenStalledSql(dialect).as('written_stalled'))
        .where('deals.portal_id', '=', portalId)
        .where('deals.stage_entered_at', '<', toEpochMs(before))
        .where('deals.deleted_at', 'is', null);
      if (after !== undefined) {
        query = query.where((eb) =>
          eb(
            eb.refTuple('deals.stage_entered_at', 'deals.deal_id'),
            '>',
            eb.tuple(toEpochMs(after.stageEnteredAt), after.dealId),
          ),
        );
      }
      const rows = await query
        .orderBy('deals.stage_entered_at')
        .orderBy('deals.deal_id')
        .limit(page.limit)
        .execute();
      const deals = rows.map(({ written_stalled, ...row }): StallCandidate => ({
        ...toDealRecord(row),
        writtenStalled: written_stalled === 'true' || written_stalled === 'false' ? written_stalled : null,
      }));
      const last = deals.at(-1);
      return {
        deals,
        next:
          last === undefined || deals.length < page.limit
            ? null
            : { stageEnteredAt: last.stageEnteredAt, dealId: last.dealId },
      };
    },
    async hasDeals(portalId) {
      const row = await db
        .selectFrom('deals')
        .select('deal_id')
        .where('portal_id', '=', portalId)
        .where('deleted_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
