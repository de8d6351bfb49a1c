import { DATABASES } from '../../support/test-databases';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  addSkippedQualificationMove,
  buildGovernedPlaybook,
  publishPlaybook,
} from './support/exception-fixtures';

const NOTE_CREATE_PATH = '/crm/v3/objects/notes';

describe.each(DATABASES)("exceptions on the deal's HubSpot timeline (%s)", (database) => {
  let service: TestService;
  let dealId: string;
  let movedAt: Date;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    ({ dealId, movedAt } = await addSkippedQualificationMove(service));
  });
  afterEach(async () => {
    await service.stop();
  });

  const notesOfDeal = () =>
    [...service.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.notes.values()].filter((note) =>
      service.hubspot.state
        .associatedIds(SAMPLE_PORTAL_ID, 'notes', note.id, 'deals')
        .some((association) => association.toId === dealId),
    );
  const runDue = () => service.running.services.exceptionResponses.runDue(service.clock.now());

  it('each exception becomes one note on the deal, dated at the move, however often the job runs', async () => {
    await runDue();
    await runDue();

    const notes = notesOfDeal();
    expect(notes).toHaveLength(1);
    expect(notes[0]?.properties.hs_timestamp).toBe(movedAt.toISOString());
    expect(notes[0]?.properties.hs_note_body).toContain('SOP exception');
    expect(notes[0]?.properties.hs_note_body).toContain('Hold a discovery call');
  });

  it('a note whose answer was lost is found by its marker, never written twice', async () => {
    service.hubspot.inject({ method: 'POST', path: NOTE_CREATE_PATH, status: 500, afterResponse: true });
    expect((await runDue()).failed).toBe(1);

    const next = await runDue();

    expect(next).toMatchObject({ notes: 1, failed: 0 });
    expect(notesOfDeal()).toHaveLength(1);
  });
});
