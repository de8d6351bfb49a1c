import { Alert, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { DealSopCard } from './deal-sop-card';
import { FakeBackendClient, answer } from './testing/fake-backend-client';
import { buildException, buildGuidance } from './testing/guidance.builder';

async function renderLoadedCard(client: FakeBackendClient) {
  const renderer = createRenderer('crm.record.sidebar');
  renderer.render(
    <DealSopCard
      dealId="123"
      client={client}
      onCrmPropertiesUpdate={renderer.mocks.actions.onCrmPropertiesUpdate}
      now={() => new Date('2026-12-01T12:00:00.000Z')}
    />,
  );
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull());
  return renderer;
}

describe('exception banner in the deal card', () => {
  it('shows an open exception with the items that were open when the deal moved on', async () => {
    const client = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ exceptions: [buildException()] })),
    );

    const { findByTestId } = await renderLoadedCard(client);

    const banner = findByTestId(Alert, 'exception-banner');
    expect(banner.props.title).toBe('Moved on from qualifiedtobuy with the SOP unmet');
    expect(banner.findAll(Text).map((line) => line.text)).toEqual([
      'Moved to presentationscheduled on 2026-11-30 with 2 items open:',
      'Hold a discovery call',
      'Amount is set (Amount is empty)',
    ]);
  });

  it('shows nothing for exceptions already settled, or for a server that sends none', async () => {
    const settled = new FakeBackendClient().answerGuidance(
      answer(buildGuidance({ exceptions: [buildException({ status: 'approved' })] })),
    );
    const older = new FakeBackendClient().answerGuidance(answer(buildGuidance()));

    expect((await renderLoadedCard(settled)).maybeFindByTestId(Alert, 'exception-banner')).toBeNull();
    expect((await renderLoadedCard(older)).maybeFindByTestId(Alert, 'exception-banner')).toBeNull();
  });
});
