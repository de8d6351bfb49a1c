import { runCli } from '../../../src/app/cli/run-cli';
import { DATABASES } from '../../support/test-databases';
import { SAMPLE_TOKEN, startTestService, type TestService } from '../../support/service-harness';
import {
  addProjectedDeal,
  buildGovernedPlaybook,
  HOUR_MS,
  moveDeal,
  publishPlaybook,
} from './support/exception-fixtures';

const DAY_MS = 24 * HOUR_MS;

describe.each(DATABASES)('exceptions in the card, the API and the CSV export (%s)', (database) => {
  let service: TestService;
  let repsDeal: string;
  let otherRepsDeal: string;
  beforeEach(async () => {
    service = await startTestService({ database });
    await publishPlaybook(service, buildGovernedPlaybook());
    const enteredAt = new Date(service.clock.now().getTime() - 3 * DAY_MS);
    repsDeal = await addProjectedDeal(service, { stageId: 'qualifiedtobuy', enteredAt });
    otherRepsDeal = await addProjectedDeal(service, {
      stageId: 'qualifiedtobuy',
      enteredAt,
      properties: { hubspot_owner_id: service.sample.owners.secondRep.ownerId },
    });
    // Three moves, an hour apart: the rep's deal leaves qualification, then the presentation; the
    // other rep's deal leaves qualification in between.
    await moveDeal(service, repsDeal, 'presentationscheduled', later(HOUR_MS));
    await moveDeal(service, otherRepsDeal, 'presentationscheduled', later(2 * HOUR_MS));
    await moveDeal(service, repsDeal, 'decisionmakerboughtin', later(3 * HOUR_MS));
  });
  afterEach(async () => {
    await service.stop();
  });

  function later(ms: number) {
    return new Date(service.clock.now().getTime() + ms);
  }
  const list = (query: string, userId = service.sample.owners.manager.userId) =>
    service.cardRequest('GET', `/api/v1/exceptions${query}`, { userId });

  it("the card's guidance lists the deal's exceptions, newest first", async () => {
    const answer = await service.cardRequest('GET', `/api/v1/deals/${repsDeal}/guidance`);

    expect(answer.status).toBe(200);
    expect(answer.body.exceptions.map((exception: any) => [exception.fromStage, exception.mode])).toEqual([
      ['presentationscheduled', 'approve'],
      ['qualifiedtobuy', 'justify'],
    ]);
  });

  it('a manager lists every exception, newest first, a page at a time', async () => {
    const first = await list('?limit=2');
    const second = await list(`?limit=2&cursor=${first.body.nextCursor}`);

    expect(first.status).toBe(200);
    expect(
      [...first.body.items, ...second.body.items].map((item: any) => [item.dealId, item.fromStage]),
    ).toEqual([
      [repsDeal, 'presentationscheduled'],
      [otherRepsDeal, 'qualifiedtobuy'],
      [repsDeal, 'qualifiedtobuy'],
    ]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('filters by owner, status and time', async () => {
    const byOwner = await list(`?ownerId=${service.sample.owners.secondRep.ownerId}`);
    const since = await list(`?since=${encodeURIComponent(later(2 * HOUR_MS).toISOString())}`);
    const settled = await list('?status=approved');

    expect(byOwner.body.items.map((item: any) => item.dealId)).toEqual([otherRepsDeal]);
    expect(since.body.items.map((item: any) => item.fromStage)).toEqual([
      'presentationscheduled',
      'qualifiedtobuy',
    ]);
    expect(settled.body.items).toEqual([]);
  });

  it("a rep sees the exceptions of the deals they own, and may not ask for another owner's", async () => {
    const rep = service.sample.owners.rep;

    const own = await list('', rep.userId);
    const others = await list(`?ownerId=${service.sample.owners.secondRep.ownerId}`, rep.userId);

    expect(own.body.items.map((item: any) => item.dealId)).toEqual([repsDeal, repsDeal]);
    expect(others.status).toBe(403);
    expect(others.body.error.code).toBe('FORBIDDEN');
  });

  it('a bad filter answers 400 naming it', async () => {
    const badStatus = await list('?status=closed');
    const badCursor = await list('?cursor=nonsense');

    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toContain('status');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toContain('cursor');
  });

  it('npx sop-guide exceptions exports them as CSV', async () => {
    const out: string[] = [];
    const io = {
      out: (text: string) => out.push(text),
      err: (text: string) => out.push(`ERR ${text}`),
      env: {
        DATABASE_URL: service.databaseUrl,
        HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
        HUBSPOT_API_BASE_URL: service.hubspot.url,
      },
    };

    expect(await runCli(['exceptions', '--status', 'open'], io)).toBe(0);

    const [header, ...rows] = out;
    expect(header).toBe(
      'id,deal_id,owner_id,from_stage,to_stage,moved_at,moved_by_source,moved_by_user_id,step_id,mode,status,open_items,justification,decision,playbook_version',
    );
    expect(rows.map((row) => row.split(',').slice(1, 5))).toEqual([
      [repsDeal, service.sample.owners.rep.ownerId, 'presentationscheduled', 'decisionmakerboughtin'],
      [otherRepsDeal, service.sample.owners.secondRep.ownerId, 'qualifiedtobuy', 'presentationscheduled'],
      [repsDeal, service.sample.owners.rep.ownerId, 'qualifiedtobuy', 'presentationscheduled'],
    ]);
    expect(rows[2]).toContain(',justify,open,Hold a discovery call; Amount is set,,,2');
  });
});
