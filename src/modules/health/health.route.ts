import type { Clock } from '../../platform/clock';
import type { Store } from '../../platform/db';
import type { MetricsRegistry } from '../../platform/observability/metrics.registry';
import { Router } from 'express';

/** Liveness, readiness (the database answers) and Prometheus metrics: unsigned, for the platform. */
export function createHealthRouter({
  store,
  metrics,
  clock,
}: {
  store: Store;
  metrics: MetricsRegistry;
  clock: Clock;
}): Router {
  const router = Router();
  const inboxGauge = metrics.gauge('sop_inbox_events', 'Webhook inbox events by status');
  const oldestGauge = metrics.gauge(
    'sop_inbox_oldest_pending_seconds',
    'Age of the oldest unprocessed webhook event',
  );
  const journalGauge = metrics.gauge(
    'sop_webhook_journal_batches',
    'Acknowledged webhook batches not yet moved into the inbox, by status',
  );

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const database = await store.ping();
    res.status(database.ok ? 200 : 503).json({
      status: database.ok ? 'ready' : 'unavailable',
      database: {
        ok: database.ok,
        dialect: database.dialect,
        ...(database.error ? { error: database.error } : {}),
      },
    });
  });

  router.get('/metrics', async (_req, res) => {
    // Inbox depth is read at scrape time: parked events must be visible without anyone looking for them.
    const counts = await store.inbox.countInboxByStatus();
    for (const [status, count] of Object.entries(counts)) inboxGauge.set({ status }, count);
    const journal = await store.journal.counts();
    journalGauge.set({ status: 'pending' }, journal.pendingBatches);
    journalGauge.set({ status: 'parked' }, journal.parkedBatches);
    // An event still in the journal is as unprocessed as one in the inbox: the older of the two counts.
    const now = clock.now();
    const ages = [await store.inbox.oldestPendingAge(now), await store.journal.oldestPendingAge(now)];
    oldestGauge.set({}, Math.max(0, ...ages.map((age) => age ?? 0)) / 1000);
    res.type('text/plain; version=0.0.4').send(metrics.renderPrometheusText());
  });
  return router;
}
