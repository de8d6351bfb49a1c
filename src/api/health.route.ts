import { Router } from 'express';
import type { Services } from '../app/services';

/** Liveness, readiness (the database answers) and Prometheus metrics: unsigned, for the platform. */
export function createHealthRouter({ store, metrics }: Pick<Services, 'store' | 'metrics'>): Router {
  const router = Router();
  const inboxGauge = metrics.gauge('sop_inbox_events', 'Webhook inbox events by status');
  const oldestGauge = metrics.gauge(
    'sop_inbox_oldest_pending_seconds',
    'Age of the oldest unprocessed webhook event',
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
    oldestGauge.set({}, ((await store.inbox.oldestPendingAge(new Date())) ?? 0) / 1000);
    res.type('text/plain; version=0.0.4').send(metrics.renderPrometheusText());
  });
  return router;
}
