/**
 * The checklist is an append-only log of ticks and unticks; what a deal's checklist shows is that log
 * folded into the latest state per (stage entry, step, action).
 */
import type { ActionState } from './deal.types';

/** What the fold reads of one log entry: a tick (done) or an untick (undo). */
export interface ActionLogEntry {
  stageEnteredAt: Date;
  stepId: string;
  actionId: string;
  done: boolean;
  userId: string | null;
  userEmail: string | null;
  note: string | null;
  at: Date;
}

/** The latest state of one action, with the step and stage entry it belongs to. */
export interface ScopedActionState extends ActionState {
  stepId: string;
  stageEnteredAt: Date;
}

/** Later entries win; the log is read oldest first, so the last entry per action is its state. */
export function foldActionCompletions(log: readonly ActionLogEntry[]): ScopedActionState[] {
  const latest = new Map<string, ScopedActionState>();
  for (const entry of log) {
    latest.set(JSON.stringify([entry.stageEnteredAt.getTime(), entry.stepId, entry.actionId]), {
      actionId: entry.actionId,
      stepId: entry.stepId,
      stageEnteredAt: entry.stageEnteredAt,
      done: entry.done,
      by: entry.userId === null ? null : { userId: entry.userId, email: entry.userEmail },
      at: entry.at,
      note: entry.note,
    });
  }
  return [...latest.values()];
}
