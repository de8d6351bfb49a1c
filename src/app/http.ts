import type { RequestListener } from 'node:http';
import express, { Router, type Express } from 'express';
import { requireSignatureV3 } from '../../webhooks/signed-request.middleware';
import { createWebhookIntakeHandler, isWebhookIntakeRequest } from '../../webhooks/webhook-intake.handler';
import { createErrorHandler, notFoundHandler } from '../platform/http/error-handler';
import { createStoreBatch } from '../modules/intake';
import { WIRED_MODULES, type Services } from './services';

export interface HttpApp {
  /** What the HTTP server runs for every request: the webhook intake, or else the express app. */
  requestListener: RequestListener;
  /** Health, /api/v1 and the 404s. It has no webhook route: serve `requestListener`, not this. */
  app: Express;
}

/**
 * The HTTP app. `POST /webhooks/hubspot` is taken before express sees the request: an express route
 * cost about half of the intake's throughput, and the intake needs none of express. Everything else
 * is express. The webhook intake and the signed API read raw bodies themselves (the signature covers
 * the exact bytes), so no JSON parser runs before them.
 */
export function createApp(services: Services): HttpApp {
  const { config, clock, logger, metrics } = services;
  const epochMs = () => clock.now().getTime();
  const rejected = metrics.counter(
    'sop_signed_requests_rejected_total',
    'Requests refused by the v3 signature check',
  );
  const batches = metrics.counter('sop_webhook_batches_total', 'Webhook batches by outcome');

  const webhookIntake = createWebhookIntakeHandler({
    clientSecret: config.hubspotClientSecret,
    publicBaseUrl: config.publicBaseUrl,
    clock: epochMs,
    storeBatch: createStoreBatch(services),
    onBatch: (stats) => {
      batches.inc({ outcome: stats.outcome });
      if (stats.outcome !== 'stored') logger.warn('webhook batch not stored', { ...stats });
    },
  });

  const app = express();
  app.disable('x-powered-by');
  for (const module of WIRED_MODULES) if (module.publicRoutes) app.use(module.publicRoutes(services));

  const api = Router();
  api.use(
    requireSignatureV3({
      clientSecret: config.hubspotClientSecret,
      publicBaseUrl: config.publicBaseUrl,
      clock: epochMs,
      onRejected: (rejection) => rejected.inc({ reason: rejection.reason }),
    }),
  );
  for (const module of WIRED_MODULES) if (module.routes) api.use(module.routes(services));
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));

  return {
    app,
    requestListener: (req, res) => (isWebhookIntakeRequest(req) ? webhookIntake(req, res) : app(req, res)),
  };
}
