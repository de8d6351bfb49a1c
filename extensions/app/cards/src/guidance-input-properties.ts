/**
 * The deal properties the guidance depends on: the stage, and what the default playbook's checks read.
 * The card refreshes when any of them changes in the record, and the webhooks subscribe to the same list
 * so that the service's projection moves with them (test/hubspot-project keeps the two lists equal).
 */
export const GUIDANCE_INPUT_PROPERTIES = [
  'dealstage',
  'amount',
  'closedate',
  'hs_next_step',
  'hubspot_owner_id',
  'description',
  'dealtype',
  'notes_next_activity_date',
] as const;
