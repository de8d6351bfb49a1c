import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { DealEvent } from '../../webhooks/hubspot-event.schema';
import { WEBHOOK_PATH, createWebhookIntakeRouter } from '../../webhooks/webhook-intake.handler';
import type { StoreEvents, WebhookBatchStats } from '../../webhooks/webhook-intake.handler';
import { CLIENT_SECRET, NOW_MS, PUBLIC_BASE_URL, fixedClock, hubspotHeaders } from './signed-http.helpers';
import { aContactCreation, aDealStageChange, aGenericObjectEvent } from './webhook-event.builders';

/** A test double of the persistence callback: keeps events in memory, deduplicating like the store. */
function anInMemoryEventStore() {
  const byKey = new Map<string, DealEvent>();
  const calls: { events: DealEvent[]; receivedAt: number }[] = [];
  const storeEvents: StoreEvents = async (events, { receivedAt }) => {
    calls.push({ events, receivedAt });
    let inserted = 0;
    for (const event of events) {
      if (byKey.has(event.dedupeKey)) continue;
      byKey.set(event.dedupeKey, event);
      inserted += 1;
    }
    return { inserted, duplicates: events.length - inserted };
  };
  return { storeEvents, calls, stored: () => [...byKey.values()] };
}

function anIntakeApp(storeEvents: StoreEvents) {
  const batches: WebhookBatchStats[] = [];
  const app = express();
  app.use(
    createWebhookIntakeRouter({
      clientSecret: CLIENT_SECRET,
      publicBaseUrl: PUBLIC_BASE_URL,
      clock: fixedClock,
      storeEvents,
      onBatch: (stats) => batches.push(stats),
    }),
  );
  return { app, batches };
}

function postSigned(
  app: express.Express,
  body: string,
  headers = hubspotHeaders('POST', WEBHOOK_PATH, body),
) {
  return request(app).post(WEBHOOK_PATH).set(headers).set('Content-Type', 'application/json').send(body);
}

