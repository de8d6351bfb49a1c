import type { AppendActionCompletionInput } from '../../../src/modules/checklist';
import { DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import { minutesAfter, T0, takePortalId } from '../../support/store/store-builders';
import { actionLogOf } from '../../support/store/store-reads';

function buildCompletion(
  overrides: Partial<AppendActionCompletionInput> & { portalId: number },
): AppendActionCompletionInput {
  return {
    dealId: '123',
    stageEnteredAt: T0,
    stepId: 'qualification',
    actionId: 'discovery-call',
    done: true,
    userId: '101',
    userEmail: 'rep@example.com',
    note: null,
    at: minutesAfter(T0, 30),
    ...overrides,
  };
}

describe.each(DATABASES)('action completions (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('a ticked action shows as done by whoever ticked it', async () => {
    const portalId = takePortalId();
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, note: 'Budget confirmed' }),
    );

    expect(await testStore.store.actions.listActionStates(portalId, '123')).toEqual([
      {
        actionId: 'discovery-call',
        stepId: 'qualification',
        stageEnteredAt: T0,
        done: true,
        by: { userId: '101', email: 'rep@example.com' },
        at: minutesAfter(T0, 30),
        note: 'Budget confirmed',
      },
    ]);
  });

  it('an undo clears the tick, a re-tick sets it again, and the audit trail keeps all three', async () => {
    const portalId = takePortalId();
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, at: minutesAfter(T0, 1) }),
    );
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({
        portalId,
        done: false,
        userId: '102',
        userEmail: 'lead@example.com',
        at: minutesAfter(T0, 2),
      }),
    );

    expect(await testStore.store.actions.listActionStates(portalId, '123')).toMatchObject([
      { actionId: 'discovery-call', done: false, by: { userId: '102' } },
    ]);

    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, at: minutesAfter(T0, 3) }),
    );
    expect(await testStore.store.actions.listActionStates(portalId, '123')).toMatchObject([
      { done: true, by: { userId: '101' } },
    ]);
    expect((await actionLogOf(testStore.store, portalId, '123')).map((entry) => entry.done)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('a tick and its undo in the same millisecond fold in the order they were written', async () => {
    const portalId = takePortalId();
    const sameInstant = minutesAfter(T0, 5);
    await testStore.store.actions.appendActionCompletion(buildCompletion({ portalId, at: sameInstant }));
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, done: false, at: sameInstant }),
    );

    expect(await testStore.store.actions.listActionStates(portalId, '123')).toMatchObject([{ done: false }]);
  });

  it('keeps each action, step and stage entry apart, and filters by step and by stage entry', async () => {
    const portalId = takePortalId();
    const reEntry = minutesAfter(T0, 24 * 60);
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, actionId: 'discovery-call' }),
    );
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, actionId: 'budget-confirmed' }),
    );
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, stepId: 'presentation', actionId: 'demo' }),
    );
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, actionId: 'discovery-call', stageEnteredAt: reEntry, done: false }),
    );

    const all = await testStore.store.actions.listActionStates(portalId, '123');
    const qualificationNow = await testStore.store.actions.listActionStates(portalId, '123', {
      stepId: 'qualification',
      stageEnteredAt: reEntry,
    });
    const qualificationFirstEntry = await testStore.store.actions.listActionStates(portalId, '123', {
      stepId: 'qualification',
      stageEnteredAt: T0,
    });

    expect(all).toHaveLength(4);
    expect(qualificationNow).toMatchObject([{ actionId: 'discovery-call', done: false }]);
    expect(qualificationFirstEntry.map((state) => state.actionId).sort()).toEqual([
      'budget-confirmed',
      'discovery-call',
    ]);
  });

  it('an anonymous entry (no user) folds to a state without an author', async () => {
    const portalId = takePortalId();
    await testStore.store.actions.appendActionCompletion(
      buildCompletion({ portalId, userId: null, userEmail: null }),
    );
    expect(await testStore.store.actions.listActionStates(portalId, '123')).toMatchObject([
      { done: true, by: null },
    ]);
  });
});
