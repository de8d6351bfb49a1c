import { playbookVersionRepinMigration } from './0006-playbook-version-repin.migration';
import type { Clock } from '../../platform/clock';
import { defineModule } from '../../platform/module';
import type { PortalRegistry } from '../portals';
import { exportCommand } from './export.command';
import { createImpactPreviewService } from './impact-preview.service';
import { importCommand } from './import.command';
import { createPlaybookPublishingService } from './playbook-publishing.service';
import { createPlaybookRouter } from './playbook.route';
import { createPlaybookRepository, type PlaybookRepository } from './playbook.repository';
import { createPlaybookService } from './playbook.service';
import { validateCommand } from './validate.command';

export type { ImpactPreviewService } from './impact-preview.service';
export type { PlaybookPublishingService } from './playbook-publishing.service';
export type { PlaybookService, VersionedPlaybook } from './playbook.service';
export type { PlaybookRepository, PlaybookVersion, SavePlaybookOptions } from './playbook.repository';
export { listUnknownPipelineStages } from './pipeline-warnings.util';
export { readPlaybookBody } from './playbook.route';

declare module '../../platform/db/store' {
  interface StoreRepositories {
    playbooks: PlaybookRepository;
  }
}

type PlaybooksDeps = Omit<Parameters<typeof createImpactPreviewService>[0], 'portals'> &
  Omit<Parameters<typeof createPlaybookPublishingService>[0], 'playbooks'> & {
    portals: PortalRegistry;
    clock: Clock;
  } & Omit<Parameters<typeof createPlaybookRouter>[0], 'playbooks' | 'playbookPublishing' | 'impactPreview'>;

/** Versioned playbooks: the stage-to-step mapping, published, previewed, restored, imported, exported. */
export const playbooksModule = defineModule({
  name: 'playbooks',
  migrations: { '0006-playbook-version-repin': playbookVersionRepinMigration },
  repositories: (ctx) => ({ playbooks: createPlaybookRepository(ctx) }),
  create: async (deps: PlaybooksDeps) => {
    const playbooks = createPlaybookService(deps.store);
    // Every installed portal has a playbook from its first request on: the default one until a manager publishes.
    for (const portalId of deps.portals.installedPortalIds())
      await playbooks.ensureSeeded(portalId, deps.clock.now());
    return {
      playbooks,
      playbookPublishing: createPlaybookPublishingService({ ...deps, playbooks }),
      impactPreview: createImpactPreviewService(deps),
    };
  },
  routes: createPlaybookRouter,
  commands: [validateCommand, importCommand, exportCommand],
});
