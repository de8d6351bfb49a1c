// HubSpot's entry point for the app's settings page: it only wires HubSpot's runtime into the page.
import { hubspot } from '@hubspot/ui-extensions';
import { createPlaybookClient } from './src/playbook-client';
import { PlaybookSettings } from './src/playbook-settings';

const client = createPlaybookClient(hubspot.fetch);

hubspot.extend<'settings'>(() => <PlaybookSettings client={client} />);
