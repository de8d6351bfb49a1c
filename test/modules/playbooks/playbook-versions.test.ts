import { createStore } from '../../../src/app/store';
import { DATABASES } from '../../support/test-databases';
import { useSharedTestStore } from '../../support/store/shared-test-store';
import { minutesAfter, T0, takePortalId } from '../../support/store/store-builders';

function buildPlaybookDocument(name: string) {
  return {
    name,
    pipelines: { default: { stages: { qualifiedtobuy: 'qualification' } } },
    steps: [
      { id: 'qualification', title: 'Qualification', actions: [{ id: 'discovery-call', required: true }] },
    ],
  };
}

describe.each(DATABASES)('playbook versions (%s)', (kind) => {
  const testStore = useSharedTestStore(kind);

  it('a portal that never saved a playbook has no current version', async () => {
    const portalId = takePortalId();
    expect(await testStore.store.playbooks.getCurrentPlaybook(portalId)).toBeNull();
    expect(await testStore.store.playbooks.getCurrentVersionNumber(portalId)).toBe(0);
  });

  it('the current version number follows each save without reading the document', async () => {
    const portalId = takePortalId();
    await testStore.store.playbooks.savePlaybookVersion(portalId, buildPlaybookDocument('v1'), { now: T0 });
    await testStore.store.playbooks.savePlaybookVersion(portalId, buildPlaybookDocument('v2'), { now: T0 });
    expect(await testStore.store.playbooks.getCurrentVersionNumber(portalId)).toBe(2);
    expect(await testStore.store.playbooks.getCurrentVersionNumber(takePortalId())).toBe(0);
  });

  it('each save gets the next version and older versions stay readable', async () => {
    const portalId = takePortalId();

    const first = await testStore.store.playbooks.savePlaybookVersion(portalId, buildPlaybookDocument('v1'), {
      authorUserId: '101',
      note: 'initial',
      now: T0,
    });
    const second = await testStore.store.playbooks.savePlaybookVersion(
      portalId,
      buildPlaybookDocument('v2'),
      {
        authorUserId: '102',
        now: minutesAfter(T0, 1),
      },
    );

    expect([first.version, second.version]).toEqual([1, 2]);
    expect(await testStore.store.playbooks.getCurrentPlaybook(portalId)).toMatchObject({
      version: 2,
      document: buildPlaybookDocument('v2'),
      authorUserId: '102',
    });
    expect(await testStore.store.playbooks.getPlaybookVersion(portalId, 1)).toEqual({
      portalId,
      version: 1,
      document: buildPlaybookDocument('v1'),
      authorUserId: '101',
      note: 'initial',
      createdAt: T0,
    });
    expect(
      (await testStore.store.playbooks.listPlaybookVersions(portalId)).map((saved) => saved.version),
    ).toEqual([2, 1]);
    expect(await testStore.store.playbooks.getPlaybookVersion(portalId, 3)).toBeNull();
  });

  it('managers saving at the same moment each get their own version, none lost', async () => {
    const portalId = takePortalId();
    // SQLite takes one store (a second in-process store would block the event loop); PostgreSQL races two pools.
    const second = kind === 'postgres' ? await createStore(testStore.url) : testStore.store;
    try {
      const saves = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          (index % 2 === 0 ? testStore.store : second).playbooks.savePlaybookVersion(
            portalId,
            buildPlaybookDocument(`save ${index}`),
          ),
        ),
      );

      expect(saves.map((saved) => saved.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, index) => index + 1),
      );
      expect(await testStore.store.playbooks.listPlaybookVersions(portalId)).toHaveLength(12);
    } finally {
      if (second !== testStore.store) await second.close();
    }
  });
});
