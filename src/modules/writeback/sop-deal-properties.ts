import { SOP_COMPLIANCE_VALUES } from '../../domain';
import type { DealPropertyGroupSpec, DealPropertySpec } from '../../platform/hubspot/properties.api';

/**
 * The custom deal properties the app keeps current in HubSpot, in their own group so that admins find
 * them together. Names are a contract with the portal's reports and workflows: never rename one.
 */
export const SOP_PROPERTY_GROUP: DealPropertyGroupSpec = { name: 'sop_guide', label: 'SOP Guide' };

export const SOP_DEAL_PROPERTIES: readonly DealPropertySpec[] = [
  {
    name: 'sop_guide_step',
    label: 'SOP step',
    type: 'string',
    fieldType: 'text',
    description: 'The SOP step (id) the deal follows in its current stage; empty when the stage has none.',
  },
  {
    name: 'sop_guide_progress_percent',
    label: 'SOP progress (%)',
    type: 'number',
    fieldType: 'number',
    description: "Share of the step's required actions and checks that are done.",
  },
  {
    name: 'sop_guide_open_items',
    label: 'SOP open required items',
    type: 'number',
    fieldType: 'number',
    description: 'Required actions not done plus checks failing.',
  },
  {
    name: 'sop_guide_compliance',
    label: 'SOP compliance',
    type: 'enumeration',
    fieldType: 'select',
    description:
      'compliant: ready to advance; blocked: something is open; no_step: the stage follows no step.',
    options: SOP_COMPLIANCE_VALUES.map((value, index) => ({
      value,
      label: { compliant: 'Compliant', blocked: 'Blocked', no_step: 'No SOP step' }[value],
      displayOrder: index,
    })),
  },
  {
    name: 'sop_guide_stalled',
    label: 'SOP stalled',
    type: 'bool',
    fieldType: 'booleancheckbox',
    description: 'The deal is stalled by its SOP step (too long in stage, or no activity).',
    // HubSpot requires the two options of a boolean property to be spelled out.
    options: [
      { label: 'Yes', value: 'true', displayOrder: 0 },
      { label: 'No', value: 'false', displayOrder: 1 },
    ],
  },
  {
    name: 'sop_guide_open_exceptions',
    label: 'SOP open exceptions',
    type: 'number',
    fieldType: 'number',
    description:
      'Times the deal moved on with its SOP unmet that are not settled yet (justified, approved...).',
  },
];
