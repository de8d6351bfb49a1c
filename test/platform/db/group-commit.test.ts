import { createGroupCommit } from '../../../src/platform/db/group-commit';

/** A writer that records each call's items, and fails the calls `failing` says to. */
function aRecordingWriter(failing: (items: number[]) => boolean = () => false) {
  const writes: number[][] = [];
  const write = async (items: number[]) => {
    writes.push([...items]);
    if (failing(items)) throw new Error('the transaction failed');
  };
  return { write, writes };
}

describe('group commit', () => {
  it('writes the items submitted in the same turn in one call', async () => {
    const writer = aRecordingWriter();
    const group = createGroupCommit(writer.write);

    await Promise.all([group.submit(1), group.submit(2), group.submit(3)]);

    expect(writer.writes).toEqual([[1, 2, 3]]);
  });

  it('settles a submission only after the write holding it has finished', async () => {
    let commit: () => void = () => undefined;
    const group = createGroupCommit<number>(
      () =>
        new Promise<void>((resolve) => {
          commit = resolve;
        }),
    );
    let answered = false;
    const submitted = group.submit(1).then(() => (answered = true));

    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answered).toBe(false);
    commit();
    await submitted;
    expect(answered).toBe(true);
  });

  it('groups the items that arrive while a write is in flight into the next write', async () => {
    const writer = aRecordingWriter();
    const group = createGroupCommit(writer.write);

    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, group.submit(2), group.submit(3), group.submit(4)]);

    expect(writer.writes).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every item of a failed write, and writes the next group afresh', async () => {
    const writer = aRecordingWriter((items) => items.includes(2));
    const group = createGroupCommit(writer.write);

    const failed = await Promise.allSettled([group.submit(1), group.submit(2)]);
    const next = await Promise.allSettled([group.submit(3)]);

    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(next).toEqual([{ status: 'fulfilled', value: undefined }]);
    expect(writer.writes).toEqual([[1, 2], [3]]);
  });

  it('keeps each write under the item cap', async () => {
    const writer = aRecordingWriter();
    const group = createGroupCommit(writer.write, { maxItemsPerWrite: 2 });

    await Promise.all([1, 2, 3, 4, 5].map((item) => group.submit(item)));

    expect(writer.writes).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('keeps up to maxWritesInFlight writes going at once, each group settled by its own write', async () => {
    const commits: Array<() => void> = [];
    const writes: number[][] = [];
    const group = createGroupCommit<number>(
      (items) =>
        new Promise<void>((resolve) => {
          writes.push([...items]);
          commits.push(resolve);
        }),
      { maxWritesInFlight: 2 },
    );
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const answered: number[] = [];
    const submit = (item: number) => group.submit(item).then(() => answered.push(item));

    const first = submit(1);
    await nextTurn();
    const second = submit(2);
    await nextTurn();
    const third = submit(3);
    await nextTurn();
    expect(writes).toEqual([[1], [2]]);

    commits[1]!();
    await second;
    await nextTurn();
    expect(answered).toEqual([2]);
    expect(writes).toEqual([[1], [2], [3]]);
    commits[0]!();
    commits[2]!();
    await Promise.all([first, third]);
    expect(answered.sort()).toEqual([1, 2, 3]);
  });
});
