import type { Config } from '../platform/config/env.schema';
import type { DealSyncService } from '../modules/deals/deal-sync.service';
import type { GuidanceService } from '../modules/guidance/guidance.service';
import type { HubSpotApis } from '../platform/hubspot/hubspot-apis';
import type { MetricsRegistry } from '../platform/observability/metrics.registry';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/observability/logger';
import type { PlaybookService } from '../modules/playbooks/playbook.service';
import type { ImpactPreviewService } from '../modules/playbooks/impact-preview.service';
import type { ManagerAccess } from '../modules/access/manager-access.service';
import type { PlaybookPublishingService } from '../modules/playbooks/playbook-publishing.service';
import type { PortalRegistry } from '../modules/portals/portal-registry';
import type { InboxProcessor } from '../modules/intake/inbox-processor';
import type { StallSweepService } from '../modules/reminders/stall-sweep.service';
import type { Store } from '../platform/db';
import type { DealAuditService } from '../modules/audit/deal-audit.service';
import type { DealActionService } from '../modules/checklist/deal-action.service';
import type { DealWritebackService } from '../modules/writeback/deal-writeback.service';

/** Everything the composition root (src/app/compose.ts) builds, handed to the HTTP app, the workers and the CLI. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  store: Store;
  hubspot: HubSpotApis;
  portals: PortalRegistry;
  playbooks: PlaybookService;
  playbookPublishing: PlaybookPublishingService;
  managerAccess: ManagerAccess;
  impactPreview: ImpactPreviewService;
  dealSync: DealSyncService;
  guidance: GuidanceService;
  inbox: InboxProcessor;
  writeback: DealWritebackService;
  dealActions: DealActionService;
  audit: DealAuditService;
  reminders: StallSweepService;
}
