import type { ActionState, DealSnapshot } from '../../src/domain/deal.types';
import type {
  CheckRule,
  Playbook,
  PlaybookAction,
  PlaybookCheck,
  PlaybookStep,
} from '../../src/domain/playbook.schema';
import type { BusinessCalendar } from '../../src/domain/business-days.util';
import type { PipelineStageOrder, RecordedStageMove } from '../../src/domain';

/** A fixed "now" for tests that do not care about the day: Wednesday 2026-11-25, 15:00 UTC. */
export const A_WEDNESDAY_AFTERNOON = new Date('2026-11-25T15:00:00.000Z');

export function buildDeal(overrides: Partial<DealSnapshot> = {}): DealSnapshot {
  return {
    portalId: 62515,
    dealId: '123',
    pipelineId: 'default',
    stageId: 'qualifiedtobuy',
    stageEnteredAt: new Date('2026-11-20T10:00:00.000Z'),
    ownerId: '501',
    properties: {},
    associations: {},
    lastActivityAt: null,
    nextActivityAt: null,
    ...overrides,
  };
}

export function buildAction(overrides: Partial<PlaybookAction> = {}): PlaybookAction {
  return { id: 'discovery-call', title: 'Hold a discovery call', required: true, ...overrides };
}

export function buildCheck(rule: CheckRule, overrides: Partial<PlaybookCheck> = {}): PlaybookCheck {
  return { id: 'a-check', title: 'A check', rule, ...overrides };
}

export function buildStep(overrides: Partial<PlaybookStep> = {}): PlaybookStep {
  return {
    id: 'qualification',
    title: 'Qualification and needs assessment',
    guidance: 'Confirm budget, authority, need and timeline before any demo.',
    actions: [],
    checks: [],
    ...overrides,
  };
}

export function buildPlaybook(overrides: Partial<Playbook> = {}): Playbook {
  return {
    name: 'Test SOP',
    pipelines: { default: { stages: { qualifiedtobuy: 'qualification', closedlost: null } } },
    steps: [buildStep()],
    ...overrides,
  };
}

export function buildActionState(overrides: Partial<ActionState> = {}): ActionState {
  return {
    actionId: 'discovery-call',
    done: true,
    by: { userId: '101', email: 'rep@example.com' },
    at: new Date('2026-11-21T09:30:00.000Z'),
    note: null,
    ...overrides,
  };
}

export function buildCalendar(overrides: Partial<BusinessCalendar> = {}): BusinessCalendar {
  return { timeZone: 'UTC', holidays: [], ...overrides };
}

/** A playbook document as a manager would write it (plain data, defaults left out). */
export function buildPlaybookDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Default sales SOP',
    pipelines: {
      default: { stages: { appointmentscheduled: 'prospecting', qualifiedtobuy: 'qualification' } },
    },
    steps: [
      { id: 'prospecting', title: 'Prospecting', guidance: 'Find the right people.' },
      {
        id: 'qualification',
        title: 'Qualification and needs assessment',
        guidance: 'Confirm budget, authority, need and timeline before any demo.',
        stallAfterBusinessDays: 10,
        actions: [{ id: 'discovery-call', title: 'Hold a discovery call', required: true }],
        checks: [
          { id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', present: true } },
          {
            id: 'contact-associated',
            title: 'A contact is associated',
            rule: { associated: 'contacts', min: 1 },
          },
        ],
      },
    ],
    ...overrides,
  };
}

/** A rep's move from qualification to the presentation at A_WEDNESDAY_AFTERNOON, on the given stages. */
export function buildRecordedMove(
  stages: PipelineStageOrder[],
  overrides: Partial<RecordedStageMove> = {},
): RecordedStageMove {
  return {
    deal: buildDeal(),
    fromStage: 'qualifiedtobuy',
    toStage: 'presentationscheduled',
    stages,
    actionStates: [],
    movedAt: A_WEDNESDAY_AFTERNOON,
    movedBy: { source: 'CRM', userId: '101' },
    ...overrides,
  };
}
