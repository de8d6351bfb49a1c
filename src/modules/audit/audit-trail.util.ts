import type { ExceptionHistory } from '../exceptions';
import type { AuditRecords } from './audit-trail.repository';
import type { AuditEntry } from './audit-entry.schema';

/** One exception's part of the trail: the move, the owner's reason, the manager's decision, the move back. */
function listExceptionEntries({ exception, movedBackAt }: ExceptionHistory): AuditEntry[] {
  const about = { dealId: exception.dealId, exceptionId: exception.id };
  const entries: AuditEntry[] = [
    {
      type: 'exception',
      id: `${exception.id}:recorded`,
      at: exception.movedAt.toISOString(),
      ...about,
      fromStage: exception.fromStage,
      toStage: exception.toStage,
      stepId: exception.stepId,
      mode: exception.mode,
      openItems: exception.openItems.map((item) => item.title),
      source: exception.movedBy.source,
      userId: exception.movedBy.userId,
    },
  ];
  const { justification, decision } = exception;
  if (justification) {
    entries.push({
      type: 'exception-justification',
      id: `${exception.id}:justification`,
      at: justification.at.toISOString(),
      ...about,
      reason: justification.reason,
      userId: justification.userId,
      userEmail: justification.email,
    });
  }
  if (decision) {
    entries.push({
      type: 'exception-decision',
      id: `${exception.id}:decision`,
      at: decision.at.toISOString(),
      ...about,
      decision: decision.decision,
      note: decision.note ?? null,
      userId: decision.userId,
      userEmail: decision.email,
    });
  }
  if (movedBackAt) {
    entries.push({
      type: 'exception-move-back',
      id: `${exception.id}:move-back`,
      at: movedBackAt.toISOString(),
      ...about,
      fromStage: exception.toStage,
      toStage: exception.fromStage,
      reason: decision?.decision === 'reject' ? 'rejected' : 'revert',
      source: 'SOP Guide',
      userId: null,
    });
  }
  return entries;
}

/**
 * Merges a deal's (or a portal's) stage changes, checklist ticks, snoozes and exceptions (with their
 * justifications, decisions and move-backs) into one list, oldest first. Ties on the same millisecond
 * keep write order: record ids sort in the order they were written.
 */
export function buildAuditEntries(
  records: AuditRecords,
  exceptions: readonly ExceptionHistory[] = [],
): AuditEntry[] {
  const entries: AuditEntry[] = [
    ...records.stageChanges.map((change): AuditEntry => ({
      type: 'stage-change',
      id: change.id,
      at: change.occurredAt.toISOString(),
      dealId: change.dealId,
      pipelineId: change.pipelineId,
      fromStage: change.fromStage,
      toStage: change.toStage,
      source: change.source,
    })),
    ...records.actionCompletions.map((completion): AuditEntry => ({
      type: 'action',
      id: completion.id,
      at: completion.at.toISOString(),
      dealId: completion.dealId,
      stepId: completion.stepId,
      actionId: completion.actionId,
      done: completion.done,
      userId: completion.userId,
      userEmail: completion.userEmail,
      note: completion.note,
      stageEnteredAt: completion.stageEnteredAt.toISOString(),
    })),
    ...records.snoozes.map((snooze): AuditEntry => ({
      type: 'snooze',
      id: snooze.id,
      at: snooze.createdAt.toISOString(),
      dealId: snooze.dealId,
      until: snooze.until.toISOString(),
      reason: snooze.reason,
      userId: snooze.userId,
      userEmail: snooze.userEmail,
      stageEnteredAt: snooze.stageEnteredAt?.toISOString() ?? null,
    })),
    ...exceptions.flatMap(listExceptionEntries),
  ];
  // ISO instants of the same format compare correctly as strings.
  return entries.sort((a, b) => compare(a.at, b.at) || compare(a.id, b.id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
