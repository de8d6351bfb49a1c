import { computeSignatureV2 } from '../../../webhooks/signature-v2';
import { signRequestV3 } from '../../../webhooks/signature-v3';
import { DATABASES } from '../../support/test-databases';
import {
  SAMPLE_PORTAL_ID,
  startTestService,
  TEST_CLIENT_SECRET,
  TEST_PUBLIC_BASE_URL,
  type TestService,
} from '../../support/service-harness';
import {
  addSkippedQualificationMove,
  buildGovernedPlaybook,
  publishPlaybook,
} from '../exceptions/support/exception-fixtures';

const PATH = '/api/v1/workflow-actions/sop-readiness';

describe.each(DATABASES)('workflow action "Check SOP readiness" (%s)', (database) => {
  let service: TestService;
  let dealId: string;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    // A deal that skipped qualification's call: in the presentation now, with an open exception.
    ({ dealId } = await addSkippedQualificationMove(service));
  });
  afterEach(async () => {
    await service.stop();
  });

  const requestBody = (objectId: string | number = dealId, portalId = SAMPLE_PORTAL_ID) =>
    JSON.stringify({
      callbackId: 'ap-123-456',
      origin: { portalId, actionDefinitionId: 7, actionDefinitionVersion: 1 },
      object: { objectId: Number(objectId), objectType: 'DEAL' },
      inputFields: {},
    });
  const post = (body: string, headers: Record<string, string>) =>
    fetch(service.url + PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as any }));
  const v2Headers = (body: string, secret = TEST_CLIENT_SECRET) => ({
    'X-HubSpot-Signature-Version': 'v2',
    'X-HubSpot-Signature': computeSignatureV2({
      clientSecret: secret,
      method: 'POST',
      uri: TEST_PUBLIC_BASE_URL + PATH,
      rawBody: body,
    }),
  });

  it("answers a v2-signed request with the deal's readiness, step, open items and open exceptions", async () => {
    const body = requestBody();

    const answer = await post(body, v2Headers(body));

    expect(answer).toEqual({
      status: 200,
      body: { outputFields: { ready: false, step: 'present', openItems: 1, openExceptions: 1 } },
    });
  });

  it('answers a v3-signed request alike', async () => {
    const body = requestBody();
    const signed = signRequestV3({
      clientSecret: TEST_CLIENT_SECRET,
      method: 'POST',
      uri: TEST_PUBLIC_BASE_URL + PATH,
      body,
      timestampMs: service.clock.now().getTime(),
    });

    const answer = await post(body, signed.headers);

    expect(answer.body.outputFields.step).toBe('present');
  });

  it('refuses unsigned and wrongly signed requests (401)', async () => {
    const body = requestBody();

    const unsigned = await post(body, {});
    const wrongSecret = await post(body, v2Headers(body, 'another-secret'));
    const otherBody = await post(requestBody(1), v2Headers(body));

    expect([unsigned.status, wrongSecret.status, otherBody.status]).toEqual([401, 401, 401]);
    expect(unsigned.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers 400 for a body without the deal, and 404 for a deal or portal it does not serve', async () => {
    const noObject = JSON.stringify({ callbackId: 'ap-1', origin: { portalId: SAMPLE_PORTAL_ID } });
    const otherPortal = requestBody(dealId, 99002);

    const missing = await post(noObject, v2Headers(noObject));
    const notOurs = await post(otherPortal, v2Headers(otherPortal));

    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('object');
    expect(notOurs.status).toBe(404);
  });
});