describe('POST /webhooks/hubspot', () => {
  it('stores a signed batch of deal events and then answers 200 with the counts', async () => {
    const store = anInMemoryEventStore();
    const { app, batches } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([
      aDealStageChange({ objectId: 1 }),
      aDealStageChange({ objectId: 2, propertyName: 'amount', propertyValue: '10' }),
    ]);

    const res = await postSigned(app, body);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, stored: 2, duplicates: 0, ignored: 0 });
    expect(store.stored().map((event) => [event.objectId, event.kind])).toEqual([
      ['1', 'stage-change'],
      ['2', 'property-change'],
    ]);
    expect(store.calls[0]?.receivedAt).toBe(NOW_MS);
    expect(batches).toEqual([expect.objectContaining({ outcome: 'stored', status: 200, stored: 2 })]);
  });

  it('reports a redelivered batch as duplicates and still answers 200', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([aDealStageChange(), aDealStageChange()]);

    await postSigned(app, body).expect(200);
    const again = await postSigned(app, body);

    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: 2, stored: 0, duplicates: 2, ignored: 0 });
    expect(store.stored()).toHaveLength(2);
  });

  it('acknowledges unknown subscription types and other object types without storing them', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([
      aContactCreation(),
      aGenericObjectEvent('object.creation', '0-1'),
      aGenericObjectEvent('object.creation', '0-3'),
    ]);

    const res = await postSigned(app, body);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 3, stored: 1, duplicates: 0, ignored: 2 });
    expect(store.stored().map((event) => event.kind)).toEqual(['creation']);
  });

  it('answers 200 to a batch made only of ignored types, storing nothing', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);

    const res = await postSigned(app, JSON.stringify([aContactCreation(), aContactCreation()]));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, stored: 0, duplicates: 0, ignored: 2 });
    expect(store.stored()).toEqual([]);
  });

  it('refuses an unsigned batch with 401 and stores nothing', async () => {
    const store = anInMemoryEventStore();
    const { app, batches } = anIntakeApp(store.storeEvents);

    const res = await request(app)
      .post(WEBHOOK_PATH)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify([aDealStageChange()]));

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(store.calls).toEqual([]);
    expect(batches).toEqual([
      expect.objectContaining({ outcome: 'rejected', status: 401, reason: 'missing-headers' }),
    ]);
  });

  it('refuses a batch whose body was changed after signing', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([aDealStageChange({ propertyValue: 'qualifiedtobuy' })]);

    const res = await postSigned(
      app,
      body.replace('qualifiedtobuy', 'closedwon'),
      hubspotHeaders('POST', WEBHOOK_PATH, body),
    );

    expect(res.status).toBe(401);
    expect(store.calls).toEqual([]);
  });

  it('refuses a batch signed with another app’s secret or too long ago', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([aDealStageChange()]);

    const wrongSecret = await postSigned(
      app,
      body,
      hubspotHeaders('POST', WEBHOOK_PATH, body, { clientSecret: 'other' }),
    );
    const stale = await postSigned(
      app,
      body,
      hubspotHeaders('POST', WEBHOOK_PATH, body, { timestampMs: NOW_MS - 5 * 60 * 1000 - 1 }),
    );

    expect([wrongSecret.status, stale.status]).toEqual([401, 401]);
    expect(store.calls).toEqual([]);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);

    const res = await postSigned(app, '[{"eventId":1,');

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(store.calls).toEqual([]);
  });

  it('answers 400 naming the path of each bad field', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([aDealStageChange(), aDealStageChange({ portalId: 'sixty-two' })]);

    const res = await postSigned(app, body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toContain('[1].portalId');
    expect(res.body.error.details.issues).toEqual([{ path: [1, 'portalId'], message: expect.any(String) }]);
    expect(store.calls).toEqual([]);
  });

  it('answers 400 to a JSON body that is not an array of events', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);

    const res = await postSigned(app, JSON.stringify(aDealStageChange()));

    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toEqual([]);
  });

  it('answers 413 to a body over 1 MB, before even checking the signature', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const body = JSON.stringify([aDealStageChange({ propertyValue: 'x'.repeat(1024 * 1024) })]);

    const res = await postSigned(app, body);

    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(store.calls).toEqual([]);
  });

  it('answers 413 to a chunked body that grows past 1 MB', async () => {
    const store = anInMemoryEventStore();
    const { app } = anIntakeApp(store.storeEvents);
    const server = app.listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({
          port,
          method: 'POST',
          path: WEBHOOK_PATH,
          headers: { 'Content-Type': 'application/json' },
        });
        req.on('response', (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 20; i++) req.write(chunk);
        req.end();
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 503 so HubSpot retries when the batch cannot be stored, and 200 once it can', async () => {
    const store = anInMemoryEventStore();
    let failNext = true;
    const flakyStore: StoreEvents = async (events, meta) => {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      return store.storeEvents(events, meta);
    };
    const { app, batches } = anIntakeApp(flakyStore);
    const body = JSON.stringify([aDealStageChange()]);

    const failed = await postSigned(app, body);
    const retried = await postSigned(app, body);

    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
    expect(JSON.stringify(failed.body)).not.toContain('database is locked');
    expect(retried.status).toBe(200);
    expect(store.stored()).toHaveLength(1);
    expect(batches.map((batch) => batch.outcome)).toEqual(['store-failed', 'stored']);
  });

  it('does not acknowledge a batch before storeEvents has resolved', async () => {
    let finishStoring: (result: { inserted: number; duplicates: number }) => void = () => {};
    let storingStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (storingStarted = resolve));
    const slowStore: StoreEvents = () =>
      new Promise((resolve) => {
        storingStarted();
        finishStoring = resolve;
      });
    const { app } = anIntakeApp(slowStore);
    const body = JSON.stringify([aDealStageChange()]);

    let answered = false;
    const response = postSigned(app, body).then((res) => {
      answered = true;
      return res;
    });
    await started;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);

    finishStoring({ inserted: 1, duplicates: 0 });
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 1, stored: 1, duplicates: 0, ignored: 0 });
  });

  it('keeps answering HubSpot when the stats callback throws', async () => {
    const store = anInMemoryEventStore();
    const app = express();
    app.use(
      createWebhookIntakeRouter({
        clientSecret: CLIENT_SECRET,
        publicBaseUrl: PUBLIC_BASE_URL,
        clock: fixedClock,
        storeEvents: store.storeEvents,
        onBatch: () => {
          throw new Error('metrics are down');
        },
      }),
    );

    const res = await postSigned(app, JSON.stringify([aDealStageChange()]));

    expect(res.status).toBe(200);
  });
});
