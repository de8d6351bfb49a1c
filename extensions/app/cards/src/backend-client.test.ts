import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import { BACKEND_ORIGIN, BackendError, createBackendClient } from './backend-client';
import type { HubSpotFetch } from './backend-client';

interface SentRequest {
  url: string;
  options: HubSpotFetchOptions | undefined;
}

/** A stand-in for `hubspot.fetch` answering one canned response and keeping what was sent. */
function fakeHubSpotFetch(status: number, body: string): { fetch: HubSpotFetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fetch: HubSpotFetch = async (url, options) => {
    sent.push({ url, options });
    return new Response(body, { status });
  };
  return { fetch, sent };
}

async function errorOf(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BackendError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('backend client', () => {
  it("asks the backend origin for the deal's guidance and returns its JSON", async () => {
    const { fetch, sent } = fakeHubSpotFetch(200, '{"dealId":"123"}');

    const json = await createBackendClient(fetch).getGuidance('123');

    expect(json).toEqual({ dealId: '123' });
    expect(sent).toEqual([
      { url: `${BACKEND_ORIGIN}/api/v1/deals/123/guidance`, options: { method: 'GET' } },
    ]);
  });

  it('sends an action toggle with its note to the action route', async () => {
    const { fetch, sent } = fakeHubSpotFetch(200, '{}');

    await createBackendClient(fetch).setActionDone('123', 'discovery call', true, 'Met the CFO');

    expect(sent[0]).toEqual({
      url: `${BACKEND_ORIGIN}/api/v1/deals/123/actions/discovery%20call`,
      options: { method: 'POST', body: { done: true, note: 'Met the CFO' } },
    });
  });

  it('sends a snooze with its end and reason to the snooze route', async () => {
    const { fetch, sent } = fakeHubSpotFetch(200, '{}');

    await createBackendClient(fetch).snoozeStall('123', {
      until: '2026-12-08T12:00:00.000Z',
      reason: 'Holiday',
    });

    expect(sent[0]).toEqual({
      url: `${BACKEND_ORIGIN}/api/v1/deals/123/snooze`,
      options: { method: 'POST', body: { until: '2026-12-08T12:00:00.000Z', reason: 'Holiday' } },
    });
  });

  it("fails with the backend's message on an error answer", async () => {
    const { fetch } = fakeHubSpotFetch(404, '{"error":{"code":"NOT_FOUND","message":"Deal 123 is unknown"}}');

    const error = await errorOf(createBackendClient(fetch).getGuidance('123'));

    expect([error.message, error.status, error.code]).toEqual(['Deal 123 is unknown', 404, 'NOT_FOUND']);
  });

  it("fails with the backend's message when HubSpot's proxy wraps it in a 502", async () => {
    const backendBody = JSON.stringify({ error: { code: 'FORBIDDEN', message: 'Managers only' } });
    const { fetch } = fakeHubSpotFetch(502, JSON.stringify({ status: 'error', responseBody: backendBody }));

    const error = await errorOf(createBackendClient(fetch).getGuidance('123'));

    expect([error.message, error.status, error.code]).toEqual(['Managers only', 502, 'FORBIDDEN']);
  });

  it('treats a redirect as an error, since HubSpot follows none', async () => {
    const { fetch } = fakeHubSpotFetch(302, '');

    const error = await errorOf(createBackendClient(fetch).getGuidance('123'));

    expect(error.message).toBe('The SOP Guide service answered with status 302.');
  });

  it('names the status when the error answer says nothing readable', async () => {
    const { fetch } = fakeHubSpotFetch(500, '<html>Internal Server Error</html>');

    const error = await errorOf(createBackendClient(fetch).getGuidance('123'));

    expect(error.message).toBe('The SOP Guide service answered with status 500.');
  });

  it('fails readably when HubSpot cannot reach the backend', async () => {
    const unreachable: HubSpotFetch = () => Promise.reject(new Error('Request timed out after 15000ms'));

    const error = await errorOf(createBackendClient(unreachable).getGuidance('123'));

    expect([error.message, error.status]).toEqual([
      'The SOP Guide service could not be reached. Try again in a moment.',
      null,
    ]);
  });

  it('fails on a success answer that is not JSON', async () => {
    const { fetch } = fakeHubSpotFetch(200, 'OK');

    const error = await errorOf(createBackendClient(fetch).getGuidance('123'));

    expect(error.message).toBe('The SOP Guide service sent an answer that is not JSON.');
  });
});
