import { BACKEND_ORIGIN, createInsightsClient, InsightsApiError, type HubSpotFetch } from './insights-client';

function fakeFetch(status: number, body: unknown) {
  const urls: string[] = [];
  const fetch: HubSpotFetch = async (url) => {
    urls.push(url);
    return { ok: status < 300, status, text: async () => JSON.stringify(body) };
  };
  return { fetch, urls };
}

const demand = {
  pipelineId: 'default',
  months: [{ month: '2026-12', openDeals: 1, amount: 10, weightedAmount: 4, atRiskAmount: 0, wonAmount: 0 }],
  withoutCloseDate: { openDeals: 0, amount: 0 },
};

describe('insights client', () => {
  it('asks the backend with the filters given and returns the parsed answer', async () => {
    const { fetch, urls } = fakeFetch(200, demand);
    expect(await createInsightsClient(fetch).getDemand({ months: 6, ownerId: '11' })).toEqual(demand);
    expect(urls).toEqual([`${BACKEND_ORIGIN}/api/v1/insights/demand?months=6&ownerId=11`]);
  });

  it("shows the service's message when HubSpot's proxy passes on a refusal", async () => {
    const { fetch } = fakeFetch(502, {
      error: { code: 'NOT_FOUND', message: 'pipelineId: no deal pipeline "x"' },
    });
    await expect(createInsightsClient(fetch).getCompliance({ pipelineId: 'x' })).rejects.toEqual(
      new InsightsApiError('pipelineId: no deal pipeline "x"'),
    );
  });

  it('refuses an answer that does not match the shared schema', async () => {
    const { fetch } = fakeFetch(200, { ...demand, months: [{ month: 'December' }] });
    await expect(createInsightsClient(fetch).getDemand({})).rejects.toBeInstanceOf(InsightsApiError);
  });
});
