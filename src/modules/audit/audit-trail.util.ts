import type { AuditRecords } from './audit-trail.repository';
import type { AuditEntry } from './audit-entry.schema';

/**
 * Merges a deal's (or a portal's) stage changes, checklist ticks and snoozes into one list, oldest
 * first. Ties on the same millisecond keep write order: record ids sort in the order they were written.
 */
export function buildAuditEntries(records: AuditRecords): AuditEntry[] {
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
  ];
  // ISO instants of the same format compare correctly as strings.
  return entries.sort((a, b) => compare(a.at, b.at) || compare(a.id, b.id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
