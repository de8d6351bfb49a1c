/** Answers of the playbook API as the server sends them, small enough to read in a test. */

export function buildPlaybookAnswer(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Default sales SOP',
    pipelines: { default: { stages: { qualifiedtobuy: 'qualification', closedlost: null } } },
    steps: [
      {
        id: 'qualification',
        title: 'Qualification and needs assessment',
        guidance: 'Confirm budget, authority, need and timeline before any demo.',
        stallAfterBusinessDays: 10,
        actions: [
          { id: 'discovery-call', title: 'Hold a discovery call', required: true },
          { id: 'send-recap', title: 'Send a recap email', required: false },
        ],
        checks: [{ id: 'amount-set', title: 'Amount is set', rule: { property: 'amount', gt: 0 } }],
      },
      {
        id: 'presentation',
        title: 'Presentation',
        guidance: 'Demo what they need.',
        actions: [],
        checks: [],
      },
    ],
    reminders: { escalateAfterBusinessDays: 3 },
    version: 3,
    author: { userId: '501' },
    createdAt: '2026-11-20T10:00:00.000Z',
    note: 'Tighter qualification',
    canEdit: true,
    readOnlyReason: null,
    hubspotPipelines: [
      {
        id: 'default',
        label: 'Sales Pipeline',
        stages: [
          { id: 'appointmentscheduled', label: 'Appointment Scheduled', isClosed: false },
          { id: 'qualifiedtobuy', label: 'Qualified To Buy', isClosed: false },
          { id: 'closedlost', label: 'Closed Lost', isClosed: true },
        ],
      },
    ],
    ...overrides,
  };
}

/** What a PUT or a restore answers: the saved document, its new version and the warnings. */
export function buildPublishAnswer(version: number, overrides: Record<string, unknown> = {}) {
  const {
    canEdit: _canEdit,
    readOnlyReason: _reason,
    hubspotPipelines: _pipelines,
    ...saved
  } = buildPlaybookAnswer();
  return {
    ...saved,
    version,
    createdAt: '2026-11-26T15:00:00.000Z',
    note: null,
    warnings: [],
    dealsRepinned: 0,
    ...overrides,
  };
}

export function buildVersionsAnswer(...versions: number[]) {
  return {
    versions: versions.map((version) => ({
      version,
      author: version === 1 ? null : { userId: '501' },
      createdAt: `2026-11-${String(10 + version).padStart(2, '0')}T10:00:00.000Z`,
      note: version === 1 ? 'Default sales SOP, installed with the app' : `Change ${version}`,
    })),
  };
}

const bucket = (count: number, ...sampleDealIds: string[]) => ({ count, sampleDealIds });

export function buildPreviewAnswer() {
  return {
    evaluatedAt: '2026-11-26T15:00:00.000Z',
    totals: { openDeals: 4, compliant: 1, blocked: 2, stalled: 1, noStep: 0 },
    stages: [
      {
        pipelineId: 'default',
        stageId: 'appointmentscheduled',
        label: 'Appointment Scheduled',
        stepId: null,
        openDeals: 0,
        compliant: bucket(0),
        blocked: bucket(0),
        stalled: bucket(0),
        noStep: bucket(0),
      },
      {
        pipelineId: 'default',
        stageId: 'qualifiedtobuy',
        label: 'Qualified To Buy',
        stepId: 'qualification',
        openDeals: 4,
        compliant: bucket(1, '11'),
        blocked: bucket(2, '12', '13'),
        stalled: bucket(1, '14'),
        noStep: bucket(0),
      },
    ],
    unreadProperties: [],
    warnings: [],
  };
}

/** What the enforcement preview answers: the qualification step under `justify`, the presentation under `approve`. */
export function buildEnforcementPreviewAnswer(days = 30) {
  const ifCaught = (caught: number, intoClosed = 0) => ({
    advisory: { recorded: caught },
    justify: { reasonsAsked: caught },
    approve: { approvalsAsked: caught },
    revert: { movedBack: caught - intoClosed, approvalsAsked: intoClosed },
  });
  return {
    evaluatedAt: '2026-11-26T15:00:00.000Z',
    since: '2026-10-27T15:00:00.000Z',
    days,
    movesJudged: 9,
    truncated: false,
    steps: [
      {
        stepId: 'qualification',
        title: 'Qualification and needs assessment',
        mode: 'justify',
        moves: 6,
        unmet: 4,
        exempt: 1,
        caught: 3,
        intoClosed: 0,
        ifMode: ifCaught(3),
      },
      {
        stepId: 'presentation',
        title: 'Presentation',
        mode: 'approve',
        moves: 3,
        unmet: 2,
        exempt: 0,
        caught: 2,
        intoClosed: 1,
        ifMode: ifCaught(2, 1),
      },
    ],
  };
}
