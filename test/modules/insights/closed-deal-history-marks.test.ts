import { createTestStore, DATABASES, type TestStore } from '../../support/test-databases';
import { T0, takePortalId } from '../../support/store/store-builders';

/** The marks that tell the closed-deal history which deals to look at again. */
describe.each(DATABASES)('closed-deal history marks (%s)', (kind) => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await createTestStore(kind);
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('completing a run removes the marks it read, and keeps one renewed meanwhile for the next run', async () => {
    const { insights } = testStore.store;
    const portalId = takePortalId();
    await insights.markPending(portalId, ['11', '12', '13'], T0);
    const read = await insights.listPending(10);
    expect(read.map((mark) => mark.dealId)).toEqual(['11', '12', '13']);
    const later = new Date(T0.getTime() + 1000);
    await insights.markPending(portalId, ['12'], later);

    await insights.completePending(read);

    expect(await insights.listPending(10)).toEqual([
      { portalId, dealId: '12', markedAt: later.getTime(), attempts: 0 },
    ]);
  });
});
