import type { Config } from '../config/env.schema';
import type { DealSyncService } from '../deals/deal-sync.service';
import type { GuidanceService } from '../guidance/guidance.service';
import type { HubSpotGateway } from '../hubspot/hubspot-gateway.types';
import type { MetricsRegistry } from '../observability/metrics.registry';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { PlaybookService } from '../playbooks/playbook.service';
import type { ImpactPreviewService } from '../playbooks/impact-preview.service';
import type { ManagerAccess } from '../playbooks/manager-access.service';
import type { PlaybookPublishingService } from '../playbooks/playbook-publishing.service';
import type { PortalRegistry } from '../portals/portal-registry';
import type { InboxProcessor } from '../processing/inbox-processor';
import type { StallSweepService } from '../reminders/stall-sweep.service';
import type { Store } from '../store';
import type { DealAuditService } from '../audit/deal-audit.service';
import type { DealActionService } from '../deal-actions/deal-action.service';
import type { DealWritebackService } from '../writeback/deal-writeback.service';

/** Everything the composition root (src/main.ts) builds, handed to the HTTP app, the workers and the CLI. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRegistry;
  store: Store;
  hubspot: HubSpotGateway;
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
