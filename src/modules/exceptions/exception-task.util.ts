import { createHash } from 'node:crypto';
import type { NewDealNote } from '../../platform/hubspot/notes.api';
import type { NewTask } from '../../platform/hubspot/tasks.api';
import type { DealException } from './exception.repository';

export const EXCEPTION_MARKER_PREFIX = 'sopexc';

/**
 * The token written into the task's body. HubSpot's search matches whole tokens of letters and digits,
 * so after a create whose answer was lost, searching for it tells whether the task exists.
 */
export function buildExceptionMarker(outboxKey: string): string {
  return EXCEPTION_MARKER_PREFIX + createHash('sha256').update(outboxKey).digest('hex').slice(0, 24);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The manager's task for a `justify` exception whose owner gave no reason in time. */
export function buildJustifyOverdueTask(input: {
  exception: DealException;
  managerOwnerId: string | null;
  marker: string;
  now: Date;
}): NewTask {
  const { exception, marker } = input;
  const items = exception.openItems.map((item) => `<li>${escapeHtml(item.title)}</li>`).join('');
  return {
    dealId: exception.dealId,
    subject: `SOP exception not justified: the deal left ${exception.fromStage} with the SOP unmet`,
    body:
      `<p>On ${exception.movedAt.toISOString().slice(0, 10)} the deal moved from ${escapeHtml(exception.fromStage)} ` +
      `to ${escapeHtml(exception.toStage)} with these items open, and its owner has given no reason:</p>` +
      `<ul>${items}</ul><p>Exception ref: ${marker}</p>`,
    dueAt: input.now,
    ownerId: input.managerOwnerId,
    priority: 'HIGH',
    key: marker,
  };
}

/** The owner's task after the app moved their deal back (`revert`): what the SOP still asks. */
export function buildRevertOwnerTask(input: {
  exception: DealException;
  marker: string;
  now: Date;
}): NewTask {
  const { exception, marker } = input;
  const items = exception.openItems.map((item) => `<li>${escapeHtml(item.title)}</li>`).join('');
  return {
    dealId: exception.dealId,
    subject: `Deal moved back to ${exception.fromStage}: finish the SOP before it moves on`,
    body:
      `<p>The deal moved to ${escapeHtml(exception.toStage)} with the SOP of ${escapeHtml(exception.fromStage)} unmet, ` +
      `so SOP Guide moved it back. Still to do:</p><ul>${items}</ul><p>Exception ref: ${marker}</p>`,
    dueAt: input.now,
    ownerId: exception.ownerId,
    priority: 'HIGH',
    key: marker,
  };
}

/** The note that puts the exception on the deal's HubSpot timeline, at the moment of the move. */
export function buildTimelineNote(input: {
  exception: DealException;
  marker: string;
  /** The note's outbox key. */
  key: string;
}): NewDealNote {
  const { exception, marker, key } = input;
  const items = exception.openItems.map((item) => `<li>${escapeHtml(item.title)}</li>`).join('');
  return {
    key,
    dealId: exception.dealId,
    at: exception.movedAt,
    body:
      `<p><strong>SOP exception</strong> (${exception.mode}): the deal moved from ${escapeHtml(exception.fromStage)} ` +
      `to ${escapeHtml(exception.toStage)} with these SOP items open:</p><ul>${items}</ul>` +
      `<p>Exception ref: ${marker}</p>`,
  };
}
