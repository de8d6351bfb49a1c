import type { DealsChangedListener } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';

/**
 * An exception's status changed: the deal's written-back SOP properties (sop_guide_open_exceptions)
 * follow, through the platform's deal-change listeners, which only mark work. Their failure is logged,
 * not raised: the exception is settled whatever happens to the property.
 */
export async function tellDealChanged(
  deps: { dealsChanged: DealsChangedListener; logger: Logger },
  portalId: number,
  dealId: string,
  now: Date,
): Promise<void> {
  await deps.dealsChanged(portalId, [dealId], now).catch((error: unknown) => {
    deps.logger.warn('marking the deal for write-back failed', { portalId, dealId, error });
  });
}
