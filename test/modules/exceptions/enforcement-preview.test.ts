import { DATABASES } from '../../support/test-databases';
import { startTestService, type TestService } from '../../support/service-harness';
import { actionPath } from '../../support/deal-card-api.helpers';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  HOUR_MS,
  moveDeal,
  OPS_USER_ID,
  publishPlaybook,
} from './support/exception-fixtures';

const DAY_MS = 24 * HOUR_MS;
const PREVIEW_PATH = '/api/v1/playbook/enforcement-preview';

/**
 * The settings page's enforcement preview: the moves exception detection judged lately, judged again
 * against a candidate playbook, per step and per mode. Every figure below is counted by hand from the
 * seven moves each test plays (see `playRecentMoves`).
 */
describe.each(DATABASES)('enforcement preview (%s)', (database) => {
  let service: TestService;
  let now: Date;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    now = service.clock.now();
  });
  afterEach(async () => {
    await service.stop();
  });

  const at = (ms: number) => new Date(now.getTime() + ms);
  const manager = () => service.sample.owners.manager.userId;
  const preview = (body: unknown, query = '', userId = manager()) =>
    service.cardRequest('POST', `${PREVIEW_PATH}${query}`, { userId, body });

  /**
   * Seven moves: from qualification, A (nothing done, by the rep), B (all done), C (nothing done, by an
   * exempt ops user), F (nothing done, 40 days ago) and G (the app's own move, never judged); from the
   * presentation, D (demo not run, into closed won) and E (demo not run, to negotiation).
   */
  async function playRecentMoves() {
    const qualified = (enteredAt: Date, properties: Record<string, string> = {}) =>
      addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt, properties });
    const presented = () =>
      addProjectedDeal(service, { stageId: 'presentationscheduled', enteredAt: at(-3 * DAY_MS) });

    const a = await qualified(at(-3 * DAY_MS));
    await moveDeal(service, a, 'presentationscheduled', at(-2 * DAY_MS));

    const b = await qualified(at(-3 * DAY_MS), { amount: '5000' });
    const ticked = await service.cardRequest('POST', actionPath(b, 'discovery-call'), {
      body: { done: true },
    });
    expect(ticked.status).toBe(200);
    await moveDeal(service, b, 'presentationscheduled', at(HOUR_MS));

    const c = await qualified(at(-3 * DAY_MS));
    await moveDeal(service, c, 'presentationscheduled', at(-DAY_MS), { sourceId: `userId:${OPS_USER_ID}` });

    const d = await presented();
    await moveDeal(service, d, 'closedwon', at(-DAY_MS));

    const e = await presented();
    await moveDeal(service, e, 'decisionmakerboughtin', at(-DAY_MS));

    const f = await qualified(at(-41 * DAY_MS));
    await moveDeal(service, f, 'presentationscheduled', at(-40 * DAY_MS));

    const g = await qualified(at(-3 * DAY_MS));
    await moveDeal(service, g, 'presentationscheduled', at(-DAY_MS), {
      changeSource: 'INTEGRATION',
      sourceId: '54321',
    });
    service.clock.set(at(2 * HOUR_MS));
  }

  const quiet = { moves: 0, unmet: 0, exempt: 0, caught: 0, intoClosed: 0 };
  const ifCaught = (caught: number, intoClosed = 0) => ({
    advisory: { recorded: caught },
    justify: { reasonsAsked: caught },
    approve: { approvalsAsked: caught },
    revert: { movedBack: caught - intoClosed, approvalsAsked: intoClosed },
  });

  it('counts, per step, the recent moves each mode would have caught and what it would have done', async () => {
    await playRecentMoves();

    const answer = await preview(buildGovernedPlaybook());

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      days: 30,
      since: new Date(service.clock.now().getTime() - 30 * DAY_MS).toISOString(),
      movesJudged: 5,
      truncated: false,
    });
    expect(answer.body.steps).toEqual([
      { stepId: 'prospect', title: 'Prospect', mode: 'revert', ...quiet, ifMode: ifCaught(0) },
      // A, B, C left qualification; A and C with its items open; C by the exempt ops user.
      {
        stepId: 'qualify',
        title: 'Qualify',
        mode: 'justify',
        moves: 3,
        unmet: 2,
        exempt: 1,
        caught: 1,
        intoClosed: 0,
        ifMode: ifCaught(1),
      },
      // D and E left the presentation with the demo not run; D into closed won, which `revert` would
      // have put to a manager rather than move back.
      {
        stepId: 'present',
        title: 'Present',
        mode: 'approve',
        moves: 2,
        unmet: 2,
        exempt: 0,
        caught: 2,
        intoClosed: 1,
        ifMode: ifCaught(2, 1),
      },
      { stepId: 'close', title: 'Close', mode: 'advisory', ...quiet, ifMode: ifCaught(0) },
    ]);
  });

  it('judges the candidate, not the live playbook: over 90 days, with the exemption removed', async () => {
    await playRecentMoves();
    const candidate = buildGovernedPlaybook();
    candidate.steps[1] = { ...candidate.steps[1]!, enforcement: { mode: 'revert' } };

    const answer = await preview(candidate, '?days=90');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ days: 90, movesJudged: 6 });
    // F (40 days ago) counts now, and C is no longer exempt.
    expect(answer.body.steps[1]).toEqual({
      stepId: 'qualify',
      title: 'Qualify',
      mode: 'revert',
      moves: 4,
      unmet: 3,
      exempt: 0,
      caught: 3,
      intoClosed: 0,
      ifMode: ifCaught(3),
    });
  });

  it('is for managers, names a bad window, and rejects a bad candidate by its field paths', async () => {
    const candidate = buildGovernedPlaybook();

    expect((await preview(candidate, '', service.sample.owners.rep.userId)).status).toBe(403);

    const badDays = await preview(candidate, '?days=45');
    expect(badDays.status).toBe(400);
    expect(badDays.body.error.message).toContain('days: expected one of 30, 90');

    candidate.steps[0] = { ...candidate.steps[0]!, enforcement: { mode: 'block' as 'revert' } };
    const badCandidate = await preview(candidate);
    expect(badCandidate.status).toBe(400);
    expect(badCandidate.body.error.details.errors).toEqual([
      {
        path: 'steps.0.enforcement.mode',
        message: expect.stringContaining('advisory, justify, approve, revert'),
      },
    ]);
  });
});
