import { foldActionCompletions, type ActionLogEntry } from '../../src/domain/action-log.util';

const entry = new Date('2026-11-20T10:00:00Z');

function buildLogEntry(overrides: Partial<ActionLogEntry> = {}): ActionLogEntry {
  return {
    stageEnteredAt: entry,
    stepId: 'qualification',
    actionId: 'discovery-call',
    done: true,
    userId: '101',
    userEmail: 'rep@example.com',
    note: null,
    at: new Date('2026-11-21T09:30:00Z'),
    ...overrides,
  };
}

describe('folding the checklist log', () => {
  it('a later untick wins over an earlier tick', () => {
    const states = foldActionCompletions([
      buildLogEntry(),
      buildLogEntry({ done: false, userId: '102', userEmail: null, at: new Date('2026-11-22T09:30:00Z') }),
    ]);

    expect(states).toEqual([
      {
        actionId: 'discovery-call',
        stepId: 'qualification',
        stageEnteredAt: entry,
        done: false,
        by: { userId: '102', email: null },
        at: new Date('2026-11-22T09:30:00Z'),
        note: null,
      },
    ]);
  });

  it('each stage entry keeps its own checklist: a re-entered stage starts unticked', () => {
    const reentered = new Date('2026-12-01T10:00:00Z');
    const states = foldActionCompletions([
      buildLogEntry(),
      buildLogEntry({ stageEnteredAt: reentered, done: false }),
    ]);

    expect(states.map((state) => [state.stageEnteredAt, state.done])).toEqual([
      [entry, true],
      [reentered, false],
    ]);
  });

  it('a tick with no known user records nobody as its author', () => {
    expect(foldActionCompletions([buildLogEntry({ userId: null })])[0]!.by).toBeNull();
  });
});
