import type { AppModule } from '../platform/module';
import { accessModule } from '../modules/access';
import { auditModule } from '../modules/audit';
import { checklistModule } from '../modules/checklist';
import { dealsModule } from '../modules/deals';
import { exceptionsModule } from '../modules/exceptions';
import { guidanceModule } from '../modules/guidance';
import { healthModule } from '../modules/health';
import { insightsModule } from '../modules/insights';
import { installationsModule } from '../modules/installations';
import { intakeModule } from '../modules/intake';
import { playbooksModule } from '../modules/playbooks';
import { portalsModule } from '../modules/portals';
import { remindersModule } from '../modules/reminders';
import { snoozesModule } from '../modules/snoozes';
import { workflowActionsModule } from '../modules/workflow-actions';
import { writebackModule } from '../modules/writeback';

/**
 * Every capability, once. The order is the order their services are built: a module comes after the
 * modules whose services it takes. WIRED_MODULES (services.ts) fails to compile when a module takes
 * something no module or the platform provides. Adding a capability is its folder and one line here.
 */
export const MODULES = [
  healthModule,
  portalsModule,
  accessModule,
  playbooksModule,
  dealsModule,
  exceptionsModule,
  installationsModule,
  guidanceModule,
  workflowActionsModule,
  writebackModule,
  checklistModule,
  snoozesModule,
  auditModule,
  remindersModule,
  insightsModule,
  intakeModule,
] as const;

type Registry = typeof MODULES;
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (both: infer I) => void
  ? I
  : never;
type RepositoriesOf<M> = M extends AppModule<infer _Deps, infer R, infer _Provides> ? R : never;
type ProvidedBy<M> = M extends AppModule<infer _Deps, infer _Repositories, infer P> ? P : never;

/** What the modules' `repositories` build, by name. */
export type ModuleRepositories = UnionToIntersection<RepositoriesOf<Registry[number]>>;
/** What the modules' `create` build, by name. */
export type ModuleServices = UnionToIntersection<ProvidedBy<Registry[number]>>;
