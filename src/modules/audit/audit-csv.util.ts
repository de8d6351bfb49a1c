import type { AuditEntry } from './audit-entry.schema';

/** The export's columns; a column an entry type does not have stays empty. */
export const AUDIT_CSV_COLUMNS = [
  'at',
  'type',
  'deal_id',
  'from_stage',
  'to_stage',
  'source',
  'step_id',
  'action_id',
  'done',
  'user_id',
  'user_email',
  'note',
  'snoozed_until',
  'exception_id',
  'mode',
  'open_items',
  'decision',
] as const;

type AuditCsvColumn = (typeof AUDIT_CSV_COLUMNS)[number];

const NEEDS_QUOTING = /[",\r\n]|^\s|\s$/;
// Spreadsheets run a cell that starts like a formula; notes are free text typed by users.
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180 quoting, plus a leading apostrophe on cells a spreadsheet would take for a formula. */
export function toCsvCell(value: string | null): string {
  if (value === null || value === '') return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTING.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function toColumns(entry: AuditEntry): Partial<Record<AuditCsvColumn, string | null>> {
  const common = { at: entry.at, type: entry.type, deal_id: entry.dealId };
  switch (entry.type) {
    case 'stage-change':
      return { ...common, from_stage: entry.fromStage, to_stage: entry.toStage, source: entry.source };
    case 'action':
      return {
        ...common,
        step_id: entry.stepId,
        action_id: entry.actionId,
        done: entry.done ? 'done' : 'undone',
        user_id: entry.userId,
        user_email: entry.userEmail,
        note: entry.note,
      };
    case 'snooze':
      return {
        ...common,
        user_id: entry.userId,
        user_email: entry.userEmail,
        note: entry.reason,
        snoozed_until: entry.until,
      };
    case 'exception':
      return {
        ...common,
        from_stage: entry.fromStage,
        to_stage: entry.toStage,
        source: entry.source,
        step_id: entry.stepId,
        user_id: entry.userId,
        exception_id: entry.exceptionId,
        mode: entry.mode,
        open_items: entry.openItems.join('; '),
      };
    case 'exception-justification':
      return {
        ...common,
        user_id: entry.userId,
        user_email: entry.userEmail,
        note: entry.reason,
        exception_id: entry.exceptionId,
      };
    case 'exception-decision':
      return {
        ...common,
        user_id: entry.userId,
        user_email: entry.userEmail,
        note: entry.note,
        exception_id: entry.exceptionId,
        decision: entry.decision,
      };
    case 'exception-move-back':
      return {
        ...common,
        from_stage: entry.fromStage,
        to_stage: entry.toStage,
        source: entry.source,
        note:
          entry.reason === 'revert' ? 'moved back at once (revert)' : "moved back on a manager's rejection",
        exception_id: entry.exceptionId,
      };
  }
}

export function formatAuditCsvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',');
}

/** One CSV record; a note's own line breaks stay inside its quoted cell. */
export function formatAuditCsvRow(entry: AuditEntry): string {
  const columns = toColumns(entry);
  return AUDIT_CSV_COLUMNS.map((column) => toCsvCell(columns[column] ?? null)).join(',');
}
