import type { DealExceptionView } from '../../../extensions/app/cards/src/guidance-response.schema';
import type { DealsChangedListener } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';
import type { DealException } from './exception.repository';

/** An exception as the card and the API show it (the shared schema's shape, ISO instants). */
export function toExceptionView(exception: DealException): DealExceptionView {
  const { justification, decision } = exception;
  return {
    id: exception.id,
    dealId: exception.dealId,
    fromStage: exception.fromStage,
    toStage: exception.toStage,
    movedAt: exception.movedAt.toISOString(),
    movedBy: exception.movedBy,
    ownerId: exception.ownerId,
    openItems: exception.openItems,
    mode: exception.mode,
    status: exception.status,
    ...(justification ? { justification: { ...justification, at: justification.at.toISOString() } } : {}),
    ...(decision ? { decision: { ...decision, at: decision.at.toISOString() } } : {}),
    playbookVersion: exception.playbookVersion,
  };
}

/** Exceptions still waiting on someone (a reason, a decision, or nobody for advisory ones). */
export function countOpenExceptions(exceptions: readonly Pick<DealExceptionView, 'status'>[]): number {
  return exceptions.filter((exception) => exception.status === 'open').length;
}

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
