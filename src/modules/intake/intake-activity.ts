/**
 * When the webhook edge last journaled a request, so that the inbox drain can give way to the intake
 * while HubSpot is sending: processing shares the event loop (and on SQLite the database file) with the
 * acknowledgements, and HubSpot's retries and timeouts cost more than a backlog drained a little later.
 */
export interface IntakeActivity {
  noteRequest(): void;
  /** Whether a request was journaled within the last INTAKE_BUSY_WINDOW_MS. */
  isBusy(): boolean;
}

export const INTAKE_BUSY_WINDOW_MS = 500;

export function createIntakeActivity(): IntakeActivity {
  // performance.now(), not the service's clock: this is about the load right now, never simulated time.
  let lastRequestAt = Number.NEGATIVE_INFINITY;
  return {
    noteRequest() {
      lastRequestAt = performance.now();
    },
    isBusy() {
      return performance.now() - lastRequestAt < INTAKE_BUSY_WINDOW_MS;
    },
  };
}
