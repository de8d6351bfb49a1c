import type { PlaybookInput } from '../../../../src/domain';
import { SAMPLE_PORTAL_ID, stageChangeEvent, type TestService } from '../../../support/service-harness';

/** Builders for the exception suites: a governed playbook, deals in the local HubSpot, and their moves. */
export const HOUR_MS = 60 * 60 * 1000;
export const OPS_USER_ID = '777';

/**
 * Every mode once, on HubSpot's default pipeline: a deal leaving prospecting unfinished is moved back
 * (revert), qualification asks for a justification (ops exempt), the presentation needs a manager's
 * approval, closing has nothing to do (and nothing is ever advisory but what a step leaves unset).
 */
export function buildGovernedPlaybook(): PlaybookInput {
  return {
    name: 'Governed SOP',
    pipelines: {
      default: {
        stages: {
          appointmentscheduled: 'prospect',
          qualifiedtobuy: 'qualify',
          presentationscheduled: 'present',
          decisionmakerboughtin: 'close',
          contractsent: 'close',
          closedwon: null,
          closedlost: null,
        },
      },
    },
    steps: [
      {
        id: 'prospect',
        title: 'Prospect',
        guidance: 'Book a first meeting.',
        actions: [{ id: 'first-meeting', title: 'Book the first meeting' }],
        enforcement: { mode: 'revert' },
      },
      {
        id: 'qualify',
        title: 'Qualify',
        guidance: 'Hold a discovery call and set the amount.',
        actions: [{ id: 'discovery-call', title: 'Hold a discovery call' }],
        checks: [{ id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', gt: 0 } }],
        enforcement: { mode: 'justify', exemptUserIds: [OPS_USER_ID] },
      },
      {
        id: 'present',
        title: 'Present',
        guidance: 'Run the demo.',
        actions: [{ id: 'run-demo', title: 'Run the demo' }],
        enforcement: { mode: 'approve' },
      },
      { id: 'close', title: 'Close', guidance: 'Negotiate.' },
    ],
  };
}

/** Publishes the playbook as the sample portal's manager would, through the API. */
export async function publishPlaybook(service: TestService, playbook: PlaybookInput): Promise<void> {
  // Applied to deals in progress: the tests' deals entered their stages before this publish, and a deal
  // follows the version in force at its stage entry unless the manager moves deals in progress too.
  const answer = await service.cardRequest('PUT', '/api/v1/playbook', {
    userId: service.sample.owners.manager.userId,
    body: { ...playbook, applyToDealsInProgress: true },
  });
  if (answer.status !== 200) throw new Error(`publishing failed: ${JSON.stringify(answer.body)}`);
}

/** A deal of the sample rep that entered `stageId` at `enteredAt`, read into the projection. */
export async function addProjectedDeal(
  service: TestService,
  spec: { stageId: string; enteredAt: Date; properties?: Record<string, string | null> },
): Promise<string> {
  const deal = service.hubspot.state.upsertDeal(
    SAMPLE_PORTAL_ID,
    {
      properties: {
        dealname: 'Governed deal',
        pipeline: 'default',
        dealstage: spec.stageId,
        hubspot_owner_id: service.sample.owners.rep.ownerId,
        ...spec.properties,
      },
      createdAt: spec.enteredAt,
    },
    spec.enteredAt,
  );
  await service.running.services.dealSync.syncDeals(SAMPLE_PORTAL_ID, [deal.id], service.clock.now());
  return deal.id;
}

/**
 * A deal that skipped qualification's discovery call: in qualification for two days, then moved to the
 * presentation an hour from now, leaving an open exception. Answers the deal and when it moved.
 */
export async function addSkippedQualificationMove(
  service: TestService,
): Promise<{ dealId: string; movedAt: Date }> {
  const dealId = await addProjectedDeal(service, {
    stageId: 'qualifiedtobuy',
    enteredAt: new Date(service.clock.now().getTime() - 48 * HOUR_MS),
  });
  const movedAt = new Date(service.clock.now().getTime() + HOUR_MS);
  await moveDeal(service, dealId, 'presentationscheduled', movedAt);
  return { dealId, movedAt };
}

/** HubSpot's dealstage webhook for a move, by the sample rep unless `source` says otherwise. */
export function moveEvent(
  service: TestService,
  dealId: string,
  stageId: string,
  at: Date,
  source: { changeSource?: string; sourceId?: string } = {},
): Record<string, unknown> {
  return {
    ...stageChangeEvent(dealId, stageId, at),
    sourceId: `userId:${service.sample.owners.rep.userId}`,
    ...source,
  };
}

/** Moves the deal in the local HubSpot, then delivers `events` (the move's webhook by default) and drains. */
export async function moveDeal(
  service: TestService,
  dealId: string,
  stageId: string,
  at: Date,
  source: { changeSource?: string; sourceId?: string } = {},
): Promise<Record<string, unknown>> {
  service.hubspot.state.moveDealToStage(SAMPLE_PORTAL_ID, dealId, stageId, at);
  const event = moveEvent(service, dealId, stageId, at, source);
  await deliver(service, [event]);
  return event;
}

export async function deliver(service: TestService, events: unknown[]): Promise<void> {
  const answer = await service.sendWebhook(events);
  if (answer.status !== 200) throw new Error(`webhook refused: ${JSON.stringify(answer.body)}`);
  await service.drainInbox();
}

export function exceptionsOf(service: TestService, dealId: string) {
  return service.running.services.store.exceptions.listDealExceptions(SAMPLE_PORTAL_ID, [dealId]);
}
