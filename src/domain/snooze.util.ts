/**
 * Which snooze silences a deal, as one rule every caller uses (the card, the impact preview, the
 * sweep): a snooze holds only for the stage entry it was given for (moving the deal ends it), and
 * among those still running the one that lasts longest wins.
 */

/** A snooze is a promise to come back, not a way to switch reminders off: a year is the most it holds. */
export const MAX_SNOOZE_DAYS = 366;

/** What the rule reads of a snooze; adapters' snooze rows carry more. */
export interface SnoozeWindow {
  /** The stage entry the snooze was given for; null for one that holds whatever the stage. */
  stageEnteredAt: Date | null;
  until: Date;
}

/** Whether a snooze was given for this stage entry (or for none in particular). */
function isSnoozeOfStageEntry(snooze: SnoozeWindow, stageEnteredAt: Date): boolean {
  return snooze.stageEnteredAt === null || snooze.stageEnteredAt.getTime() === stageEnteredAt.getTime();
}

/**
 * The snooze in force at `now`: the longest-lasting of those still running. With `stageEnteredAt`, a
 * snooze given for another stage entry does not count. Null when none is in force. Among snoozes that
 * end at the same instant, the first given wins (callers pass them oldest first).
 */
export function selectActiveSnooze<T extends SnoozeWindow>(
  snoozes: readonly T[],
  now: Date,
  stageEnteredAt?: Date,
): T | null {
  let active: T | null = null;
  for (const snooze of snoozes) {
    if (snooze.until.getTime() <= now.getTime()) continue;
    if (stageEnteredAt !== undefined && !isSnoozeOfStageEntry(snooze, stageEnteredAt)) continue;
    if (active === null || snooze.until > active.until) active = snooze;
  }
  return active;
}

/**
 * The reminder round of a stage entry: each snooze of it that ran out opens a new round, so a rep who
 * asked for quiet until Friday and is still stalled on Friday gets a fresh reminder, once.
 */
export function countReminderRound(
  snoozes: readonly SnoozeWindow[],
  stageEnteredAt: Date,
  now: Date,
): number {
  const ofThisEntry = snoozes.filter((snooze) => isSnoozeOfStageEntry(snooze, stageEnteredAt));
  return 1 + ofThisEntry.filter((snooze) => snooze.until.getTime() <= now.getTime()).length;
}
