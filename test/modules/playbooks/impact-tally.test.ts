import { evaluateDealGuidance, parsePlaybook, type Playbook } from '../../../src/domain';
import {
  classifyDealImpact,
  createImpactTally,
  IMPACT_SAMPLE_SIZE,
} from '../../../src/modules/playbooks/impact-preview.util';
import { listUnknownPipelineStages } from '../../../src/modules/playbooks/pipeline-warnings.util';
import { buildPreviewCandidate } from './playbook-builders';

const NOW = new Date('2026-11-26T15:00:00.000Z');
const CALENDAR = { timeZone: 'UTC', holidays: [] };

function candidate(): Playbook {
  const parsed = parsePlaybook(buildPreviewCandidate());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.playbook;
}

const PIPELINES = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    archived: false,
    stages: [
      { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1, isClosed: false },
      { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0, isClosed: false },
      { id: 'closedwon', label: 'Closed Won', displayOrder: 5, isClosed: true },
    ],
  },
];

function guidanceFor(stageId: string, daysInStage: number, properties: Record<string, string | null>) {
  return evaluateDealGuidance({
    deal: {
      portalId: 1,
      dealId: '1',
      pipelineId: 'default',
      stageId,
      stageEnteredAt: new Date(NOW.getTime() - daysInStage * 24 * 3600 * 1000),
      ownerId: null,
      properties,
      associations: {},
      lastActivityAt: null,
      nextActivityAt: null,
    },
    playbook: candidate(),
    playbookVersion: 0,
    stageLabel: null,
    actionStates: [],
    now: NOW,
    calendar: CALENDAR,
  });
}

describe('impact tally', () => {
  it('puts a stalled deal in the stalled bucket even when its checks pass', () => {
    expect(classifyDealImpact(guidanceFor('appointmentscheduled', 30, { amount: '10' }))).toBe('stalled');
    expect(classifyDealImpact(guidanceFor('appointmentscheduled', 1, { amount: '10' }))).toBe('compliant');
    expect(classifyDealImpact(guidanceFor('appointmentscheduled', 1, { amount: null }))).toBe('blocked');
    expect(classifyDealImpact(guidanceFor('presentationscheduled', 1, {}))).toBe('noStep');
  });

  it("lists HubSpot's open stages in pipeline order, deals or not, and leaves closed stages out", () => {
    const tally = createImpactTally(candidate(), PIPELINES);

    expect(tally.isOpen('default', 'closedwon')).toBe(false);
    expect(tally.summarize().stages.map((stage) => [stage.stageId, stage.stepId, stage.openDeals])).toEqual([
      ['appointmentscheduled', 'open', 0],
      ['qualifiedtobuy', 'qualify', 0],
    ]);
  });

  it('keeps only the first sample ids of a bucket, and adds stages HubSpot does not list after its own', () => {
    const tally = createImpactTally(candidate(), PIPELINES);
    for (let id = 1; id <= 8; id += 1) tally.add('default', 'qualifiedtobuy', String(id), 'blocked');
    tally.add('default', 'legacystage', '9', 'noStep');

    const { stages, totals } = tally.summarize();

    expect(stages[1]!.blocked).toEqual({ count: 8, sampleDealIds: ['1', '2', '3', '4', '5'] });
    expect(IMPACT_SAMPLE_SIZE).toBe(5);
    expect(stages[2]).toMatchObject({ stageId: 'legacystage', label: 'legacystage', openDeals: 1 });
    expect(totals).toEqual({ openDeals: 9, compliant: 0, blocked: 8, stalled: 0, noStep: 1 });
  });
});

describe('pipeline warnings', () => {
  it('warns of each unknown pipeline and stage, and of nothing HubSpot has', () => {
    const playbook = candidate();
    playbook.pipelines.default!.stages.legacystage = 'open';
    playbook.pipelines.renewals = { stages: { renewalopen: 'open' } };

    expect(listUnknownPipelineStages(playbook, PIPELINES)).toEqual([
      {
        path: 'pipelines.default.stages.presentationscheduled',
        message: 'HubSpot pipeline "default" has no stage "presentationscheduled"',
      },
      {
        path: 'pipelines.default.stages.decisionmakerboughtin',
        message: 'HubSpot pipeline "default" has no stage "decisionmakerboughtin"',
      },
      {
        path: 'pipelines.default.stages.contractsent',
        message: 'HubSpot pipeline "default" has no stage "contractsent"',
      },
      {
        path: 'pipelines.default.stages.closedlost',
        message: 'HubSpot pipeline "default" has no stage "closedlost"',
      },
      {
        path: 'pipelines.default.stages.legacystage',
        message: 'HubSpot pipeline "default" has no stage "legacystage"',
      },
      { path: 'pipelines.renewals', message: 'HubSpot has no deal pipeline "renewals" in this portal' },
    ]);
  });
});
