/**
 * What the app writes back onto each deal in HubSpot, so that managers can filter, report and build
 * workflows on SOP compliance without opening the card. Values are HubSpot's wire format (strings;
 * null clears a property), computed from the same guidance the card shows.
 */
import type { DealGuidance } from './deal-guidance.util';

export const SOP_COMPLIANCE_VALUES = ['compliant', 'blocked', 'no_step'] as const;
export type SopCompliance = (typeof SOP_COMPLIANCE_VALUES)[number];

// A type, not an interface: it must fit where a plain record of last-written values is expected.
export type SopPropertyValues = {
  /** The SOP step id (stable across title edits, so HubSpot filters keep working); null without a step. */
  sop_guide_step: string | null;
  /** Required actions and checks done, in whole percent; null without a step. */
  sop_guide_progress_percent: string | null;
  /** Required actions not done plus checks failing: what stands between the deal and the next stage. */
  sop_guide_open_items: string;
  sop_guide_compliance: SopCompliance;
  sop_guide_stalled: 'true' | 'false';
  /** The deal's open exceptions (moves on with the SOP unmet, not yet settled): DESIGN.md §7. */
  sop_guide_open_exceptions: string;
};

export type SopPropertyName = keyof SopPropertyValues;

export const SOP_PROPERTY_NAMES: readonly SopPropertyName[] = [
  'sop_guide_step',
  'sop_guide_progress_percent',
  'sop_guide_open_items',
  'sop_guide_compliance',
  'sop_guide_stalled',
  'sop_guide_open_exceptions',
];

const FULL_PERCENT = 100;

export function computeSopPropertyValues(guidance: DealGuidance, openExceptions: number): SopPropertyValues {
  const { step, progress, readyToAdvance, stall } = guidance;
  if (step === null) {
    return {
      sop_guide_step: null,
      sop_guide_progress_percent: null,
      sop_guide_open_items: '0',
      sop_guide_compliance: 'no_step',
      sop_guide_stalled: 'false',
      // A deal can leave a stage with the SOP unmet and land in one that follows no step.
      sop_guide_open_exceptions: String(openExceptions),
    };
  }
  // A step that asks for nothing is complete; floor so that 99.6% never reads as done.
  const percent =
    progress.total === 0 ? FULL_PERCENT : Math.floor((progress.done / progress.total) * FULL_PERCENT);
  return {
    sop_guide_step: step.id,
    sop_guide_progress_percent: String(percent),
    sop_guide_open_items: String(progress.total - progress.done),
    sop_guide_compliance: readyToAdvance ? 'compliant' : 'blocked',
    sop_guide_stalled: stall.stalled ? 'true' : 'false',
    sop_guide_open_exceptions: String(openExceptions),
  };
}

/**
 * The properties whose value differs from what was last written: only these go to HubSpot. Nothing
 * written yet (null) means every property is new. An empty result means no call at all.
 */
export function listChangedSopProperties(
  lastWritten: Partial<Record<string, string | null>> | null,
  next: SopPropertyValues,
): Partial<SopPropertyValues> {
  const changed: Partial<Record<SopPropertyName, string | null>> = {};
  for (const name of SOP_PROPERTY_NAMES) {
    const previous = lastWritten === null || !(name in lastWritten) ? undefined : lastWritten[name];
    if (previous !== next[name]) changed[name] = next[name];
  }
  return changed as Partial<SopPropertyValues>;
}
