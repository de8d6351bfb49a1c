// HubSpot's entry point for the deal sidebar card: it only wires HubSpot's runtime into the card.
import { hubspot } from '@hubspot/ui-extensions';
import { createBackendClient } from './src/backend-client';
import { DealSopCard } from './src/deal-sop-card';

const client = createBackendClient(hubspot.fetch);

hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => (
  <DealSopCard
    dealId={String(context.crm.objectId)}
    client={client}
    onCrmPropertiesUpdate={actions.onCrmPropertiesUpdate}
  />
));
