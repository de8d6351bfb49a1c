import {
  complianceResponseSchema,
  demandResponseSchema,
  outcomesResponseSchema,
} from '../../extensions/app/pages/src/insights-response.schema';
import type { LocalHubSpot, SamplePortal } from '../../sandbox/local-hubspot';
import type { RunningService } from '../app/compose';
import { complianceTable, demandTable, formatTable, outcomesTable } from '../modules/insights';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Enough closed deals for every group of the outcome table to show a rate. */
const DEMO_CLOSED_DEALS = 300;
const WEBHOOK_BATCH_SIZE = 100;

export interface InsightsDemoInput {
  sandbox: LocalHubSpot;
  running: RunningService;
  sample: SamplePortal;
  say: (text?: string) => void;
  signed: (
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body?: unknown,
  ) => Promise<{ status: number; body: unknown }>;
}

/**
 * The managers' dashboard in the demo: a few hundred deals closed over the last quarter are seeded in the
 * sandbox and announced by webhook, then the overview, outcome and demand tables are printed from the
 * insights API as the app pages show them (the same rows as `sop-guide report`).
 */
export async function showInsightsDemo({
  sandbox,
  running,
  sample,
  say,
  signed,
}: InsightsDemoInput): Promise<void> {
  const { portalId } = sample;
  const now = new Date();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const events: unknown[] = [];
  for (let i = 0; i < DEMO_CLOSED_DEALS; i += 1) {
    const owner = i % 3 === 0 ? sample.owners.secondRep : sample.owners.rep;
    const closedDaysAgo = 2 + (i % 85);
    const created = daysAgo(closedDaysAgo + 10 + ((i * 7) % 50));
    const won = i % 5 < 2 || (i % 5 === 2 && i % 2 === 0);
    const { id } = sandbox.state.upsertDeal(
      portalId,
      {
        properties: {
          dealname: `Closed deal ${i + 1}`,
          pipeline: 'default',
          dealstage: 'appointmentscheduled',
          hubspot_owner_id: owner.ownerId,
          amount: String(5000 + ((i * 137) % 20000)),
          closedate: daysAgo(closedDaysAgo).toISOString(),
        },
        createdAt: created,
      },
      created,
    );
    sandbox.state.moveDealToStage(portalId, id, 'qualifiedtobuy', daysAgo(closedDaysAgo + 5 + (i % 4)));
    const closedAt = daysAgo(closedDaysAgo);
    sandbox.state.moveDealToStage(portalId, id, won ? 'closedwon' : 'closedlost', closedAt);
    events.push({
      eventId: 10_000 + i,
      subscriptionId: 12345,
      portalId,
      appId: 1,
      occurredAt: closedAt.getTime(),
      subscriptionType: 'deal.propertyChange',
      attemptNumber: 0,
      objectId: Number(id),
      propertyName: 'dealstage',
      propertyValue: won ? 'closedwon' : 'closedlost',
      changeSource: 'CRM',
      sourceId: `userId:${owner.userId}`,
    });
  }
  for (let start = 0; start < events.length; start += WEBHOOK_BATCH_SIZE) {
    await signed('POST', '/webhooks/hubspot', events.slice(start, start + WEBHOOK_BATCH_SIZE));
  }
  while ((await running.workers.drainInbox()) > 0);
  while ((await running.services.closedDealHistory.recordPending(now)) > 0);
  say(
    `${DEMO_CLOSED_DEALS} deals closed over the last quarter, announced by webhook, recorded with their stage times.`,
  );

  const query = `portalId=${portalId}&userId=${sample.owners.manager.userId}&appId=1`;
  const read = async <T>(path: string, parse: (body: unknown) => T) => {
    const answer = await signed('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`);
    if (answer.status !== 200)
      throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return parse(answer.body);
  };
  say('\nOverview (open deals by stage and owner, as a manager sees them):');
  const compliance = await read('/api/v1/insights/compliance', (b) => complianceResponseSchema.parse(b));
  for (const line of formatTable(complianceTable(compliance))) say(`  ${line}`);
  say('\nOutcomes (deals closed in the last 90 days):');
  const outcomes = await read('/api/v1/insights/outcomes', (b) => outcomesResponseSchema.parse(b));
  for (const line of formatTable(outcomesTable(outcomes))) say(`  ${line}`);
  say('\nDemand (S&OP: open pipeline by expected close month):');
  const demand = await read('/api/v1/insights/demand?months=6', (b) => demandResponseSchema.parse(b));
  for (const line of formatTable(demandTable(demand))) say(`  ${line}`);
  say('\nThe same tables: npx sop-guide report compliance|outcomes|demand [--format csv]');
}
