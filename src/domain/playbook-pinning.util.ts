/**
 * Which playbook version a deal follows, and when it entered its stage, by HubSpot's clock: the moment
 * the service happens to read a deal (a webhook delayed or retried for a day, a backfill run weeks
 * later) must not decide the rules a deal is judged by.
 */

/** A saved playbook version and the instant it came into force. */
export interface PublishedVersion {
  version: number;
  publishedAt: Date;
  /** Published with "apply to deals in progress": every deal already in its stage moved to it. */
  repinsDealsInProgress: boolean;
}

/** One value of a HubSpot property's history (HubSpot's propertiesWithHistory). */
export interface PropertyHistoryValue {
  value: string;
  timestamp: Date;
}

/**
 * The version a deal follows for its current stage entry: the newest one published at or before
 * `enteredAt`, unless a later one was published with "apply to deals in progress" (the deal was in
 * this stage then, so the newest such one applies). Computed from times alone, so the answer is the
 * same whether the service learns of the move before or after those publishes. A stage entered before
 * the portal's first version follows that first version, the nearest rules there are. Null when the
 * portal has no version at all.
 */
export function selectVersionInForce(versions: readonly PublishedVersion[], enteredAt: Date): number | null {
  const at = enteredAt.getTime();
  let inForce: PublishedVersion | null = null;
  let repinnedSince: PublishedVersion | null = null;
  let first: PublishedVersion | null = null;
  for (const candidate of versions) {
    if (first === null || isPublishedBefore(candidate, first)) first = candidate;
    if (candidate.publishedAt.getTime() <= at) {
      if (inForce === null || isPublishedBefore(inForce, candidate)) inForce = candidate;
    } else if (candidate.repinsDealsInProgress) {
      if (repinnedSince === null || isPublishedBefore(repinnedSince, candidate)) repinnedSince = candidate;
    }
  }
  return (repinnedSince ?? inForce ?? first)?.version ?? null;
}

/** Publish order: by time, then by number (two versions saved within one millisecond). */
function isPublishedBefore(a: PublishedVersion, b: PublishedVersion): boolean {
  const byTime = a.publishedAt.getTime() - b.publishedAt.getTime();
  return byTime < 0 || (byTime === 0 && a.version < b.version);
}

/** Newest first, as HubSpot sends it; sorted again so that an unordered answer cannot mislead. */
function newestFirst(history: readonly PropertyHistoryValue[]): PropertyHistoryValue[] {
  return [...history].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
}

/**
 * A deal's dealstage history as moves, oldest first: HubSpot may record a value again without a move,
 * so a run of one value counts once, from its start; an empty value is no stage.
 */
export function listHubSpotStageMoves(history: readonly PropertyHistoryValue[]): PropertyHistoryValue[] {
  const moves: PropertyHistoryValue[] = [];
  let previous: string | null = null;
  for (const entry of newestFirst(history).reverse()) {
    if (entry.value !== previous && entry.value !== '') moves.push(entry);
    previous = entry.value;
  }
  return moves;
}

/**
 * When the deal entered `stageId`, its current stage, according to the dealstage history: the start of
 * the newest run of that value (HubSpot may record the same value again without a move). Null when the
 * history does not show the deal in that stage now.
 */
export function findStageEntryInHistory(
  history: readonly PropertyHistoryValue[],
  stageId: string,
): Date | null {
  const values = newestFirst(history);
  if (values[0]?.value !== stageId) return null;
  let entry = values[0];
  for (const older of values.slice(1)) {
    if (older.value !== stageId) break;
    entry = older;
  }
  return entry.timestamp;
}

/**
 * The stage a deal left when it moved to `toStage` at `movedAt` (a webhook's occurredAt), from the
 * dealstage history: the value before the history's entry for that move (the `toStage` entry nearest to
 * `movedAt`, since the two clocks may differ by a few milliseconds). Null when the history has no such
 * move, or when the deal was created in `toStage` and left nothing.
 */
export function findPreviousStageInHistory(
  history: readonly PropertyHistoryValue[],
  toStage: string,
  movedAt: Date,
): string | null {
  const values = newestFirst(history);
  let move = -1;
  let bestDistance = Infinity;
  values.forEach((entry, index) => {
    if (entry.value !== toStage) return;
    const distance = Math.abs(entry.timestamp.getTime() - movedAt.getTime());
    if (distance < bestDistance) {
      bestDistance = distance;
      move = index;
    }
  });
  if (move < 0) return null;
  return values.slice(move + 1).find((older) => older.value !== toStage && older.value !== '')?.value ?? null;
}
