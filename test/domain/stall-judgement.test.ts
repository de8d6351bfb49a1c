import type { RecordedReminder } from '../../src/domain/reminder.util';
import { judgeStalls, planReminderActions, type SweepCandidate } from '../../src/domain/stall-judgement.util';
import type { SnoozeWindow } from '../../src/domain/snooze.util';
import { buildCalendar, buildDeal, buildPlaybook, buildStep } from './builders';

const enteredFriday = new Date('2026-11-20T10:00:00Z');
/** Ten business days after the entry: a deal with stallAfterBusinessDays 10 is stalled. */
const stalledNow = new Date('2026-12-04T12:00:00Z');
/** Two more business days of stall: an escalation after 2 business days is due. */
const escalationNow = new Date('2026-12-08T12:00:00Z');
const withinThresholdNow = new Date('2026-11-25T15:00:00Z');

const playbook = buildPlaybook({ steps: [buildStep({ stallAfterBusinessDays: 10 })] });
const escalatingPlaybook = buildPlaybook({
  steps: [buildStep({ stallAfterBusinessDays: 10, escalateAfterBusinessDays: 2 })],
  reminders: { teamManagers: { sales: '900' }, managerOwnerId: '800' },
});

function buildCandidate(overrides: Partial<SweepCandidate> = {}): SweepCandidate {
  return {
    deal: buildDeal({ stageEnteredAt: enteredFriday, ownerId: '501' }),
    playbook,
    calendar: buildCalendar(),
    snoozes: [],
    writtenStalled: null,
    ...overrides,
  };
}

function buildRecorded(overrides: Partial<RecordedReminder> = {}): RecordedReminder {
  return {
    status: 'sent',
    hubspotTaskId: '7001',
    attempts: 1,
    lastError: null,
    updatedAt: stalledNow,
    ...overrides,
  };
}

/** Both steps, as the sweep runs them, with what the sweep would have read in between. */
function judge(
  candidates: SweepCandidate[],
  now: Date,
  read: {
    recorded?: Record<string, RecordedReminder>;
    teamIds?: string[];
    managerOwnerId?: string | null;
  } = {},
) {
  const managerOwnerId = read.managerOwnerId ?? null;
  const verdicts = judgeStalls({ candidates, now, managerOwnerId });
  const dealOwners = new Map(
    verdicts.stalled.map(({ deal }) => [deal.dealId, { teamIds: read.teamIds ?? [], name: 'Rita Rep' }]),
  );
  const plan = planReminderActions({
    stalled: verdicts.stalled,
    dealOwners,
    recorded: new Map(Object.entries(read.recorded ?? {})),
    managerOwnerId,
    now,
  });
  const actions = plan.actions.map((action) => ({
    takes: action.takes,
    kind: action.kind,
    key: action.key,
    assigneeOwnerId: action.assigneeOwnerId,
    dealOwnerName: action.dealOwnerName,
  }));
  return { verdicts, plan, actions };
}

