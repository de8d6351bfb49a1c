/**
 * What the domain knows of a deal: the local projection that webhooks and HubSpot reads keep current.
 * Plain data so that the domain stays pure; adapters build it from rows or HubSpot responses.
 */
export interface DealSnapshot {
  portalId: number;
  dealId: string;
  pipelineId: string;
  stageId: string;
  /** When the deal entered its current stage (HubSpot's hs_v2_date_entered_current_stage). */
  stageEnteredAt: Date;
  ownerId: string | null;
  /** Raw HubSpot property values, as strings, for the properties the playbook's checks read. */
  properties: Record<string, string | null>;
  /** Number of associated records per object type, e.g. {contacts: 2, companies: 1}. */
  associations: Record<string, number>;
  /** Last sales activity logged on the deal (notes_last_updated / hs_last_sales_activity_timestamp). */
  lastActivityAt: Date | null;
  /** Next scheduled activity (notes_next_activity_date): a stall clock pauses while it is in the future. */
  nextActivityAt: Date | null;
}

/** The latest state of one checklist action on a deal, folded from the append-only completion log. */
export interface ActionState {
  actionId: string;
  done: boolean;
  by: { userId: string; email: string | null } | null;
  at: Date | null;
  note: string | null;
}
