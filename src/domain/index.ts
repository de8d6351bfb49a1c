export type { ActionState, DealSnapshot } from './deal.types';
export {
  actionDoneRuleSchema,
  associatedRuleSchema,
  checkRuleSchema,
  comparisonRuleSchema,
  dateInFutureRuleSchema,
  equalsRuleSchema,
  lastActivityRuleSchema,
  oneOfRuleSchema,
  parsePlaybook,
  playbookActionSchema,
  playbookCheckSchema,
  playbookSchema,
  playbookStepSchema,
  presentRuleSchema,
  withinDaysRuleSchema,
} from './playbook.schema';
export { ENFORCEMENT_MODES, stepEnforcementSchema } from './playbook.schema';
export type {
  ActionDoneRule,
  EnforcementMode,
  StepEnforcement,
  AssociatedRule,
  CheckRule,
  ComparisonRule,
  DateInFutureRule,
  EqualsRule,
  LastActivityRule,
  OneOfRule,
  ParsePlaybookResult,
  Playbook,
  PlaybookAction,
  PlaybookCheck,
  PlaybookError,
  PlaybookInput,
  PlaybookReminders,
  PlaybookStep,
  PresentRule,
  WithinDaysRule,
} from './playbook.schema';
export { DEFAULT_PLAYBOOK } from './default-playbook';
export { groupBy } from './group-by.util';
export { resolveStepForStage } from './stage-step.util';
export type { StepResolution } from './stage-step.util';
export { listAssociationTypesReadByPlaybook, listPropertiesReadByPlaybook } from './playbook-reads.util';
export {
  evaluateCheck,
  findLatestActionState,
  labelProperty,
  parseHubSpotDate,
  parseHubSpotNumber,
} from './check-rules.util';
export type { CheckResult } from './check-rules.util';
export { evaluateStep } from './step-evaluation.util';
export type { ActionProgress, EvaluateStepInput, StepEvaluation, StepProgress } from './step-evaluation.util';
export {
  addBusinessDays,
  addBusinessHours,
  addCalendarDays,
  countBusinessDaysBetween,
  countCalendarDaysBetween,
  formatLocalDate,
  isValidLocalDate,
  isValidTimeZone,
  nextBusinessDayAt,
} from './business-days.util';
export type { BusinessCalendar } from './business-days.util';
export {
  escalationDue,
  evaluateStall,
  resolveEscalateAfterBusinessDays,
  resolveEscalationOwnerId,
} from './stall.util';
export type { EscalationInput, EvaluateStallInput, StallEvaluation, StallReason } from './stall.util';
export { buildBusinessCalendar, evaluateDealGuidance } from './deal-guidance.util';
export type { DealGuidance, EvaluateDealGuidanceInput, GuidanceStep } from './deal-guidance.util';
export {
  computeSopPropertyValues,
  listChangedSopProperties,
  SOP_COMPLIANCE_VALUES,
  SOP_PROPERTY_NAMES,
} from './sop-properties.util';
export type { SopCompliance, SopPropertyName, SopPropertyValues } from './sop-properties.util';
export { locateActionForDeal } from './action-location.util';
export type { ActionLocation } from './action-location.util';
export { countReminderRound, MAX_SNOOZE_DAYS, selectActiveSnooze } from './snooze.util';
export type { SnoozeWindow } from './snooze.util';
export { foldActionCompletions } from './action-log.util';
export type { ActionLogEntry, ScopedActionState } from './action-log.util';
export {
  buildReminderKey,
  decideMovedOnReminderStep,
  decideRecordedReminderStep,
  findIntentStaleBefore,
  MAX_REMINDER_ATTEMPTS,
  REMINDER_INTENT_STALE_MS,
} from './reminder.util';
export type {
  MovedOnReminderStep,
  RecordedReminder,
  RecordedReminderStep,
  ReminderIdentity,
  ReminderKind,
  ReminderStatus,
} from './reminder.util';
export { judgeStalls, planReminderActions } from './stall-judgement.util';
export type {
  DealOwnerSummary,
  JudgeStallsInput,
  PlanReminderActionsInput,
  ReminderAction,
  ReminderPlan,
  SweepCandidate,
  StalledDeal,
  StallVerdicts,
} from './stall-judgement.util';
export {
  findPreviousStageInHistory,
  findStageEntryInHistory,
  listHubSpotStageMoves,
  selectVersionInForce,
} from './playbook-pinning.util';
export type { PropertyHistoryValue, PublishedVersion } from './playbook-pinning.util';
export {
  formatMonth,
  judgeClosedOutcome,
  listMonths,
  median,
  MIN_DEALS_PER_GROUP,
  percentile,
  readStageVisits,
  summarizeClosedDeal,
  summarizeDemand,
  summarizeGroup,
  summarizeOutcomes,
} from './insights.util';
export type {
  ClosedDealFacts,
  ClosedDealInput,
  ClosedOutcome,
  ClosedStepFacts,
  CountedValue,
  DemandMonth,
  DemandSummary,
  OpenDealGroup,
  OutcomeFigures,
  OutcomeHistogramRow,
  OutcomesSummary,
  PipelineStageFacts,
  StageVisit,
  StepAtEntry,
  TickedAction,
} from './insights.util';
export {
  buildExceptionKey,
  DEFAULT_JUSTIFY_WITHIN_BUSINESS_HOURS,
  describeMoveSource,
  isAppOwnMove,
  judgeStageMove,
  listSkippedStages,
} from './exception-detection.util';
export type {
  JudgeStageMoveInput,
  MoveSource,
  OpenItem,
  PipelineStageOrder,
  StageMoveVerdict,
} from './exception-detection.util';
export { previewEnforcement } from './enforcement-preview.util';
export type { RecordedStageMove, StepEnforcementPreview } from './enforcement-preview.util';
