import type { DealSnapshot } from '../../../src/domain';
import type { Store } from '../../../src/platform/db';

/** One deal through the batch upsert, as the deal sync writes each deal of a HubSpot read. */
export async function upsertDeal(
  store: Store,
  snapshot: DealSnapshot,
  options: { observedAt: Date; playbookVersion?: number | null; now?: Date },
) {
  const [result] = await store.deals.upsertDealsFromHubSpot(
    [{ snapshot, playbookVersion: options.playbookVersion }],
    options,
  );
  return result!;
}
