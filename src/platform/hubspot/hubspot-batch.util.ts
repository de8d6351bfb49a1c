/** HubSpot's batch endpoints for CRM objects take at most 100 inputs a call. */
export const HUBSPOT_BATCH_LIMIT = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Ids a 207 reports as not found (errors[].context.ids). */
export function idsInErrors(
  errors: ReadonlyArray<{ context?: Record<string, string[]> | undefined }> | undefined,
): string[] {
  return (errors ?? []).flatMap((e) => e.context?.ids ?? []);
}
