import type { Router } from 'express';
import type { Migration } from 'kysely';
import type { CliCommand } from './cli/cli-command';
import type { StoreContext } from './db/store-context';

/** A loop the service runs beside the HTTP server, every `intervalMs` (0 turns it off). */
export interface PeriodicTask {
  name: string;
  intervalMs: number;
  run: () => Promise<void>;
  /**
   * Work that can wait a little (a write to HubSpot, figures rebuilt): while webhooks arrive, its runs
   * are put off, by at most a few of its intervals, so that HubSpot's acknowledgements keep the event
   * loop (a profile of the intake bench on PostgreSQL put the write-back's guidance and the insights
   * job at ~8% of the event loop during a burst).
   */
  deferWhileIntakeBusy?: boolean;
}

/**
 * Told after the inbox applied a batch: these deals' projection changed (stage, properties, owner).
 * Listeners must not wait on HubSpot: they mark work for their own background job.
 */
export type DealsChangedListener = (portalId: number, dealIds: readonly string[], now: Date) => Promise<void>;

/**
 * One dealstage event the inbox applied, with what the projection held for the deal before its batch
 * (null for a deal first seen in it): a listener judging the move needs the stage entry it left, which
 * the batch's HubSpot read has already overwritten.
 */
export interface DealStageMove {
  dealId: string;
  toStage: string;
  occurredAt: Date;
  changeSource: string | null;
  sourceId: string | null;
  /** The app the webhook was sent to (ours). */
  appId: number | null;
  before: {
    pipelineId: string;
    stageId: string;
    stageEnteredAt: Date;
    playbookVersion: number | null;
  } | null;
}

/**
 * Told, inside the batch's processing, which stage moves it applied; a failure retries the batch, so a
 * listener must be idempotent and must not wait on HubSpot for long.
 */
export type StageMovesListener = (
  portalId: number,
  moves: readonly DealStageMove[],
  now: Date,
  context: StageMovesContext,
) => Promise<void>;

/**
 * What the batch that applied the moves already holds, so a listener need not read it again. Empty
 * here: the module that applies the moves adds its fields with a `declare module` block (as
 * StoreRepositories is filled), so the platform names no module's types.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules
export interface StageMovesContext {}

/**
 * Removes a portal's data that the purge cannot find by a `portal_id` column (a row holding several
 * portals' data, say), on the purge's transaction (`trx.db`); answers the rows touched by table.
 */
export type PortalPurge = (trx: StoreContext, portalId: number) => Promise<Record<string, number>>;

/**
 * What a module's repositories may hook into: work to finish before the database closes, and how to
 * purge what they keep of a portal beyond its `portal_id` rows.
 */
export interface StoreLifecycle {
  onClose(close: () => Promise<void>): void;
  onPurgePortal(purge: PortalPurge): void;
  portalPurges(): readonly PortalPurge[];
}

/**
 * A capability, declared in its folder's `index.ts` and listed once in `src/app/modules.ts`. The
 * composition root reads every part: migrations and repositories build the store, `create` the
 * module's services (from the platform and the modules listed before it), then routes, jobs, CLI
 * commands and deal-change listeners are wired from the result. Adding a capability is one folder and
 * one line in that list.
 *
 * `Deps` is what the module needs (the platform and other modules' services, each by its own name);
 * the composition root checks at compile time that the graph provides it.
 */
export interface AppModule<
  Deps = object,
  Repositories extends object = object,
  Provides extends object = object,
> {
  readonly name: string;
  /**
   * Schema changes this module owns. Names are global and sort in the order they run across all
   * modules (`0005-exceptions`); never rename one once shipped.
   */
  readonly migrations?: Readonly<Record<string, Migration>>;
  /** The module's tables' repositories, merged into the store under these names. */
  readonly repositories?: (ctx: StoreContext, lifecycle: StoreLifecycle) => Repositories;
  /** The module's services, merged into the service graph under these names. */
  readonly create?: (deps: Deps) => Provides | Promise<Provides>;
  /** Unsigned routes at the root (health, probes). */
  readonly publicRoutes?: (deps: Deps & Provides) => Router;
  /** Routes under /api/v1, behind the v3 signature check. */
  readonly routes?: (deps: Deps & Provides) => Router;
  readonly jobs?: (deps: Deps & Provides) => readonly PeriodicTask[];
  readonly onDealsChanged?: (deps: Deps & Provides) => DealsChangedListener;
  readonly onStageMoves?: (deps: Deps & Provides) => StageMovesListener;
  readonly commands?: ReadonlyArray<CliCommand<Deps & Provides>>;
}

/** Declares a module with its types inferred (the identity at run time). */
export function defineModule<
  Deps = object,
  Repositories extends object = object,
  Provides extends object = object,
>(module: AppModule<Deps, Repositories, Provides>): AppModule<Deps, Repositories, Provides> {
  return module;
}

/**
 * A module as the composition root runs it, every part taking the whole service graph `Services`.
 * Every AppModule whose needs `Services` meets is one; the registry is typed with it, which is the
 * compile-time check that the graph gives each module what it takes. (A separate shape, not
 * AppModule<Services>: TypeScript compares two instances of one generic by its parameters' variance,
 * and `Provides`, both built and taken, would have to match exactly.)
 */
export interface WiredModule<Services> {
  readonly name: string;
  readonly migrations?: Readonly<Record<string, Migration>>;
  readonly repositories?: (ctx: StoreContext, lifecycle: StoreLifecycle) => object;
  readonly create?: (deps: Services) => object | Promise<object>;
  readonly publicRoutes?: (deps: Services) => Router;
  readonly routes?: (deps: Services) => Router;
  readonly jobs?: (deps: Services) => readonly PeriodicTask[];
  readonly onDealsChanged?: (deps: Services) => DealsChangedListener;
  readonly onStageMoves?: (deps: Services) => StageMovesListener;
  readonly commands?: ReadonlyArray<CliCommand<Services>>;
}
