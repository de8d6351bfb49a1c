import { DATABASES } from '../../support/test-databases';
import { SAMPLE_PORTAL_ID, startTestService, type TestService } from '../../support/service-harness';
import {
  addSkippedQualificationMove,
  buildGovernedPlaybook,
  publishPlaybook,
} from './support/exception-fixtures';

const NOTE_CREATE_PATH = '/crm/v3/objects/notes/batch/create';

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

  const notesOfDeal = (ofDeal = dealId) =>
    [...service.hubspot.state.portal(SAMPLE_PORTAL_ID).objects.notes.values()].filter((note) =>
      service.hubspot.state
        .associatedIds(SAMPLE_PORTAL_ID, 'notes', note.id, 'deals')
        .some((association) => association.toId === ofDeal),
    );
  const noteCreateCalls = () =>
    service.hubspot.requests.filter((request) => request.path === NOTE_CREATE_PATH);
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

  it("a portal's notes go to HubSpot together: one call for several exceptions", async () => {
    const others = [await addSkippedQualificationMove(service), await addSkippedQualificationMove(service)];
    service.hubspot.requests.length = 0;

    expect(await runDue()).toMatchObject({ notes: 3, failed: 0 });

    expect(noteCreateCalls()).toHaveLength(1);
    for (const each of [dealId, ...others.map((other) => other.dealId)]) {
      expect(notesOfDeal(each)).toHaveLength(1);
    }
  });

  it('notes whose answer was lost are found by their markers, never written twice', async () => {
    const other = await addSkippedQualificationMove(service);
    service.hubspot.inject({ method: 'POST', path: NOTE_CREATE_PATH, status: 500, afterResponse: true });
    expect((await runDue()).failed).toBe(2);

    const next = await runDue();

    expect(next).toMatchObject({ notes: 2, failed: 0 });
    expect(notesOfDeal()).toHaveLength(1);
    expect(notesOfDeal(other.dealId)).toHaveLength(1);
  });

  it('notes HubSpot failed to create are sent again on the next run, and only they', async () => {
    const other = await addSkippedQualificationMove(service);
    service.hubspot.inject({ method: 'POST', path: NOTE_CREATE_PATH, status: 503 });
    expect(await runDue()).toMatchObject({ notes: 0, failed: 2 });
    expect(notesOfDeal()).toHaveLength(0);

    expect(await runDue()).toMatchObject({ notes: 2, failed: 0 });
    expect(await runDue()).toMatchObject({ notes: 0, failed: 0 });
    expect(notesOfDeal()).toHaveLength(1);
    expect(notesOfDeal(other.dealId)).toHaveLength(1);
  });
});
