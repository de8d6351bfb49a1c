import { formatAuditCsvRow, toCsvCell } from '../../../src/modules/audit/audit-csv.util';
import { buildAuditEntries } from '../../../src/modules/audit/audit-trail.util';
import type { AuditRecords } from '../../../src/modules/audit';

describe('audit CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['-5 days', "'-5 days"],
    ['@mention', "'@mention"],
    ['', ''],
  ])('writes %j as %j', (value, cell) => {
    expect(toCsvCell(value)).toBe(cell);
  });

  it('leaves the columns an entry type does not have empty', () => {
    const row = formatAuditCsvRow({
      type: 'stage-change',
      id: '1',
      at: '2026-11-26T15:00:00.000Z',
      dealId: '42',
      pipelineId: 'default',
      fromStage: null,
      toStage: 'qualifiedtobuy',
      source: 'CRM',
    });
    expect(row).toBe('2026-11-26T15:00:00.000Z,stage-change,42,,qualifiedtobuy,CRM,,,,,,,,,,,');
  });
});

describe('buildAuditEntries', () => {
  it('orders entries of different kinds by time, and same-millisecond ones by write order', () => {
    const at = new Date('2026-11-26T15:00:00.000Z');
    const records: AuditRecords = {
      stageChanges: [
        {
          id: 'b',
          portalId: 1,
          dealId: '42',
          pipelineId: 'default',
          fromStage: null,
          toStage: 'qualifiedtobuy',
          occurredAt: at,
          source: 'CRM',
          dedupeKey: null,
          recordedAt: at,
        },
      ],
      actionCompletions: [
        {
          id: 'a',
          portalId: 1,
          dealId: '42',
          stageEnteredAt: at,
          stepId: 'qualification',
          actionId: 'discovery-call',
          done: true,
          userId: '101',
          userEmail: null,
          note: null,
          at,
        },
        {
          id: 'c',
          portalId: 1,
          dealId: '42',
          stageEnteredAt: at,
          stepId: 'qualification',
          actionId: 'discovery-call',
          done: false,
          userId: '101',
          userEmail: null,
          note: null,
          at: new Date(at.getTime() - 1),
        },
      ],
      snoozes: [],
    };
    expect(buildAuditEntries(records).map((entry) => entry.id)).toEqual(['c', 'a', 'b']);
  });
});
