import express from 'express';
import request from 'supertest';
import { MAX_SIGNED_BODY_BYTES, requireSignatureV3 } from '../../webhooks/signed-request.middleware';
import type { SignedRequestRejection } from '../../webhooks/signed-request.middleware';
import { CLIENT_SECRET, NOW_MS, PUBLIC_BASE_URL, fixedClock, hubspotHeaders } from './signed-http.helpers';

function aCardApi() {
  const rejections: SignedRequestRejection[] = [];
  const app = express();
  const signed = requireSignatureV3({
    clientSecret: CLIENT_SECRET,
    publicBaseUrl: PUBLIC_BASE_URL,
    clock: fixedClock,
    onRejected: (rejection) => rejections.push(rejection),
  });
  const echo: express.RequestHandler = (req, res) => {
    res.json({ rawLength: req.rawBody?.length ?? null, json: res.locals.json ?? null, query: req.query });
  };
  app.get('/api/v1/deals/:dealId/guidance', signed, echo);
  app.post('/api/v1/deals/:dealId/actions/:actionId', signed, echo);
  return { app, rejections };
}

const GUIDANCE =
  '/api/v1/deals/123/guidance?portalId=62515&userId=101&userEmail=rep%40example.com&appId=54321';
const ACTION = '/api/v1/deals/123/actions/discovery-call?portalId=62515&userId=101';

describe('requests signed by HubSpot (v3)', () => {
  it('lets a signed GET with no body through, signed over the decoded query', async () => {
    const { app } = aCardApi();
    const res = await request(app).get(GUIDANCE).set(hubspotHeaders('GET', GUIDANCE));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rawLength: 0,
      json: null,
      query: { portalId: '62515', userId: '101', userEmail: 'rep@example.com', appId: '54321' },
    });
  });

  it('lets a signed JSON POST through with its raw bytes and parsed JSON', async () => {
    const { app } = aCardApi();
    const body = JSON.stringify({ done: true, note: 'Called the buyer — ✓' });
    const res = await request(app)
      .post(ACTION)
      .set(hubspotHeaders('POST', ACTION, body))
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rawLength: Buffer.byteLength(body),
      json: { done: true, note: 'Called the buyer — ✓' },
    });
  });

  it('verifies the bytes whatever the content type says', async () => {
    const { app } = aCardApi();
    const body = '{"done":false}';
    const res = await request(app)
      .post(ACTION)
      .set(hubspotHeaders('POST', ACTION, body))
      .set('Content-Type', 'text/plain')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.json).toEqual({ done: false });
  });

  it('refuses an unsigned request with 401 in the service error shape', async () => {
    const { app, rejections } = aCardApi();
    const res = await request(app).get(GUIDANCE);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    expect(rejections).toEqual([{ status: 401, code: 'UNAUTHENTICATED', reason: 'missing-headers' }]);
  });

  it('refuses a signature made for another path or query', async () => {
    const { app } = aCardApi();
    const res = await request(app)
      .get(GUIDANCE.replace('userId=101', 'userId=1'))
      .set(hubspotHeaders('GET', GUIDANCE));
    expect(res.status).toBe(401);
  });

  it('refuses a signature made over the host the request reached rather than the public origin', async () => {
    const { app } = aCardApi();
    const res = await request(app)
      .get(GUIDANCE)
      .set(hubspotHeaders('GET', GUIDANCE, '', { publicBaseUrl: 'http://127.0.0.1:3000' }));
    expect(res.status).toBe(401);
  });

  it('refuses a replayed request once its timestamp is stale', async () => {
    const { app, rejections } = aCardApi();
    const res = await request(app)
      .get(GUIDANCE)
      .set(hubspotHeaders('GET', GUIDANCE, '', { timestampMs: NOW_MS - 6 * 60 * 1000 }));
    expect(res.status).toBe(401);
    expect(rejections[0]?.reason).toBe('stale-timestamp');
  });

  it('checks the signature before parsing: unsigned garbage is 401, not 400', async () => {
    const { app } = aCardApi();
    const res = await request(app).post(ACTION).set('Content-Type', 'application/json').send('{not json');
    expect(res.status).toBe(401);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const { app, rejections } = aCardApi();
    const body = '{not json';
    const res = await request(app)
      .post(ACTION)
      .set(hubspotHeaders('POST', ACTION, body))
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(rejections[0]?.reason).toBe('malformed-json');
  });

  it('checks the size before the signature: an unsigned body over 1 MB is 413', async () => {
    const { app } = aCardApi();
    const body = JSON.stringify({ note: 'x'.repeat(MAX_SIGNED_BODY_BYTES) });
    const res = await request(app).post(ACTION).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
