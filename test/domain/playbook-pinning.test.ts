import {
  findPreviousStageInHistory,
  findStageEntryInHistory,
  selectVersionInForce,
  type PropertyHistoryValue,
} from '../../src/domain';

const at = (iso: string) => new Date(iso);

/** A dealstage history as HubSpot sends it: newest first. */
function history(...moves: Array<[string, string]>): PropertyHistoryValue[] {
  return moves.map(([value, iso]) => ({ value, timestamp: at(iso) }));
}

describe('selectVersionInForce', () => {
  const published = (version: number, iso: string, repinsDealsInProgress = false) => ({
    version,
    publishedAt: at(iso),
    repinsDealsInProgress,
  });
  const versions = [
    published(1, '2026-11-01T00:00:00.000Z'),
    published(2, '2026-11-10T13:48:58.033Z'),
    published(3, '2026-11-20T00:00:00.000Z'),
  ];

  it('a stage entered just before a publish follows the version before it', () => {
    expect(selectVersionInForce(versions, at('2026-11-10T13:48:57.875Z'))).toBe(1);
  });

  it('a stage entered at the very instant of a publish follows the new version', () => {
    expect(selectVersionInForce(versions, at('2026-11-10T13:48:58.033Z'))).toBe(2);
  });

  it('a stage entered after the last publish follows the last version', () => {
    expect(selectVersionInForce(versions, at('2026-12-01T00:00:00.000Z'))).toBe(3);
  });

  it('a stage entered before the first version follows the first version', () => {
    expect(selectVersionInForce(versions, at('2026-01-01T00:00:00.000Z'))).toBe(1);
  });

  it('does not depend on the order the versions come in', () => {
    expect(selectVersionInForce([...versions].reverse(), at('2026-11-15T00:00:00.000Z'))).toBe(2);
  });

  it('of two versions saved in the same millisecond, the later number is in force', () => {
    const sameMs = [published(4, '2026-11-10T00:00:00.000Z'), published(5, '2026-11-10T00:00:00.000Z')];
    expect(selectVersionInForce(sameMs, at('2026-11-11T00:00:00.000Z'))).toBe(5);
  });

  it('a later version published for deals in progress applies to a deal already in its stage', () => {
    const withRepin = [
      ...versions,
      published(4, '2026-11-25T00:00:00.000Z', true),
      published(5, '2026-11-26T00:00:00.000Z'),
    ];
    expect(selectVersionInForce(withRepin, at('2026-11-15T00:00:00.000Z'))).toBe(4);
    // Entered after that publish: the usual rule.
    expect(selectVersionInForce(withRepin, at('2026-11-27T00:00:00.000Z'))).toBe(5);
    // Of several such publishes since the entry, the newest wins.
    const twice = [...withRepin, published(6, '2026-11-28T00:00:00.000Z', true)];
    expect(selectVersionInForce(twice, at('2026-11-15T00:00:00.000Z'))).toBe(6);
  });

  it('pins nothing for a portal that has no version yet', () => {
    expect(selectVersionInForce([], at('2026-11-11T00:00:00.000Z'))).toBeNull();
  });
});

describe('findStageEntryInHistory', () => {
  it('dates the current stage by its newest move in', () => {
    const moves = history(
      ['qualifiedtobuy', '2026-11-12T00:00:00.000Z'],
      ['appointmentscheduled', '2026-11-05T00:00:00.000Z'],
      ['qualifiedtobuy', '2026-11-02T00:00:00.000Z'],
    );
    expect(findStageEntryInHistory(moves, 'qualifiedtobuy')).toEqual(at('2026-11-12T00:00:00.000Z'));
  });

  it('a value written again without a move keeps the first entry time', () => {
    const moves = history(
      ['qualifiedtobuy', '2026-11-12T00:00:00.000Z'],
      ['qualifiedtobuy', '2026-11-08T00:00:00.000Z'],
      ['appointmentscheduled', '2026-11-05T00:00:00.000Z'],
    );
    expect(findStageEntryInHistory(moves, 'qualifiedtobuy')).toEqual(at('2026-11-08T00:00:00.000Z'));
  });

  it('says nothing when the history does not show the deal in that stage now', () => {
    const moves = history(['appointmentscheduled', '2026-11-05T00:00:00.000Z']);
    expect(findStageEntryInHistory(moves, 'qualifiedtobuy')).toBeNull();
    expect(findStageEntryInHistory([], 'qualifiedtobuy')).toBeNull();
  });
});

describe('findPreviousStageInHistory', () => {
  const moves = history(
    ['contractsent', '2026-11-20T00:00:00.000Z'],
    ['qualifiedtobuy', '2026-11-12T00:00:00.000Z'],
    ['appointmentscheduled', '2026-11-05T00:00:00.000Z'],
    ['qualifiedtobuy', '2026-11-02T00:00:00.000Z'],
  );

  it('names the stage a move left, even when the deal was in the destination before', () => {
    expect(findPreviousStageInHistory(moves, 'qualifiedtobuy', at('2026-11-12T00:00:00.000Z'))).toBe(
      'appointmentscheduled',
    );
    expect(findPreviousStageInHistory(moves, 'contractsent', at('2026-11-20T00:00:00.000Z'))).toBe(
      'qualifiedtobuy',
    );
  });

  it("matches the event to HubSpot's record of the move though the two clocks differ by milliseconds", () => {
    expect(findPreviousStageInHistory(moves, 'qualifiedtobuy', at('2026-11-12T00:00:00.040Z'))).toBe(
      'appointmentscheduled',
    );
  });

  it('has no previous stage for the stage a deal was created in', () => {
    expect(findPreviousStageInHistory(moves, 'qualifiedtobuy', at('2026-11-02T00:00:00.000Z'))).toBeNull();
  });

  it('says nothing when the history has no such move', () => {
    expect(findPreviousStageInHistory(moves, 'closedwon', at('2026-11-21T00:00:00.000Z'))).toBeNull();
  });

  it('reads a history that came in any order', () => {
    expect(
      findPreviousStageInHistory([...moves].reverse(), 'contractsent', at('2026-11-20T00:00:00.000Z')),
    ).toBe('qualifiedtobuy');
  });
});