describe('judging the stalled-deal sweep', () => {
  it('a deal past its stall threshold gets one owner reminder to create, keyed by its stage entry', () => {
    const { verdicts, actions } = judge([buildCandidate()], stalledNow);

    expect(verdicts.stalled).toHaveLength(1);
    expect(actions).toEqual([
      {
        takes: 'create',
        kind: 'owner',
        key: `62515/123/${enteredFriday.getTime()}/owner/1`,
        assigneeOwnerId: '501',
        dealOwnerName: null,
      },
    ]);
  });

  it('a deal inside its threshold is neither stalled nor reminded', () => {
    const { verdicts, actions } = judge([buildCandidate()], withinThresholdNow);

    expect(verdicts).toEqual({ stalled: [], snoozed: 0, stallChanged: [], failures: [] });
    expect(actions).toEqual([]);
  });

  it('a deal in a stage no step covers is neither stalled nor reminded', () => {
    const deal = buildDeal({ stageEnteredAt: enteredFriday, stageId: 'unmapped' });
    const { verdicts, actions } = judge([buildCandidate({ deal })], stalledNow);

    expect(verdicts.stalled).toEqual([]);
    expect(actions).toEqual([]);
  });

  it('lists for write-back the deals whose verdict differs from the sop_guide_stalled last written', () => {
    const stalled = buildCandidate({ writtenStalled: 'false' });
    const alreadyWritten = buildCandidate({
      deal: buildDeal({ dealId: '124', stageEnteredAt: enteredFriday }),
      writtenStalled: 'true',
    });
    const recovered = buildCandidate({
      deal: buildDeal({ dealId: '125', stageEnteredAt: stalledNow }),
      writtenStalled: 'true',
    });

    expect(
      judgeStalls({ candidates: [stalled, alreadyWritten, recovered], now: stalledNow, managerOwnerId: null })
        .stallChanged,
    ).toEqual(['123', '125']);
  });

  it('a running snooze of this stage entry silences the deal and counts it as snoozed', () => {
    const snoozes: SnoozeWindow[] = [
      { stageEnteredAt: enteredFriday, until: new Date('2026-12-10T00:00:00Z') },
    ];
    const { verdicts, actions } = judge([buildCandidate({ snoozes })], stalledNow);

    expect(verdicts.snoozed).toBe(1);
    expect(actions).toEqual([]);
  });

  it('a snooze given for an earlier stage entry does not silence the deal', () => {
    const snoozes: SnoozeWindow[] = [
      { stageEnteredAt: new Date('2026-10-01T10:00:00Z'), until: new Date('2026-12-10T00:00:00Z') },
    ];
    const { verdicts, actions } = judge([buildCandidate({ snoozes })], stalledNow);

    expect(verdicts.snoozed).toBe(0);
    expect(actions.map((action) => action.takes)).toEqual(['create']);
  });

  it('a snooze that ran out opens a new round: the reminder gets a fresh key', () => {
    const snoozes: SnoozeWindow[] = [
      { stageEnteredAt: enteredFriday, until: new Date('2026-12-03T00:00:00Z') },
    ];
    const { actions } = judge([buildCandidate({ snoozes })], stalledNow);

    expect(actions.map((action) => action.key)).toEqual([`62515/123/${enteredFriday.getTime()}/owner/2`]);
  });

  it('a stall that lasts escalates to the manager of the owner’s team, naming the owner', () => {
    const { actions } = judge([buildCandidate({ playbook: escalatingPlaybook })], escalationNow, {
      teamIds: ['sales'],
    });

    expect(
      actions.map(({ kind, assigneeOwnerId, dealOwnerName }) => ({ kind, assigneeOwnerId, dealOwnerName })),
    ).toEqual([
      { kind: 'owner', assigneeOwnerId: '501', dealOwnerName: null },
      { kind: 'escalation', assigneeOwnerId: '900', dealOwnerName: 'Rita Rep' },
    ]);
  });

  it('an owner outside any named team escalates to the playbook’s manager', () => {
    const { actions } = judge([buildCandidate({ playbook: escalatingPlaybook })], escalationNow);

    expect(actions.find((action) => action.kind === 'escalation')?.assigneeOwnerId).toBe('800');
  });

  it('an owner who is their own manager gets no escalation: their reminder is the whole story', () => {
    const deal = buildDeal({ stageEnteredAt: enteredFriday, ownerId: '900' });
    const { actions } = judge([buildCandidate({ deal, playbook: escalatingPlaybook })], escalationNow, {
      teamIds: ['sales'],
    });

    expect(actions.map((action) => action.kind)).toEqual(['owner']);
  });

  it('with nobody named to escalate to, no owner needs reading, and MANAGER_OWNER_ID fills in when set', () => {
    const unnamed = buildPlaybook({
      steps: [buildStep({ stallAfterBusinessDays: 10, escalateAfterBusinessDays: 2 })],
    });

    expect(
      judgeStalls({
        candidates: [buildCandidate({ playbook: unnamed })],
        now: escalationNow,
        managerOwnerId: null,
      }).stalled[0]!.escalate,
    ).toBe(false);
    const { actions } = judge([buildCandidate({ playbook: unnamed })], escalationNow, {
      managerOwnerId: '700',
    });
    expect(actions.find((action) => action.kind === 'escalation')?.assigneeOwnerId).toBe('700');
  });

  it('what earlier sweeps recorded decides each reminder: sent ones cost nothing, the rest say what they take', () => {
    const key = (dealId: string) => `62515/${dealId}/${enteredFriday.getTime()}/owner/1`;
    const candidates = ['201', '202', '203', '204', '205'].map((dealId) =>
      buildCandidate({ deal: buildDeal({ dealId, stageEnteredAt: enteredFriday }) }),
    );
    const { plan, actions } = judge(candidates, stalledNow, {
      recorded: {
        [key('201')]: buildRecorded({ status: 'sent' }),
        [key('202')]: buildRecorded({ status: 'failed', hubspotTaskId: null }),
        [key('203')]: buildRecorded({ status: 'intent', updatedAt: new Date('2026-12-04T11:00:00Z') }),
        [key('204')]: buildRecorded({ status: 'intent', updatedAt: new Date('2026-12-04T11:58:00Z') }),
        [key('205')]: buildRecorded({ status: 'failed', attempts: 8, lastError: 'owner left' }),
      },
    });

    expect(plan.alreadySent).toBe(1);
    expect(actions.map((action) => action.takes)).toEqual(['retry', 'reconcile', 'in-flight', 'give-up']);
  });

  it('a deal that cannot be judged is listed as failed, and the others are still judged', () => {
    const broken = buildCandidate({
      deal: buildDeal({ dealId: '124', stageEnteredAt: enteredFriday }),
      calendar: buildCalendar({ timeZone: 'Not/AZone' }),
    });
    const verdicts = judgeStalls({
      candidates: [broken, buildCandidate()],
      now: stalledNow,
      managerOwnerId: null,
    });

    expect(verdicts.failures.map(({ deal }) => deal.dealId)).toEqual(['124']);
    expect(verdicts.stalled.map(({ deal }) => deal.dealId)).toEqual(['123']);
  });
});
