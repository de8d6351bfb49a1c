import type { HubSpotFetchOptions } from '@hubspot/ui-extensions';
import { BACKEND_ORIGIN, PlaybookApiError, createPlaybookClient } from './playbook-client';
import type { HubSpotFetch } from './playbook-client';

function answering(status: number, body: string): { fetch: HubSpotFetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (url) => {
      urls.push(url);
      return new Response(body, { status });
    },
  };
}

describe('playbook client', () => {
  it('reads the playbook from the backend origin', async () => {
    const { fetch, urls } = answering(200, '{"name":"Default sales SOP"}');

    await expect(createPlaybookClient(fetch).getPlaybook()).resolves.toEqual({ name: 'Default sales SOP' });
    expect(urls).toEqual([`${BACKEND_ORIGIN}/api/v1/playbook`]);
  });

  it("fails with the backend's message passed through HubSpot's 502", async () => {
    const backendBody = JSON.stringify({
      error: { code: 'NOT_INSTALLED', message: 'Install SOP Guide first' },
    });
    const { fetch } = answering(502, JSON.stringify({ responseBody: backendBody }));

    await expect(createPlaybookClient(fetch).getPlaybook()).rejects.toThrow('Install SOP Guide first');
  });

  it('names the status when an error answer says nothing readable', async () => {
    const { fetch } = answering(503, 'upstream down');

    await expect(createPlaybookClient(fetch).getPlaybook()).rejects.toThrow(
      'The SOP Guide service answered with status 503.',
    );
  });

  it('publishes with PUT, the publish options as top-level fields of the document', async () => {
    const calls: Array<{ url: string; options?: HubSpotFetchOptions }> = [];
    const fetch: HubSpotFetch = async (url, options) => {
      calls.push({ url, options });
      return new Response('{"version":4}', { status: 200 });
    };

    await createPlaybookClient(fetch).publishPlaybook(
      { name: 'SOP', steps: [] },
      { note: 'why', applyToDealsInProgress: true },
    );

    expect(calls).toEqual([
      {
        url: `${BACKEND_ORIGIN}/api/v1/playbook`,
        options: {
          method: 'PUT',
          body: { name: 'SOP', steps: [], note: 'why', applyToDealsInProgress: true },
        },
      },
    ]);
  });

  it("carries a rejected playbook's path-named errors out of HubSpot's 502", async () => {
    const backendBody = JSON.stringify({
      error: {
        code: 'INVALID_PLAYBOOK',
        message: 'Invalid playbook: steps.2.actions.0.id: required',
        details: { errors: [{ path: 'steps.2.actions.0.id', message: 'required' }] },
      },
    });
    const { fetch } = answering(502, JSON.stringify({ responseBody: backendBody }));

    const error = await createPlaybookClient(fetch)
      .previewPlaybook({ name: 'SOP' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PlaybookApiError);
    expect(error).toMatchObject({
      code: 'INVALID_PLAYBOOK',
      message: 'Invalid playbook: steps.2.actions.0.id: required',
      issues: [{ path: 'steps.2.actions.0.id', message: 'required' }],
    });
  });

  it('restores a version by number and lists versions', async () => {
    const { fetch, urls } = answering(200, '{}');
    const client = createPlaybookClient(fetch);

    await client.restoreVersion(2, {});
    await client.listVersions();

    expect(urls).toEqual([
      `${BACKEND_ORIGIN}/api/v1/playbook/versions/2/restore`,
      `${BACKEND_ORIGIN}/api/v1/playbook/versions`,
    ]);
  });

  it('asks for the enforcement preview of a draft over the window chosen', async () => {
    const calls: Array<{ url: string; options?: HubSpotFetchOptions }> = [];
    const fetch: HubSpotFetch = async (url, options) => {
      calls.push({ url, options });
      return new Response('{"steps":[]}', { status: 200 });
    };

    await createPlaybookClient(fetch).previewEnforcement({ name: 'SOP', steps: [] }, 90);

    expect(calls).toEqual([
      {
        url: `${BACKEND_ORIGIN}/api/v1/playbook/enforcement-preview?days=90`,
        options: { method: 'POST', body: { name: 'SOP', steps: [] } },
      },
    ]);
  });
});
