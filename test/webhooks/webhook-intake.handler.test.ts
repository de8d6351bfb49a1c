import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  WEBHOOK_PATH,
  createWebhookIntakeHandler,
  isWebhookIntakeRequest,
} from '../../webhooks/webhook-intake.handler';
import type {
  StoreBatch,
  VerifiedWebhookBatch,
  WebhookBatchStats,
  WebhookIntakeOptions,
} from '../../webhooks/webhook-intake.handler';
import { CLIENT_SECRET, NOW_MS, PUBLIC_BASE_URL, fixedClock, hubspotHeaders } from './signed-http.helpers';
import { aContactCreation, aDealStageChange, aGenericObjectEvent } from './webhook-event.builders';

const ONE_MB = 1024 * 1024;

/** A storeBatch written for the test: records every batch it is handed and keeps all its deal events. */
function aRecordingStore() {
  const batches: VerifiedWebhookBatch[] = [];
  const storeBatch: StoreBatch = async (batch) => {
    batches.push(batch);
    return { stored: batch.dealEvents.length, ignored: 0 };
  };
  return { storeBatch, batches };
}

interface RunningIntake {
  server: http.Server;
  port: number;
  /** What onBatch was told, one entry per answered request. */
  stats: WebhookBatchStats[];
  /** The server side of every response, in arrival order. */
  responses: ServerResponse[];
}

const running: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    running.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** The intake handler alone behind a real node:http server on 127.0.0.1, as the service mounts it. */
async function startIntake(
  storeBatch: StoreBatch,
  options: Partial<WebhookIntakeOptions> = {},
): Promise<RunningIntake> {
  const stats: WebhookBatchStats[] = [];
  const responses: ServerResponse[] = [];
  const handler = createWebhookIntakeHandler({
    clientSecret: CLIENT_SECRET,
    publicBaseUrl: PUBLIC_BASE_URL,
    clock: fixedClock,
    storeBatch,
    onBatch: (batchStats) => stats.push(batchStats),
    ...options,
  });
  const server = http.createServer((req, res) => {
    responses.push(res);
    handler(req, res);
  });
  running.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, stats, responses };
}

function postSigned(
  intake: RunningIntake,
  body: string | Buffer,
  {
    path = WEBHOOK_PATH,
    headers = hubspotHeaders('POST', path, body),
    // supertest re-serialises a Buffer sent as JSON; raw bytes need another type (the intake ignores it).
    contentType = Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json',
  } = {},
) {
  return request(intake.server).post(path).set(headers).set('Content-Type', contentType).send(body);
}

