import type { CliIo } from './cli-command';

/** Off a terminal (a log, CI): a line this often; more would bury the log, fewer looks stuck. */
const LINE_EVERY_MS = 3000;
/** On a terminal the one line is redrawn in place, this often. */
const REDRAW_EVERY_MS = 250;

export interface ProgressReporter {
  /** `done` so far, of `total` when it is known; prints when a line is due. */
  update(done: number, total: number | null): void;
  /** Ends a terminal's redrawn line, so what is printed next starts on a line of its own. */
  end(): void;
}

/**
 * Progress of long CLI work on stderr (stdout keeps the result): "portal 1: 300 of 600 deals projected
 * (150/s, about 2 s left)", or "... 300 deals projected so far (150/s)" when the total is unknown. On a
 * terminal one line is redrawn; elsewhere the first update with work done and left gets a line, then one
 * every few seconds. Create it when the work starts: the rate and the time left count from then.
 */
export function createProgressReporter(
  io: Pick<CliIo, 'err' | 'redrawErr'>,
  label: string,
  what: string,
  now: () => number = Date.now,
): ProgressReporter {
  const startedAt = now();
  let printedAt: number | null = null;
  let redrawn = false;
  return {
    update(done, total) {
      // Nothing done yet, or all of it (the result follows): a small job prints no progress at all.
      if (done === 0 || (total !== null && done >= total)) return;
      const at = now();
      const every = io.redrawErr ? REDRAW_EVERY_MS : LINE_EVERY_MS;
      if (printedAt !== null && at - printedAt < every) return;
      printedAt = at;
      const line = describeProgress(label, what, done, total, at - startedAt);
      if (io.redrawErr) {
        io.redrawErr(line);
        redrawn = true;
      } else io.err(line);
    },
    end() {
      if (redrawn) io.redrawErr?.('');
      redrawn = false;
    },
  };
}

function describeProgress(
  label: string,
  what: string,
  done: number,
  total: number | null,
  elapsedMs: number,
) {
  const perSecond = (done * 1000) / Math.max(1, elapsedMs);
  const rate = `${Math.round(perSecond)}/s`;
  if (total === null) return `${label}: ${done} ${what} so far (${rate})`;
  const left =
    total > done && perSecond > 0 ? `, about ${formatDuration((total - done) / perSecond)} left` : '';
  return `${label}: ${done} of ${total} ${what} (${rate}${left})`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
