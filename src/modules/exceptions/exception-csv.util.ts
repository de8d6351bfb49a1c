import { toCsvCell } from '../audit';
import type { DealException } from './exception.repository';

export const EXCEPTION_CSV_COLUMNS = [
  'id',
  'deal_id',
  'owner_id',
  'from_stage',
  'to_stage',
  'moved_at',
  'moved_by_source',
  'moved_by_user_id',
  'step_id',
  'mode',
  'status',
  'open_items',
  'justification',
  'decision',
  'playbook_version',
] as const;

export function formatExceptionCsvHeader(): string {
  return EXCEPTION_CSV_COLUMNS.join(',');
}

/** One record; open items are listed by title, separated by "; ", in one cell. */
export function formatExceptionCsvRow(exception: DealException): string {
  const cells: Record<(typeof EXCEPTION_CSV_COLUMNS)[number], string | null> = {
    id: exception.id,
    deal_id: exception.dealId,
    owner_id: exception.ownerId,
    from_stage: exception.fromStage,
    to_stage: exception.toStage,
    moved_at: exception.movedAt.toISOString(),
    moved_by_source: exception.movedBy.source,
    moved_by_user_id: exception.movedBy.userId,
    step_id: exception.stepId,
    mode: exception.mode,
    status: exception.status,
    open_items: exception.openItems.map((item) => item.title).join('; '),
    justification: exception.justification?.reason ?? null,
    decision: exception.decision ? exception.decision.decision : null,
    playbook_version: exception.playbookVersion === null ? null : String(exception.playbookVersion),
  };
  return EXCEPTION_CSV_COLUMNS.map((column) => toCsvCell(cells[column])).join(',');
}
