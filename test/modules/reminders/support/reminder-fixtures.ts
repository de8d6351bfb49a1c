import type { SweepReport } from '../../../../src/modules/reminders/stall-sweep.service';
import { SAMPLE_PORTAL_ID, type TestService } from '../../../support/service-harness';

/** Small builders for the reminder suites: deals in the local HubSpot, their projection, and what HubSpot holds. */
export const TASK_BATCH_CREATE_PATH = '/crm/v3/objects/tasks/batch/create';
export const MINUTE_MS = 60_000;
/** The service's default SWEEP_INTERVAL_SECONDS: "the next sweep" in tests is this much later. */
export const SWEEP_INTERVAL_MS = 15 * MINUTE_MS;

export interface DealSpec {
  name: string;
  stageId: string;
  enteredAt: Date;
  ownerId: string;
  lastActivityAt?: Date | null;
  properties?: Record<string, string | null>;
}

/** A deal in the local HubSpot that entered `stageId` at `enteredAt` (after a first stage, like a real deal). */
export function addDeal(service: TestService, spec: DealSpec, portalId = SAMPLE_PORTAL_ID): string {
  const createdAt = new Date(spec.enteredAt.getTime() - 7 * 24 * 60 * MINUTE_MS);
  const deal = service.hubspot.state.upsertDeal(
    portalId,
    {
      properties: {
        dealname: spec.name,
        pipeline: 'default',
        dealstage: 'appointmentscheduled',
        hubspot_owner_id: spec.ownerId,
        notes_last_updated: (spec.lastActivityAt ?? spec.enteredAt)?.toISOString() ?? null,
        ...spec.properties,
      },
      createdAt,
    },
    createdAt,
  );
  if (spec.stageId !== 'appointmentscheduled') {
    service.hubspot.state.moveDealToStage(portalId, deal.id, spec.stageId, spec.enteredAt);
  }
  return deal.id;
}

/** Reads deals from the local HubSpot into the service's projection, as webhooks or a backfill would. */
export async function projectDeals(
  service: TestService,
  dealIds: readonly string[],
  portalId = SAMPLE_PORTAL_ID,
): Promise<void> {
  await service.running.services.dealSync.syncDeals(portalId, dealIds, service.clock.now());
}

export async function projectSampleDeals(service: TestService): Promise<void> {
  await projectDeals(service, Object.values(service.sample.deals));
}

export function sweep(service: TestService, options: { dryRun?: boolean } = {}): Promise<SweepReport> {
  return service.running.services.reminders.sweep({ now: service.clock.now(), ...options });
}

/** The open and completed tasks HubSpot holds for a deal. */
export function tasksOfDeal(service: TestService, dealId: string, portalId = SAMPLE_PORTAL_ID) {
  return service.hubspot.state.listTasks(portalId).filter((task) => task.dealIds.includes(dealId));
}

export function countRequests(service: TestService, path: string, sinceIndex = 0): number {
  return service.hubspot.requests.slice(sinceIndex).filter((request) => request.path === path).length;
}

export function actionsOf(report: SweepReport, dealId: string): string[] {
  return report.rows.filter((row) => row.dealId === dealId).map((row) => `${row.kind}:${row.action}`);
}