/** A POST written chunk by chunk (so with no Content-Length), answered as status and parsed body. */
function postChunked(port: number, chunks: string[], agent?: http.Agent) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: WEBHOOK_PATH,
      headers: { 'Content-Type': 'application/json' },
      agent,
    });
    req.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('POST /webhooks/hubspot', () => {
  it('stores a signed batch of deal events and then answers 200 with the counts', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const body = JSON.stringify([
      aDealStageChange({ objectId: 1 }),
      aDealStageChange({ objectId: 2, propertyName: 'amount', propertyValue: '10' }),
    ]);

    const res = await postSigned(intake, body);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ received: 2, stored: 2, ignored: 0, refused: 0 });
    expect(intake.stats).toEqual([
      { outcome: 'stored', status: 200, received: 2, stored: 2, ignored: 0, refused: 0 },
    ]);
  });

  it('hands storeBatch the body as received, its elements, the deal events and the arrival time', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const elements = [aDealStageChange({ objectId: 1, propertyValue: 'closedwon — ✓' }), aContactCreation()];
    // Spacing JSON.stringify would not produce: the text must be the bytes, not a re-serialisation.
    const body = `[ ${JSON.stringify(elements[0])},\n  ${JSON.stringify(elements[1])} ]`;

    await postSigned(intake, body).expect(200);

    expect(store.batches).toHaveLength(1);
    const [batch] = store.batches;
    expect(batch!.text).toBe(body);
    expect(batch!.elements).toEqual(elements);
    // The deal events as received (normalising them is the inbox processor's job, later).
    expect(batch!.dealEvents).toEqual([elements[0]]);
    expect(batch!.receivedAt).toBe(NOW_MS);
  });

  it('acknowledges unknown subscription types and other object types, handing on only the deal events', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const body = JSON.stringify([
      aContactCreation(),
      aGenericObjectEvent('object.creation', '0-1'),
      aGenericObjectEvent('object.creation', '0-3'),
    ]);

    const res = await postSigned(intake, body);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 3, stored: 1, ignored: 2, refused: 0 });
    expect(store.batches[0]!.elements).toHaveLength(3);
    expect(store.batches[0]!.dealEvents).toEqual([expect.objectContaining({ objectTypeId: '0-3' })]);
  });

  it('answers with the counts storeBatch gives, which add up to what was received', async () => {
    const keepsNone: StoreBatch = async () => ({ stored: 0, ignored: 2 });
    const intake = await startIntake(keepsNone);

    const res = await postSigned(intake, JSON.stringify([aDealStageChange(), aDealStageChange()]));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, stored: 0, ignored: 2, refused: 0 });
  });

  it('answers 200 to a batch made only of ignored types without calling storeBatch', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);

    const res = await postSigned(intake, JSON.stringify([aContactCreation(), aContactCreation()]));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, stored: 0, ignored: 2, refused: 0 });
    expect(store.batches).toEqual([]);
  });

  it('verifies a signature made over the path with its query string', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const path = `${WEBHOOK_PATH}?source=hubspot&tag=a%3Ab`;
    const body = JSON.stringify([aDealStageChange()]);

    const signedWithQuery = await postSigned(intake, body, { path });
    const signedWithoutQuery = await postSigned(intake, body, {
      path,
      headers: hubspotHeaders('POST', WEBHOOK_PATH, body),
    });

    expect([signedWithQuery.status, signedWithoutQuery.status]).toEqual([200, 401]);
    expect(store.batches).toHaveLength(1);
  });

  it('refuses an unsigned batch with 401 in the service error shape and stores nothing', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);

    const res = await request(intake.server)
      .post(WEBHOOK_PATH)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify([aDealStageChange()]));

    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(store.batches).toEqual([]);
    expect(intake.stats).toEqual([
      expect.objectContaining({ outcome: 'rejected', status: 401, reason: 'missing-headers' }),
    ]);
  });

  it('refuses a batch whose body was changed after signing', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const body = JSON.stringify([aDealStageChange({ propertyValue: 'qualifiedtobuy' })]);

    const res = await postSigned(intake, body.replace('qualifiedtobuy', 'closedwon'), {
      headers: hubspotHeaders('POST', WEBHOOK_PATH, body),
    });

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(store.batches).toEqual([]);
  });

  it('refuses a batch signed with another app’s secret or too long ago', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const body = JSON.stringify([aDealStageChange()]);

    const wrongSecret = await postSigned(intake, body, {
      headers: hubspotHeaders('POST', WEBHOOK_PATH, body, { clientSecret: 'other' }),
    });
    const stale = await postSigned(intake, body, {
      headers: hubspotHeaders('POST', WEBHOOK_PATH, body, { timestampMs: NOW_MS - 5 * 60 * 1000 - 1 }),
    });

    expect([wrongSecret.status, stale.status]).toEqual([401, 401]);
    expect(intake.stats.map((stats) => stats.reason)).toEqual(['bad-signature', 'stale-timestamp']);
    expect(store.batches).toEqual([]);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);

    const res = await postSigned(intake, '[{"eventId":1,');

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toContain('JSON');
    expect(store.batches).toEqual([]);
  });

  it('answers 400 to a signed body that is not valid UTF-8', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const body = Buffer.concat([
      Buffer.from('[{"propertyValue":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]'),
    ]);

    const res = await postSigned(intake, body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toContain('UTF-8');
    expect(store.batches).toEqual([]);
  });

  it('stores the valid events of a batch with a malformed one, hands on the refused one with its reason, and answers 200', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const valid = [aDealStageChange({ objectId: 1 }), aDealStageChange({ objectId: 3 })];
    const malformed = aDealStageChange({ objectId: 2, portalId: 'sixty-two' });
    const body = JSON.stringify([valid[0], malformed, valid[1]]);

    const res = await postSigned(intake, body);

    // HubSpot does not retry a 4xx: answering one here is how the valid events used to be lost.
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 3, stored: 2, ignored: 0, refused: 1 });
    expect(store.batches).toHaveLength(1);
    const [batch] = store.batches;
    expect(batch!.elements).toEqual(valid);
    expect(JSON.parse(batch!.text)).toEqual(valid);
    expect(batch!.dealEvents.map((event) => event.portalId)).toEqual([62515, 62515]);
    expect(batch!.refused).toEqual([{ element: malformed, reason: expect.stringContaining('[1].portalId') }]);
    expect(intake.stats).toEqual([
      expect.objectContaining({ outcome: 'stored', status: 200, received: 3, stored: 2, refused: 1 }),
    ]);
  });

  it('refuses an event whose text holds a NUL character, which PostgreSQL cannot store', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const withNul = aDealStageChange({ objectId: 2, propertyName: 'description', propertyValue: 'x\u0000' });

    const res = await postSigned(intake, JSON.stringify([aDealStageChange({ objectId: 1 }), withNul]));

    expect(res.body).toEqual({ received: 2, stored: 1, ignored: 0, refused: 1 });
    expect(store.batches[0]!.refused).toEqual([
      {
        element: withNul,
        reason: expect.stringContaining('[1].propertyValue: Must not contain a NUL character'),
      },
    ]);
  });

  it('answers 400 to a JSON body that is not an array of events', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);

    const res = await postSigned(intake, JSON.stringify(aDealStageChange()));

    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toEqual([]);
    expect(res.body.error.message).toContain('(body)');
  });

  it('answers 413 to a body over 1 MB before even checking the signature, and then serves the next batch', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const tooLarge = JSON.stringify([aDealStageChange({ propertyValue: 'x'.repeat(ONE_MB) })]);

    const refused = await request(intake.server)
      .post(WEBHOOK_PATH)
      .set('Content-Type', 'application/json')
      .send(tooLarge);
    const next = await postSigned(intake, JSON.stringify([aDealStageChange()]));

    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(intake.stats[0]).toEqual(
      expect.objectContaining({ outcome: 'rejected', status: 413, reason: 'too-large' }),
    );
    expect(next.status).toBe(200);
    expect(store.batches).toHaveLength(1);
  });

  it('answers 413 to a chunked body that grows past 1 MB, and keeps the connection usable', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const chunk = 'x'.repeat(64 * 1024);
      const refused = await postChunked(
        intake.port,
        Array.from({ length: 20 }, () => chunk),
        agent,
      );
      // Unsigned, so 401: what matters is that it is answered on the connection the 413 used.
      const next = await postChunked(intake.port, [JSON.stringify([aDealStageChange()])], agent);

      expect(refused.status).toBe(413);
      expect(refused.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(next.status).toBe(401);
    } finally {
      agent.destroy();
    }
  });

  it('answers 503 so HubSpot retries when the batch cannot be stored, and 200 once it can', async () => {
    const store = aRecordingStore();
    let failNext = true;
    const flakyStore: StoreBatch = async (batch) => {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      return store.storeBatch(batch);
    };
    const intake = await startIntake(flakyStore);
    const body = JSON.stringify([aDealStageChange()]);

    const failed = await postSigned(intake, body);
    const retried = await postSigned(intake, body);

    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
    expect(JSON.stringify(failed.body)).not.toContain('database is locked');
    expect(retried.status).toBe(200);
    expect(store.batches).toHaveLength(1);
    expect(intake.stats.map((stats) => stats.outcome)).toEqual(['store-failed', 'stored']);
    expect(intake.stats[0]!.error).toEqual(new Error('database is locked'));
  });

  it('does not answer before storeBatch has resolved', async () => {
    let finishStoring: (result: { stored: number; ignored: number }) => void = () => {};
    let storingStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (storingStarted = resolve));
    const slowStore: StoreBatch = () =>
      new Promise((resolve) => {
        storingStarted();
        finishStoring = resolve;
      });
    const intake = await startIntake(slowStore);

    // supertest sends on then(), so the request is under way from here.
    const response = postSigned(intake, JSON.stringify([aDealStageChange()])).then((res) => res);
    await started;
    // Let anything the handler would do right after calling storeBatch happen first.
    await new Promise((resolve) => setImmediate(resolve));
    const [serverSide] = intake.responses;
    expect(serverSide!.headersSent).toBe(false);

    finishStoring({ stored: 1, ignored: 0 });
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 1, stored: 1, ignored: 0, refused: 0 });
  });

  it('keeps answering HubSpot when the stats callback throws', async () => {
    const store = aRecordingStore();
    const intake = await startIntake(store.storeBatch, {
      onBatch: () => {
        throw new Error('metrics are down');
      },
    });

    const ok = await postSigned(intake, JSON.stringify([aDealStageChange()]));
    const refused = await postSigned(intake, '[', { headers: {} });

    expect([ok.status, refused.status]).toEqual([200, 401]);
  });
});

describe('telling webhook intake requests from the rest', () => {
  const aRequest = (method: string, url: string) => ({ method, url }) as IncomingMessage;

  it('matches a POST to the webhook path, with or without a query string', () => {
    expect(isWebhookIntakeRequest(aRequest('POST', WEBHOOK_PATH))).toBe(true);
    expect(isWebhookIntakeRequest(aRequest('POST', `${WEBHOOK_PATH}?portalId=62515`))).toBe(true);
  });

  it.each([
    ['GET', WEBHOOK_PATH],
    ['PUT', WEBHOOK_PATH],
    ['POST', `${WEBHOOK_PATH}/`],
    ['POST', `${WEBHOOK_PATH}/extra`],
    ['POST', `${WEBHOOK_PATH}x`],
    ['POST', '/webhooks'],
    ['POST', '/api/v1/deals/123/actions/discovery-call'],
    ['GET', '/healthz'],
    ['POST', `/prefix${WEBHOOK_PATH}`],
  ])('leaves %s %s to the rest of the app', (method, url) => {
    expect(isWebhookIntakeRequest(aRequest(method, url))).toBe(false);
  });
});
