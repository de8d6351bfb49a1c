/**
 * The playbook as the page edits it, and the small, immutable edits the page makes. A check's rule is
 * edited as text (YAML or JSON) and turned back into data only when the draft is sent: a rule that does
 * not parse is sent as the text itself, so the server rejects it with its path like any other mistake
 * and the page needs no validation of its own.
 */
import YAML from 'yaml';
import type { PlaybookDocument, PlaybookIssue, StepEnforcementDocument } from './playbook-api.schema';

// Unknown keys are kept (the index signatures) so that fields the page does not edit survive a
// load-edit-publish round trip.
export interface DraftAction {
  [key: string]: unknown;
  id: string;
  title: string;
  required: boolean;
}

export interface DraftCheck {
  [key: string]: unknown;
  id: string;
  title: string;
  /** The rule as the manager edits it; parsed back into `rule` when the draft is sent. */
  ruleText: string;
}

/** What happens when a deal leaves the step with its SOP unmet (DESIGN.md §7). */
export interface DraftEnforcement {
  [key: string]: unknown;
  mode: string;
  justifyWithinBusinessHours?: number;
  /** The exempt HubSpot user ids as the manager types them (commas or spaces between ids). */
  exemptUserIdsText: string;
}

export interface DraftStep {
  [key: string]: unknown;
  id: string;
  title: string;
  guidance: string;
  stallAfterBusinessDays?: number;
  actions: DraftAction[];
  checks: DraftCheck[];
  /** Absent: the step is advisory and the document carries no enforcement. */
  enforcement?: DraftEnforcement;
}

export interface PlaybookDraft {
  [key: string]: unknown;
  name: string;
  pipelines: Record<string, { [key: string]: unknown; stages: Record<string, string | null> }>;
  steps: DraftStep[];
}

/** Fields of an API answer that are not part of the document. */
const ANSWER_ONLY_FIELDS = [
  'version',
  'author',
  'createdAt',
  'note',
  'canEdit',
  'readOnlyReason',
  'hubspotPipelines',
  'warnings',
  'dealsRepinned',
] as const;

export function toDraft(answer: PlaybookDocument): PlaybookDraft {
  const document: Record<string, unknown> = { ...answer };
  for (const field of ANSWER_ONLY_FIELDS) delete document[field];
  const { steps, ...rest } = document as PlaybookDocument;
  return {
    ...rest,
    steps: steps.map(({ enforcement, ...step }) => ({
      ...step,
      checks: step.checks.map(({ rule, ...check }) => ({ ...check, ruleText: JSON.stringify(rule) ?? '' })),
      ...(enforcement ? { enforcement: toDraftEnforcement(enforcement) } : {}),
    })),
  };
}

function toDraftEnforcement({ exemptUserIds, ...enforcement }: StepEnforcementDocument): DraftEnforcement {
  return { ...enforcement, exemptUserIdsText: (exemptUserIds ?? []).join(', ') };
}

export function toDocument(draft: PlaybookDraft): Record<string, unknown> {
  return {
    ...draft,
    steps: draft.steps.map(({ enforcement, ...step }) => ({
      ...step,
      checks: step.checks.map(({ ruleText, ...check }) => ({ ...check, rule: parseRuleText(ruleText) })),
      ...(enforcement ? { enforcement: toEnforcementDocument(enforcement) } : {}),
    })),
  };
}

/** Ids go as typed (a bad one is the server's to name by its path); none typed sends no list. */
function toEnforcementDocument({ exemptUserIdsText, ...enforcement }: DraftEnforcement) {
  const exemptUserIds = exemptUserIdsText.split(/[\s,]+/).filter((id) => id !== '');
  return { ...enforcement, ...(exemptUserIds.length > 0 ? { exemptUserIds } : {}) };
}

