import type { DealExceptionView } from '../../../extensions/app/cards/src/guidance-response.schema';
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
