import { listHubSpotStageMoves } from '../../../src/domain';
import { findLeftStageEntry } from '../../../src/modules/exceptions/exception-detection.service';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 9, minutes));
const change = (toStage: string, minutes: number) => ({ dealId: '7', toStage, occurredAt: at(minutes) });
const value = (stage: string, time: Date) => ({ value: stage, timestamp: time });

describe('which stage entry a move left, with HubSpot history filling the gaps', () => {
  it("reads HubSpot's history as moves, oldest first: a value recorded again is no move, an empty one no stage", () => {
    const moves = listHubSpotStageMoves([
      value('presentationscheduled', at(30)),
      value('qualifiedtobuy', at(20)),
      value('qualifiedtobuy', at(10)),
      value('', at(5)),
      value('appointmentscheduled', at(0)),
    ]);

    expect(moves.map((move) => move.value)).toEqual([
      'appointmentscheduled',
      'qualifiedtobuy',
      'presentationscheduled',
    ]);
    expect(moves[1]?.timestamp).toEqual(at(10));
  });

  it("a move HubSpot shows between the recorded entry and this move is the entry left; the clocks' few milliseconds are not a move", () => {
    const hubspot = listHubSpotStageMoves([
      // The recorded entry and this move, as HubSpot timed them: a few milliseconds off the webhooks.
      value('qualifiedtobuy', new Date(at(10).getTime() + 4)),
      value('presentationscheduled', at(20)),
      value('decisionmakerboughtin', new Date(at(30).getTime() - 3)),
    ]);

    expect(findLeftStageEntry([change('qualifiedtobuy', 10)], null, at(30), hubspot)).toEqual({
      stageId: 'presentationscheduled',
      enteredAt: at(20),
      checklistEnteredAt: at(20),
      playbookVersion: null,
    });
    // In order, the move into the presentation recorded: nothing to fill.
    expect(
      findLeftStageEntry(
        [change('qualifiedtobuy', 10), change('presentationscheduled', 20)],
        null,
        at(30),
        hubspot,
      ),
    ).toMatchObject({ stageId: 'presentationscheduled', enteredAt: at(20) });
  });

  it("HubSpot's own later start of the recorded entry's stage is that entry, not a move back into it", () => {
    const hubspot = listHubSpotStageMoves([
      value('appointmentscheduled', at(0)),
      value('qualifiedtobuy', at(12)),
      value('presentationscheduled', at(30)),
    ]);

    expect(findLeftStageEntry([change('qualifiedtobuy', 10)], null, at(30), hubspot)).toMatchObject({
      stageId: 'qualifiedtobuy',
      enteredAt: at(10),
    });
  });

  it('an entry the service never knew is not judged from HubSpot history alone', () => {
    const hubspot = listHubSpotStageMoves([
      value('qualifiedtobuy', at(10)),
      value('presentationscheduled', at(20)),
    ]);

    expect(findLeftStageEntry([], null, at(20), hubspot)).toBeNull();
  });
});
