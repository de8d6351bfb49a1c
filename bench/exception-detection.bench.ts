import { performance } from 'node:perf_hooks';
import type { DealStageMove } from '../src/platform/module';
import { SAMPLE_PORTAL_ID, startTestService } from '../test/support/service-harness';
import { addWalkDeals, inBatches, walkMoves } from '../test/integration/support/stage-walk';
import type { BenchmarkResult } from './support/benchmark-result';

/**
 * What exception detection adds to event processing: 1,000 stage-change events over 300 deals are
 * drained (detection included), then the same moves are judged again on their own, which costs what
 * detection cost inside the drain (the same reads; the inserts become duplicates). Target: < 10%.
 */
const EVENTS = 1_000;
const DEALS = 300;

export async function benchmarkExceptionDetection(): Promise<BenchmarkResult[]> {
  const t = await startTestService({ database: 'sqlite' });
  try {
    const dealIds = addWalkDeals(t.hubspot.state, SAMPLE_PORTAL_ID, DEALS, new Date('2026-11-01T00:00:00Z'));
    const start = new Date(t.clock.now().getTime() - 60 * 60_000);
    const moves = walkMoves(t.hubspot.state, SAMPLE_PORTAL_ID, dealIds, EVENTS, start);
    for (const batch of inBatches(moves, 100)) await t.sendWebhook(batch.map((move) => move.event));

    const drainStarted = performance.now();
    const applied = await t.drainInbox();
    const drainMs = performance.now() - drainStarted;

    const stageMoves: DealStageMove[] = moves.map((move) => ({
      dealId: move.dealId,
      toStage: move.stageId,
      occurredAt: move.at,
      changeSource: 'CRM',
      sourceId: null,
      appId: null,
      before: null,
    }));
    const detectionStarted = performance.now();
    for (const batch of inBatches(stageMoves, 100)) {
      await t.running.services.exceptionDetection.judgeStageMoves(SAMPLE_PORTAL_ID, batch, t.clock.now());
    }
    const detectionMs = performance.now() - detectionStarted;
    const share = detectionMs / drainMs;
    return [
      {
        name: 'Exception detection share of event processing',
        figures: { events: EVENTS, applied, drainMs, detectionMs },
        summary: `${detectionMs.toFixed(0)} ms judging ${EVENTS} moves vs ${drainMs.toFixed(0)} ms draining them (${(share * 100).toFixed(1)}%)`,
        ratio: share,
        target: '< 0.10 of the drain (lower is better)',
        pass: applied === EVENTS && share < 0.1,
      },
    ];
  } finally {
    await t.stop();
  }
}
