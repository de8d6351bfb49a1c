import { SAMPLE_PORTAL_ID, startTestService } from '../test/support/service-harness';
import { addWalkDeals, inBatches, walkMoves } from '../test/integration/support/stage-walk';
import type { BenchmarkResult } from './support/benchmark-result';

/**
 * HubSpot calls per 1,000 stage-change events (1,000 events over 300 deals, batches of 100), and per
 * 1,000 reminders (1,000 stalled deals swept), counted at the local HubSpot. Baseline: one call per
 * event (or reminder), what a naive integration makes.
 */
const EVENTS = 1_000;
const DEALS = 300;
const REMINDERS = 1_000;
const DAY_MS = 86_400_000;

function byPath(requests: ReadonlyArray<{ path: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[request.path] = (counts[request.path] ?? 0) + 1;
  return counts;
}

async function callsPerStageChanges(): Promise<BenchmarkResult> {
  const t = await startTestService({ database: 'sqlite' });
  try {
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 60 * 60_000);
    const moves = walkMoves(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, EVENTS, start);
    t.hubspot.requests.length = 0;
    for (const batch of inBatches(moves, 100)) await t.sendWebhook(batch.map((move) => move.event));
    const applied = await t.drainInbox();
    const paths = byPath(t.hubspot.requests);
    const reads = (paths['/crm/v3/objects/deals/batch/read'] ?? 0) + (paths['/crm/v3/pipelines/deals'] ?? 0);
    const total = t.hubspot.requests.length;
    return {
      name: 'HubSpot calls per 1,000 stage-change events',
      figures: { events: EVENTS, applied, dealsAndPipelineReads: reads, allCalls: total, byPath: paths },
      summary: `${total} calls in all (${reads} deal+pipeline reads, the rest association reads) vs ${EVENTS} one per event`,
      ratio: total / EVENTS,
      target: '≤ 2 calls per 100 events, every call counted',
      pass: total <= (EVENTS / 100) * 2 && applied === EVENTS,
      note: 'all calls, per path: ' + JSON.stringify(paths),
    };
  } finally {
    await t.stop();
  }
}

async function callsPerReminders(): Promise<BenchmarkResult> {
  const t = await startTestService({ database: 'sqlite' });
  try {
    const longAgo = new Date(t.clock.now().getTime() - 60 * DAY_MS);
    const owner = t.sample.owners.rep.ownerId;
    const dealIds = Array.from(
      { length: REMINDERS },
      (_, index) =>
        t.hubspot.state.upsertDeal(
          SAMPLE_PORTAL_ID,
          {
            properties: {
              dealname: `Stalled ${index}`,
              pipeline: 'default',
              dealstage: 'qualifiedtobuy',
              hubspot_owner_id: owner,
              notes_last_updated: longAgo.toISOString(),
            },
            createdAt: longAgo,
          },
          longAgo,
        ).id,
    );
    // The deals reach the projection the way they would in production: one batched read per 100.
    for (const ids of inBatches(dealIds, 100)) {
      await t.running.services.dealSync.syncDeals(SAMPLE_PORTAL_ID, ids, t.clock.now());
    }
    t.hubspot.requests.length = 0;
    const report = await t.running.services.reminders.sweep({ now: t.clock.now() });
    const created = report.rows.filter((row) => row.action === 'created').length;
    const total = t.hubspot.requests.length;
    const perThousand = created > 0 ? (total / created) * 1000 : NaN;
    return {
      name: 'HubSpot calls per 1,000 reminders',
      figures: { stalledDeals: REMINDERS, created, allCalls: total, byPath: byPath(t.hubspot.requests) },
      summary: `${total} calls for ${created} reminder tasks (${perThousand.toFixed(0)} per 1,000) vs 1,000 one per reminder`,
      ratio: created > 0 ? total / created : null,
      target: '≤ 2 per 100 reminders',
      pass: created === REMINDERS && perThousand <= 20,
    };
  } finally {
    await t.stop();
  }
}

export async function benchmarkHubSpotCalls(): Promise<BenchmarkResult[]> {
  return [await callsPerStageChanges(), await callsPerReminders()];
}
