import type { DealExceptionView } from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Store } from '../../platform/db';
import type { DealsChangedListener } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';
import { AppError } from '../../platform/errors/app-error';
import { tellDealChanged } from './deal-changed.notify';
import { toExceptionView } from './exception-view';
import type { OwnerLookup } from './owner-lookup';

export interface JustifyInput {
  portalId: number;
  userId: string;
  email: string | null;
  exceptionId: string;
  reason: string;
  now: Date;
}

/**
 * The deal's owner explains a `justify` exception (DESIGN.md §7): their reason closes it, and no task
 * goes to the manager afterwards. The owner is the deal's owner now (ownership may have moved since the
 * exception was recorded), known through the owners API's userId.
 */
export function createExceptionJustification(deps: {
  store: Store;
  owners: OwnerLookup;
  dealsChanged: DealsChangedListener;
  logger: Logger;
}) {
  const { store, owners } = deps;
  return {
    async justify(input: JustifyInput): Promise<DealExceptionView> {
      const { portalId, exceptionId, now } = input;
      const exception = await store.exceptions.getException(portalId, exceptionId);
      if (!exception)
        throw new AppError('NOT_FOUND', `Exception ${exceptionId} was not found in this portal`);
      const deal = await store.deals.getDeal(portalId, exception.dealId);
      const dealOwnerId = deal?.ownerId ?? exception.ownerId;
      const userOwnerId = await owners.ownerIdOfUser(portalId, input.userId, now);
      if (dealOwnerId === null || userOwnerId !== dealOwnerId) {
        throw new AppError('FORBIDDEN', "Only the deal's owner can justify its exception.");
      }
      if (exception.mode !== 'justify') {
        throw new AppError(
          'CONFLICT',
          `This exception's mode is ${exception.mode}: it takes no justification.`,
        );
      }
      const justified = await store.exceptions.recordJustification(
        portalId,
        exceptionId,
        { userId: input.userId, email: input.email, reason: input.reason, at: now },
        now,
      );
      if (!justified) throw new AppError('CONFLICT', 'This exception is no longer open.');
      await tellDealChanged(deps, portalId, exception.dealId, now);
      const updated = await store.exceptions.getException(portalId, exceptionId);
      if (!updated) throw new AppError('NOT_FOUND', `Exception ${exceptionId} was not found in this portal`);
      return toExceptionView(updated);
    },
  };
}

export type ExceptionJustification = ReturnType<typeof createExceptionJustification>;
