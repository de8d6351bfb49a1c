import type { DealExceptionView } from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Store } from '../../platform/db';
import type { DealsChangedListener } from '../../platform/module';
import type { Logger } from '../../platform/observability/logger';
import { AppError } from '../../platform/errors/app-error';
import type { ManagerAccess } from '../access';
import type { ExceptionResponses } from './exception-responses.service';
import { tellDealChanged } from './deal-changed.notify';
import { toExceptionView } from './exception-view';

export interface DecideInput {
  portalId: number;
  userId: string;
  email: string | null;
  exceptionId: string;
  decision: 'approve' | 'reject';
  note?: string;
  now: Date;
}

/**
 * A manager settles an `approve` exception (DESIGN.md §7). A rejection moves the deal back to the stage
 * it left, through the responses' outbox: attempted at once, and by the next run if HubSpot fails now.
 * This is the only way a deal leaves a closed stage through SOP Guide.
 */
export function createExceptionDecisions(deps: {
  store: Store;
  managerAccess: ManagerAccess;
  exceptionResponses: ExceptionResponses;
  dealsChanged: DealsChangedListener;
  logger: Logger;
}) {
  const { store, managerAccess, exceptionResponses } = deps;
  return {
    async decide(input: DecideInput): Promise<DealExceptionView> {
      const { portalId, exceptionId, now } = input;
      if (!(await managerAccess.describeAccess(portalId, input.userId)).canEdit) {
        throw new AppError('FORBIDDEN', 'Only managers can approve or reject an exception.');
      }
      const exception = await store.exceptions.getException(portalId, exceptionId);
      if (!exception)
        throw new AppError('NOT_FOUND', `Exception ${exceptionId} was not found in this portal`);
      if (exception.mode !== 'approve') {
        throw new AppError('CONFLICT', `This exception's mode is ${exception.mode}: it takes no decision.`);
      }
      const decided = await store.exceptions.recordDecision(
        portalId,
        exceptionId,
        {
          userId: input.userId,
          email: input.email,
          decision: input.decision,
          ...(input.note ? { note: input.note } : {}),
          at: now,
        },
        now,
      );
      if (!decided) throw new AppError('CONFLICT', 'This exception is no longer open.');
      await tellDealChanged(deps, portalId, exception.dealId, now);
      if (input.decision === 'reject') await exceptionResponses.runDue(now);
      const updated = await store.exceptions.getException(portalId, exceptionId);
      if (!updated) throw new AppError('NOT_FOUND', `Exception ${exceptionId} was not found in this portal`);
      return toExceptionView(updated);
    },
  };
}

export type ExceptionDecisions = ReturnType<typeof createExceptionDecisions>;
