/**
 * Builders for guidance responses as the server sends them (DESIGN.md §3), so that each test states
 * only what it is about.
 */
import type {
  DealExceptionView,
  GuidanceAction,
  GuidanceCheck,
  GuidanceResponse,
  StallStatus,
} from '../guidance-response.schema';

export function buildAction(overrides: Partial<GuidanceAction> = {}): GuidanceAction {
  return {
    id: 'discovery-call',
    title: 'Hold a discovery call',
    required: true,
    done: false,
    doneBy: null,
    doneAt: null,
    ...overrides,
  };
}

export function buildCheck(overrides: Partial<GuidanceCheck> = {}): GuidanceCheck {
  return { id: 'amount-set', title: 'Amount is set', passed: true, detail: null, ...overrides };
}

export function buildStall(overrides: Partial<StallStatus> = {}): StallStatus {
  return { stalled: false, daysInStage: 2, thresholdDays: 10, ...overrides };
}

export function buildGuidance(overrides: Partial<GuidanceResponse> = {}): GuidanceResponse {
  return {
    dealId: '123',
    portalId: 62515,
    pipelineId: 'default',
    stage: { id: 'qualifiedtobuy', label: 'Qualified To Buy', enteredAt: '2026-11-20T10:00:00.000Z' },
    step: {
      id: 'qualification',
      title: 'Qualification and needs assessment',
      guidance: 'Confirm budget, authority, need and timeline before any demo.',
      playbookVersion: 3,
      sopUrl: null,
    },
    actions: [buildAction()],
    checks: [buildCheck({ passed: false, detail: 'Amount is empty' })],
    progress: { done: 0, total: 2 },
    readyToAdvance: false,
    blockers: ['Hold a discovery call', 'Amount is empty'],
    stall: buildStall(),
    ...overrides,
  };
}

/** The same deal after the server recorded `actionId` as done by the rep. */
export function withActionDone(guidance: GuidanceResponse, actionId: string): GuidanceResponse {
  const actions = guidance.actions.map((action) =>
    action.id === actionId
      ? {
          ...action,
          done: true,
          doneBy: { userId: '101', email: 'rep@example.com' },
          doneAt: '2026-11-21T09:30:00.000Z',
        }
      : action,
  );
  const title = guidance.actions.find((action) => action.id === actionId)?.title;
  return {
    ...guidance,
    actions,
    progress: { ...guidance.progress, done: guidance.progress.done + 1 },
    blockers: guidance.blockers.filter((blocker) => blocker !== title),
  };
}

export function buildException(overrides: Partial<DealExceptionView> = {}): DealExceptionView {
  return {
    id: 'ex-1',
    dealId: '123',
    fromStage: 'qualifiedtobuy',
    toStage: 'presentationscheduled',
    movedAt: '2026-11-30T10:00:00.000Z',
    movedBy: { source: 'CRM', userId: '101' },
    openItems: [
      { kind: 'action', id: 'discovery-call', title: 'Hold a discovery call', stepId: 'qualification' },
      {
        kind: 'check',
        id: 'amount-set',
        title: 'Amount is set',
        stepId: 'qualification',
        detail: 'Amount is empty',
      },
    ],
    mode: 'advisory',
    status: 'open',
    playbookVersion: 1,
    ...overrides,
  };
}
