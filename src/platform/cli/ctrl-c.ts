/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Long CLI work (backfill, sweep) checks `requested` between pages: the first Ctrl-C stops it after the
 * page in hand, so it can say what it did; a second exits at once.
 */
export function listenForCtrlC(): { readonly requested: boolean; stop(): void } {
  let requested = false;
  const onSigint = () => {
    if (requested) process.exit(INTERRUPTED_EXIT_CODE);
    requested = true;
  };
  process.on('SIGINT', onSigint);
  return {
    get requested() {
      return requested;
    },
    stop: () => process.off('SIGINT', onSigint),
  };
}
