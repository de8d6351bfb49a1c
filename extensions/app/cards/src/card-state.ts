/**
 * What the card shows, as one discriminated union, and the only ways it changes. A reducer keeps the
 * optimistic checklist honest: a tick in flight is an overlay (`pendingDone`) on the last guidance the
 * server sent, so a failed save rolls back by dropping the overlay, never by guessing the old value.
 */
import type { GuidanceAction, GuidanceResponse } from './guidance-response.schema';

export type CardNotice =
  { kind: 'save-failed'; actionTitle: string; message: string } | { kind: 'refresh-failed'; message: string };

export type CardState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | {
      status: 'ready';
      guidance: GuidanceResponse;
      /** Actions ticked or unticked by the rep whose save has not answered yet, by action id. */
      pendingDone: Readonly<Record<string, boolean>>;
      notice: CardNotice | null;
    };

export type CardEvent =
  | { type: 'load-started' }
  | { type: 'loaded'; guidance: GuidanceResponse }
  | { type: 'load-failed'; message: string }
  | { type: 'toggle-started'; actionId: string; done: boolean }
  | { type: 'toggle-saved'; actionId: string; guidance: GuidanceResponse }
  | { type: 'toggle-failed'; actionId: string; actionTitle: string; message: string }
  | { type: 'snoozed'; guidance: GuidanceResponse }
  | { type: 'notice-dismissed' };

export const initialCardState: CardState = { status: 'loading' };

export function reduceCardState(state: CardState, event: CardEvent): CardState {
  switch (event.type) {
    case 'load-started':
      return { status: 'loading' };
    case 'loaded':
      return state.status === 'ready'
        ? { ...state, guidance: event.guidance, notice: null }
        : { status: 'ready', guidance: event.guidance, pendingDone: {}, notice: null };
    case 'load-failed':
      // A failed background refresh must not wipe guidance the rep is reading: say so and keep it.
      return state.status === 'ready'
        ? { ...state, notice: { kind: 'refresh-failed', message: event.message } }
        : { status: 'failed', message: event.message };
    case 'toggle-started':
      return state.status === 'ready'
        ? { ...state, pendingDone: { ...state.pendingDone, [event.actionId]: event.done }, notice: null }
        : state;
    case 'toggle-saved':
      return state.status === 'ready'
        ? { ...state, guidance: event.guidance, pendingDone: withoutKey(state.pendingDone, event.actionId) }
        : state;
    case 'toggle-failed':
      return state.status === 'ready'
        ? {
            ...state,
            pendingDone: withoutKey(state.pendingDone, event.actionId),
            notice: { kind: 'save-failed', actionTitle: event.actionTitle, message: event.message },
          }
        : state;
    case 'snoozed':
      return state.status === 'ready' ? { ...state, guidance: event.guidance, notice: null } : state;
    case 'notice-dismissed':
      return state.status === 'ready' ? { ...state, notice: null } : state;
  }
}

/** The checklist as the rep sees it: the server's answer with the ticks still in flight laid over it. */
export function actionsAsShown(
  actions: readonly GuidanceAction[],
  pendingDone: Readonly<Record<string, boolean>>,
): GuidanceAction[] {
  return actions.map((action) => {
    const pending = pendingDone[action.id];
    return pending === undefined ? action : { ...action, done: pending };
  });
}

function withoutKey(record: Readonly<Record<string, boolean>>, key: string): Record<string, boolean> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}
