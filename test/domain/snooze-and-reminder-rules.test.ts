import { decideMovedOnReminderStep, type RecordedReminder } from '../../src/domain/reminder.util';
import { countReminderRound, selectActiveSnooze } from '../../src/domain/snooze.util';

const entry = new Date('2026-11-20T10:00:00Z');
const now = new Date('2026-11-25T15:00:00Z');
const earlierEntry = new Date('2026-10-01T10:00:00Z');

describe('which snooze applies', () => {
  const short = { stageEnteredAt: entry, until: new Date('2026-11-27T00:00:00Z') };
  const long = { stageEnteredAt: null, until: new Date('2026-12-01T00:00:00Z') };
  const over = { stageEnteredAt: entry, until: new Date('2026-11-24T00:00:00Z') };
  const ofEarlierEntry = { stageEnteredAt: earlierEntry, until: new Date('2026-12-20T00:00:00Z') };

  it('the running snooze that lasts longest holds', () => {
    expect(selectActiveSnooze([short, long, over], now, entry)).toBe(long);
  });

  it('a snooze that ran out holds nothing', () => {
    expect(selectActiveSnooze([over], now, entry)).toBeNull();
  });

  it('a snooze given for another stage entry holds nothing once the deal moved', () => {
    expect(selectActiveSnooze([ofEarlierEntry, short], now, entry)).toBe(short);
  });

  it('without a stage entry to match, every running snooze counts', () => {
    expect(selectActiveSnooze([ofEarlierEntry, short], now)).toBe(ofEarlierEntry);
  });

  it('each snooze of this stage entry that ran out opens a new reminder round', () => {
    expect(countReminderRound([], entry, now)).toBe(1);
    expect(countReminderRound([over, short, ofEarlierEntry], entry, now)).toBe(2);
  });
});

describe('closing the reminders of a stage entry that is over', () => {
  const reminder = (overrides: Partial<RecordedReminder>): RecordedReminder => ({
    status: 'sent',
    hubspotTaskId: '7001',
    attempts: 1,
    lastError: null,
    updatedAt: new Date('2026-11-25T14:00:00Z'),
    ...overrides,
  });

  it('a sent task is completed, a refused one only closed', () => {
    expect(decideMovedOnReminderStep(reminder({}), now)).toBe('complete-task');
    expect(decideMovedOnReminderStep(reminder({ status: 'failed', hubspotTaskId: null }), now)).toBe('close');
  });

  it('an intent whose answer was lost is looked up first; a fresh one is another sweep’s, left alone', () => {
    expect(decideMovedOnReminderStep(reminder({ status: 'intent', hubspotTaskId: null }), now)).toBe(
      'look-up-then-complete',
    );
    const fresh = reminder({
      status: 'intent',
      hubspotTaskId: null,
      updatedAt: new Date('2026-11-25T14:55:00Z'),
    });
    expect(decideMovedOnReminderStep(fresh, now)).toBe('wait');
  });
});
