import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import type { Installation } from '../portals';
import { createExceptionDetection, type ExceptionDetectionDeps } from './exception-detection.service';
import { createExceptionDecisions } from './exception-decision.service';
import { createExceptionResponses } from './exception-responses.service';
import { createExceptionJustification } from './exception-justification.service';
import {
  createExceptionOutboxRepository,
  type ExceptionOutboxRepository,
} from './exception-outbox.repository';
import { createExceptionQueries } from './exception-query.service';
import { createOwnerLookup } from './owner-lookup';
import { createExceptionRepository, type ExceptionRepository } from './exception.repository';
import { judgedStageMovesMigration } from './0013-judged-stage-moves.migration';
import {
  createJudgedMoveRepository,
  type JudgedMoveRepository,
  type JudgedStageMovesTable,
} from './judged-move.repository';
import {
  dealExceptionsMigration,
  type DealExceptionsTable,
  type ExceptionOutboxTable,
} from './exception.table';
import { createExceptionsRouter } from './exceptions.route';
import { createEnforcementPreview } from './enforcement-preview.service';
import { exceptionsCommand } from './exceptions.command';

export type { ExceptionQueries } from './exception-query.service';
export { countOpenExceptions } from './exception-view';
export {
  EXCEPTION_STATUSES,
  type DealException,
  type ExceptionHistory,
  type ExceptionRepository,
  type ExceptionStatus,
} from './exception.repository';

/**
 * How often the responses run: a `revert` is due at once (the detection, inside the inbox batch, only
 * records it), a deadline to the minute.
 */
export const EXCEPTION_RESPONSES_INTERVAL_MS = 10_000;

declare module '../../platform/db/store' {
  interface StoreRepositories {
    exceptions: ExceptionRepository;
    exceptionOutbox: ExceptionOutboxRepository;
    judgedMoves: JudgedMoveRepository;
  }
}

declare module '../../platform/db/database.types' {
  interface Database {
    deal_exceptions: DealExceptionsTable;
    exception_outbox: ExceptionOutboxTable;
    judged_stage_moves: JudgedStageMovesTable;
  }
}

/**
 * Governance (DESIGN.md §7): every stage move the inbox applies is judged against the SOP of the step
 * it left (and of the steps it skipped); a move with the SOP unmet becomes one exception, shown in the
 * card, listed by the API and exported by the CLI.
 */
export const exceptionsModule = defineModule({
  name: 'exceptions',
  migrations: {
    '0007-deal-exceptions': dealExceptionsMigration,
    '0013-judged-stage-moves': judgedStageMovesMigration,
  },
  repositories: (ctx) => ({
    exceptions: createExceptionRepository(ctx),
    exceptionOutbox: createExceptionOutboxRepository(ctx),
    judgedMoves: createJudgedMoveRepository(ctx),
  }),
  create: (
    deps: ExceptionDetectionDeps &
      Omit<Parameters<typeof createExceptionQueries>[0], 'owners'> &
      Omit<Parameters<typeof createExceptionResponses>[0], 'owners'> &
      Pick<Parameters<typeof createExceptionsRouter>[0], 'playbookPublishing' | 'portals'> & {
        clock: Clock;
        installations: readonly Installation[];
        hubspot: Parameters<typeof createOwnerLookup>[0];
      },
  ) => {
    const owners = createOwnerLookup(deps.hubspot);
    const exceptionResponses = createExceptionResponses({ ...deps, owners });
    return {
      exceptionDetection: createExceptionDetection(deps),
      exceptionQueries: createExceptionQueries({ ...deps, owners }),
      exceptionJustification: createExceptionJustification({ ...deps, owners }),
      exceptionResponses,
      exceptionDecisions: createExceptionDecisions({ ...deps, exceptionResponses }),
      enforcementPreview: createEnforcementPreview(deps),
    };
  },
  routes: createExceptionsRouter,
  jobs: ({ exceptionResponses, clock }) => [
    {
      name: 'exception-responses',
      intervalMs: EXCEPTION_RESPONSES_INTERVAL_MS,
      run: async () => {
        await exceptionResponses.runDue(clock.now());
      },
    },
  ],
  onStageMoves:
    ({ exceptionDetection }) =>
    (portalId, moves, now, context) =>
      exceptionDetection.judgeStageMoves(portalId, moves, now, context),
  commands: [exceptionsCommand],
});
