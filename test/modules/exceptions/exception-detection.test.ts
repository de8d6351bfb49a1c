import { DATABASES } from '../../support/test-databases';
import { startTestService, type TestService } from '../../support/service-harness';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  deliver,
  exceptionsOf,
  HOUR_MS,
  moveDeal,
  moveEvent,
  OPS_USER_ID,
  publishPlaybook,
} from './support/exception-fixtures';

const DAY_MS = 24 * HOUR_MS;

describe.each(DATABASES)('exception detection (%s)', (database) => {
  let service: TestService;
  let enteredAt: Date;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    enteredAt = new Date(service.clock.now().getTime() - 3 * DAY_MS);
  });
  afterEach(async () => {
    await service.stop();
  });

  const later = (ms: number) => new Date(service.clock.now().getTime() + ms);

  it('a rep who moves a deal on with the SOP unmet leaves one exception, with what was open', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    const movedAt = later(HOUR_MS);

    await moveDeal(service, dealId, 'presentationscheduled', movedAt);

    const [exception, ...others] = await exceptionsOf(service, dealId);
    expect(others).toEqual([]);
    expect(exception).toMatchObject({
      fromStage: 'qualifiedtobuy',
      toStage: 'presentationscheduled',
      movedAt,
      movedBy: { source: 'CRM', userId: service.sample.owners.rep.userId },
      ownerId: service.sample.owners.rep.ownerId,
      stepId: 'qualify',
      mode: 'justify',
      status: 'open',
      playbookVersion: 2,
    });
    expect(exception?.openItems.map((item) => [item.kind, item.id])).toEqual([
      ['action', 'discovery-call'],
      ['check', 'amount-set'],
    ]);
  });

  it('a move whose SOP was met, ticked before the move, creates nothing', async () => {
    const dealId = await addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt,
      properties: { amount: '5000' },
    });
    const ticked = await service.cardRequest('POST', `/api/v1/deals/${dealId}/actions/discovery-call`, {
      body: { done: true },
    });
    expect(ticked.status).toBe(200);

    await moveDeal(service, dealId, 'presentationscheduled', later(HOUR_MS));

    expect(await exceptionsOf(service, dealId)).toEqual([]);
  });

  it('a skip judges every skipped step, and the strictest mode applies', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });

    await moveDeal(service, dealId, 'contractsent', later(HOUR_MS));

    const [exception] = await exceptionsOf(service, dealId);
    expect(exception?.mode).toBe('approve');
    // decisionmakerboughtin maps to the destination's own step: not a skipped step.
    expect(exception?.openItems.map((item) => `${item.stepId}/${item.id}`)).toEqual([
      'qualify/discovery-call',
      'qualify/amount-set',
      'present/run-demo',
    ]);
  });

  it('a redelivered event, and a second event about the same move, create no second exception', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    const movedAt = later(HOUR_MS);
    const event = await moveDeal(service, dealId, 'presentationscheduled', movedAt);

    await deliver(service, [event]);
    await deliver(service, [{ ...event, eventId: Number(event.eventId) + 500_000 }]);

    expect(await exceptionsOf(service, dealId)).toHaveLength(1);
  });

  it("events out of order: the later move first is judged as the move it was, from HubSpot's history", async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    const firstMove = later(HOUR_MS);
    const secondMove = later(2 * HOUR_MS);
    service.hubspot.state.moveDealToStage(
      service.sample.portalId,
      dealId,
      'presentationscheduled',
      firstMove,
    );
    service.hubspot.state.moveDealToStage(
      service.sample.portalId,
      dealId,
      'decisionmakerboughtin',
      secondMove,
    );

    await deliver(service, [moveEvent(service, dealId, 'decisionmakerboughtin', secondMove)]);
    await deliver(service, [moveEvent(service, dealId, 'presentationscheduled', firstMove)]);

    // The later move left the presentation (HubSpot's history shows the move into it, whose webhook had
    // not arrived): not a skip of it. The earlier move, delivered last, left an entry the service knew
    // only from the projection it has since replaced, so it is not judged: nothing tells it the stage.
    const exceptions = await exceptionsOf(service, dealId);
    expect(exceptions.map((exception) => [exception.fromStage, exception.toStage])).toEqual([
      ['presentationscheduled', 'decisionmakerboughtin'],
    ]);
    expect(exceptions[0]?.openItems.map((item) => `${item.stepId}/${item.id}`)).toEqual(['present/run-demo']);
  });

  it("a move whose webhook arrives after a later one's: each stage entry left is judged once, as it was", async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    // Presented, moved back to qualification, presented again.
    const moves = [
      { stageId: 'presentationscheduled', at: later(HOUR_MS) },
      { stageId: 'qualifiedtobuy', at: later(2 * HOUR_MS) },
      { stageId: 'presentationscheduled', at: later(3 * HOUR_MS) },
    ];
    for (const move of moves) {
      service.hubspot.state.moveDealToStage(service.sample.portalId, dealId, move.stageId, move.at);
    }
    const events = moves.map((move) => moveEvent(service, dealId, move.stageId, move.at));

    await deliver(service, [events[0]!]);
    await deliver(service, [events[2]!]);
    await deliver(service, [events[1]!]);
    await deliver(service, [events[2]!]);

    const exceptions = await exceptionsOf(service, dealId);
    expect(
      exceptions
        .map((exception) => `${exception.fromStage}>${exception.toStage}@${exception.movedAt.toISOString()}`)
        .sort(),
    ).toEqual(
      [
        `qualifiedtobuy>presentationscheduled@${moves[0]!.at.toISOString()}`,
        `presentationscheduled>qualifiedtobuy@${moves[1]!.at.toISOString()}`,
        // Judged before the move back was known: from the recorded changes alone it read as a move from
        // the presentation to itself, and the second qualification was never judged.
        `qualifiedtobuy>presentationscheduled@${moves[2]!.at.toISOString()}`,
      ].sort(),
    );
  });

  it('a late, older event creates none for a move that did not happen', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'presentationscheduled', enteredAt });

    // The deal's entry into qualification, weeks old, delivered now: judged against today's stage it
    // would read as "left the presentation for qualification", which never happened.
    await deliver(service, [
      moveEvent(service, dealId, 'qualifiedtobuy', new Date(enteredAt.getTime() - 7 * DAY_MS)),
    ]);

    expect(await exceptionsOf(service, dealId)).toEqual([]);
    expect(
      (await service.running.services.store.deals.getDeal(service.sample.portalId, dealId))?.stageId,
    ).toBe('presentationscheduled');
  });

  it("the app's own moves, told by the webhook's source, create none", async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });

    await moveDeal(service, dealId, 'presentationscheduled', later(HOUR_MS), {
      changeSource: 'INTEGRATION',
      sourceId: '54321',
    });

    expect(await exceptionsOf(service, dealId)).toEqual([]);
  });

  it("another app's moves (an integration, not us) are judged like anyone's", async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });

    await moveDeal(service, dealId, 'presentationscheduled', later(HOUR_MS), {
      changeSource: 'INTEGRATION',
      sourceId: '99999',
    });

    expect((await exceptionsOf(service, dealId)).map((exception) => exception.movedBy)).toEqual([
      { source: 'INTEGRATION', userId: null },
    ]);
  });

  it('a move by a user the step exempts creates none', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });

    await moveDeal(service, dealId, 'presentationscheduled', later(HOUR_MS), {
      sourceId: `userId:${OPS_USER_ID}`,
    });

    expect(await exceptionsOf(service, dealId)).toEqual([]);
  });

  it('a backfill (HubSpot read into the projection) records none, even for a move it finds', async () => {
    const dealId = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    service.hubspot.state.moveDealToStage(service.sample.portalId, dealId, 'contractsent', later(HOUR_MS));
    service.clock.set(later(2 * HOUR_MS));

    await service.running.services.dealSync.syncDeals(service.sample.portalId, [dealId], service.clock.now());

    expect(await exceptionsOf(service, dealId)).toEqual([]);
  });
});
