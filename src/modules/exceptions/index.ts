import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import type { Installation } from '../portals';
import { createExceptionDetection, type ExceptionDetectionDeps } from './exception-detection.service';
import { createExceptionQueries } from './exception-query.service';
import { createExceptionRepository, type ExceptionRepository } from './exception.repository';
import { dealExceptionsMigration, type DealExceptionsTable } from './exception.table';
import { createExceptionsRouter } from './exceptions.route';
import { exceptionsCommand } from './exceptions.command';

export type { ExceptionQueries } from './exception-query.service';
export {
  EXCEPTION_STATUSES,
  type DealException,
  type ExceptionRepository,
  type ExceptionStatus,
} from './exception.repository';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    exceptions: ExceptionRepository;
  }
}

declare module '../../platform/db/database.types' {
  interface Database {
    deal_exceptions: DealExceptionsTable;
  }
}

/**
 * Governance (DESIGN.md §7): every stage move the inbox applies is judged against the SOP of the step
 * it left (and of the steps it skipped); a move with the SOP unmet becomes one exception, shown in the
 * card, listed by the API and exported by the CLI.
 */
export const exceptionsModule = defineModule({
  name: 'exceptions',
  migrations: { '0007-deal-exceptions': dealExceptionsMigration },
  repositories: (ctx) => ({ exceptions: createExceptionRepository(ctx) }),
  create: (
    deps: ExceptionDetectionDeps &
      Parameters<typeof createExceptionQueries>[0] & { clock: Clock; installations: readonly Installation[] },
  ) => ({
    exceptionDetection: createExceptionDetection(deps),
    exceptionQueries: createExceptionQueries(deps),
  }),
  routes: createExceptionsRouter,
  onStageMoves:
    ({ exceptionDetection }) =>
    (portalId, moves, now) =>
      exceptionDetection.judgeStageMoves(portalId, moves, now),
  commands: [exceptionsCommand],
});
