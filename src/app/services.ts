import type { Installation } from '../modules/portals';
import type { HubSpotApis } from '../platform/hubspot/hubspot-apis';
import type { Clock } from '../platform/clock';
import type { Config } from '../platform/config/env.schema';
import type { Store } from '../platform/db';
import type { DealsChangedListener, StageMovesListener, WiredModule } from '../platform/module';
import type { MetricsRegistry } from '../platform/observability/metrics.registry';
import type { Logger } from '../platform/observability/logger';
import { MODULES, type ModuleServices } from './modules';

/** What the composition root builds before any module: the platform every module may take. */
export interface PlatformServices {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  store: Store;
  hubspot: HubSpotApis;
  /** The portals to serve: the static token's own, or those a test names. */
  installations: readonly Installation[];
  /** Tells every module's deal-change listener (src/platform/module.ts) which deals a batch changed. */
  dealsChanged: DealsChangedListener;
  /** Tells every module's stage-move listener which moves a batch applied (the inbox retries on failure). */
  stageMoves: StageMovesListener;
}

/** Everything the composition root (src/app/compose.ts) builds, handed to the HTTP app, the jobs and the CLI. */
export type Services = PlatformServices & ModuleServices;

/**
 * The registry as the composition root runs it. Typing it here is the check that the graph gives every
 * module what it takes: a module needing what nothing provides fails to compile on this line.
 */
export const WIRED_MODULES: readonly WiredModule<Services>[] = MODULES;
