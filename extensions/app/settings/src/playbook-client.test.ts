import { BACKEND_ORIGIN, createPlaybookClient } from './playbook-client';
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
});
