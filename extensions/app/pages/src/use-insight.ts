import { useEffect, useState } from 'react';

/** What a page shows while it fetches: a discriminated union, so no state is half-loaded. */
export type InsightState<T> =
  { status: 'loading' } | { status: 'loaded'; data: T } | { status: 'failed'; message: string };

/** Fetches on mount and whenever `key` (the filters) changes; a late answer for old filters is ignored. */
export function useInsight<T>(load: () => Promise<T>, key: string): InsightState<T> {
  const [state, setState] = useState<InsightState<T>>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (data) => current && setState({ status: 'loaded', data }),
      (error: unknown) =>
        current &&
        setState({
          status: 'failed',
          message: error instanceof Error ? error.message : 'Something went wrong.',
        }),
    );
    return () => {
      current = false;
    };
    // `key` stands for the filters `load` closes over: a new `load` each render must not refetch.
  }, [key]);
  return state;
}
