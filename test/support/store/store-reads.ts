import type { ActionCompletion } from '../../../src/modules/checklist';
import type { StageChange } from '../../../src/modules/deals';
import type { Store } from '../../../src/platform/db';

/** Later than any stage entry a test writes: "entered before this" means every live deal. */
const END_OF_TIME = new Date('9999-12-31T00:00:00.000Z');
const DEALS_PER_PAGE = 500;

/** Live (not deleted) deals of a portal, counted through the paged read the impact preview walks with. */
export async function countLiveDeals(store: Store, portalId: number): Promise<number> {
  let count = 0;
  let afterDealId: string | undefined;
  for (;;) {
    const page = await store.deals.listDealsEnteredStageBefore(portalId, END_OF_TIME, {
      afterDealId,
      limit: DEALS_PER_PAGE,
    });
    count += page.length;
    if (page.length < DEALS_PER_PAGE) return count;
    afterDealId = page.at(-1)!.dealId;
  }
}

/** A deal's stage history, oldest first, as the audit trail (card, CSV export) reads it. */
export async function stageHistoryOf(
  store: Store,
  portalId: number,
  dealId: string,
  options: { since?: Date } = {},
): Promise<StageChange[]> {
  return (await store.auditTrail.listAuditRecords(portalId, { dealId, ...options })).stageChanges;
}

/** A deal's checklist log, ticks and unticks oldest first, as the audit trail reads it. */
export async function actionLogOf(
  store: Store,
  portalId: number,
  dealId: string,
): Promise<ActionCompletion[]> {
  return (await store.auditTrail.listAuditRecords(portalId, { dealId })).actionCompletions;
}