function parseRuleText(text: string): unknown {
  try {
    return YAML.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Where a stage points: a step id, null for "no step", undefined for "not mapped". */
export function mapStage(
  draft: PlaybookDraft,
  pipelineId: string,
  stageId: string,
  stepId: string | null | undefined,
): PlaybookDraft {
  const stages = { ...(draft.pipelines[pipelineId]?.stages ?? {}) };
  if (stepId === undefined) delete stages[stageId];
  else stages[stageId] = stepId;
  return {
    ...draft,
    pipelines: { ...draft.pipelines, [pipelineId]: { ...draft.pipelines[pipelineId], stages } },
  };
}

export function updateStep(
  draft: PlaybookDraft,
  stepIndex: number,
  patch: Partial<DraftStep>,
): PlaybookDraft {
  return {
    ...draft,
    steps: draft.steps.map((step, index) => (index === stepIndex ? { ...step, ...patch } : step)),
  };
}

/** Sets or clears (undefined) the step's stall threshold. */
export function setStallThreshold(draft: PlaybookDraft, stepIndex: number, days: number | undefined) {
  return {
    ...draft,
    steps: draft.steps.map((step, index): DraftStep => {
      if (index !== stepIndex) return step;
      const { stallAfterBusinessDays: _cleared, ...rest } = step;
      return days === undefined ? rest : { ...rest, stallAfterBusinessDays: days };
    }),
  };
}

/**
 * Changes the step's enforcement; a step without one starts as advisory. The justify deadline is
 * cleared (undefined) to fall back on the server's default.
 */
export function updateEnforcement(
  draft: PlaybookDraft,
  stepIndex: number,
  patch: Partial<DraftEnforcement>,
): PlaybookDraft {
  return {
    ...draft,
    steps: draft.steps.map((step, index): DraftStep => {
      if (index !== stepIndex) return step;
      const merged: DraftEnforcement = {
        ...(step.enforcement ?? { mode: 'advisory', exemptUserIdsText: '' }),
        ...patch,
      };
      if (merged.justifyWithinBusinessHours === undefined) delete merged.justifyWithinBusinessHours;
      return { ...step, enforcement: merged };
    }),
  };
}

/** An id not yet used among `ids`: base, base-2, base-3... */
function freeId(base: string, ids: readonly string[]): string {
  if (!ids.includes(base)) return base;
  for (let n = 2; ; n += 1) if (!ids.includes(`${base}-${n}`)) return `${base}-${n}`;
}

export function addStep(draft: PlaybookDraft): PlaybookDraft {
  const id = freeId(
    'new-step',
    draft.steps.map((step) => step.id),
  );
  return { ...draft, steps: [...draft.steps, { id, title: '', guidance: '', actions: [], checks: [] }] };
}

export function addAction(draft: PlaybookDraft, stepIndex: number): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  const action: DraftAction = {
    id: freeId(
      'new-action',
      step.actions.map((a) => a.id),
    ),
    title: '',
    required: true,
  };
  return updateStep(draft, stepIndex, { actions: [...step.actions, action] });
}

export function updateAction(
  draft: PlaybookDraft,
  stepIndex: number,
  actionIndex: number,
  patch: Partial<DraftAction>,
): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  return updateStep(draft, stepIndex, {
    actions: step.actions.map((action, index) => (index === actionIndex ? { ...action, ...patch } : action)),
  });
}

export function removeAction(draft: PlaybookDraft, stepIndex: number, actionIndex: number): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  return updateStep(draft, stepIndex, { actions: step.actions.filter((_, index) => index !== actionIndex) });
}

export function addCheck(draft: PlaybookDraft, stepIndex: number): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  const check: DraftCheck = {
    id: freeId(
      'new-check',
      step.checks.map((c) => c.id),
    ),
    title: '',
    ruleText: '{"property": "amount", "present": true}',
  };
  return updateStep(draft, stepIndex, { checks: [...step.checks, check] });
}

export function updateCheck(
  draft: PlaybookDraft,
  stepIndex: number,
  checkIndex: number,
  patch: Partial<DraftCheck>,
): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  return updateStep(draft, stepIndex, {
    checks: step.checks.map((check, index) => (index === checkIndex ? { ...check, ...patch } : check)),
  });
}

export function removeCheck(draft: PlaybookDraft, stepIndex: number, checkIndex: number): PlaybookDraft {
  const step = draft.steps[stepIndex];
  if (!step) return draft;
  return updateStep(draft, stepIndex, { checks: step.checks.filter((_, index) => index !== checkIndex) });
}

/** The server's message for exactly this path, or for anything under it (a rule's inner fields). */
export function findIssue(
  issues: readonly PlaybookIssue[],
  path: string,
  nested = false,
): string | undefined {
  const matching = issues.filter(
    (issue) => issue.path === path || (nested && issue.path.startsWith(`${path}.`)),
  );
  if (matching.length === 0) return undefined;
  return matching
    .map((issue) =>
      issue.path === path ? issue.message : `${issue.path.slice(path.length + 1)}: ${issue.message}`,
    )
    .join('; ');
}
