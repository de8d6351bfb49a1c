import { BACKEND_ORIGIN, BackendError, createInsightsClient } from './insights-client';
import { FakeHubSpotFetch, ok, refused } from './testing/fake-hubspot-fetch';

const demand = {
  pipelineId: 'default',
  months: [{ month: '2026-12', openDeals: 1, amount: 10, weightedAmount: 4, atRiskAmount: 0, wonAmount: 0 }],
  withoutCloseDate: { openDeals: 0, amount: 0 },
};

describe('insights client', () => {
  it('asks the backend with the filters given and returns the parsed answer', async () => {
    const urls: string[] = [];
    const backend = new FakeHubSpotFetch().on('GET /api/v1/insights/demand', ok(demand));
    const client = createInsightsClient((url, options) => {
      urls.push(url);
      return backend.fetch(url, options);
    });
    expect(await client.getDemand({ months: 6, ownerId: '11' })).toEqual(demand);
    expect(urls).toEqual([`${BACKEND_ORIGIN}/api/v1/insights/demand?months=6&ownerId=11`]);
  });

  it("shows the service's message when HubSpot's proxy passes on a refusal", async () => {
    const backend = new FakeHubSpotFetch().on(
      'GET /api/v1/insights/compliance',
      refused(404, 'NOT_FOUND', 'pipelineId: no deal pipeline "x"'),
    );
    await expect(createInsightsClient(backend.fetch).getCompliance({ pipelineId: 'x' })).rejects.toEqual(
      new BackendError('pipelineId: no deal pipeline "x"', 502, 'NOT_FOUND'),
    );
  });

  it('refuses an answer that does not match the shared schema', async () => {
    const backend = new FakeHubSpotFetch().on(
      'GET /api/v1/insights/demand',
      ok({ ...demand, months: [{ month: 'December' }] }),
    );
    await expect(createInsightsClient(backend.fetch).getDemand({})).rejects.toThrow(
      'The SOP Guide service sent an answer this page does not understand.',
    );
  });
});
