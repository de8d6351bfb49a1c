/**
 * What a playbook needs to know about deals: the HubSpot reads (batch read properties, association
 * fetches) and the webhook subscriptions are derived from it, so that adding a check needs no code.
 */
import type { CheckRule, Playbook } from './playbook.schema';

function listRules(playbook: Playbook): CheckRule[] {
  return playbook.steps.flatMap((step) => step.checks.map((check) => check.rule));
}

function sortUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Deal properties the playbook's checks read, sorted and without duplicates. */
export function listPropertiesReadByPlaybook(playbook: Playbook): string[] {
  return sortUnique(listRules(playbook).flatMap((rule) => ('property' in rule ? [rule.property] : [])));
}

/** Object types whose associations to the deal the playbook's checks count, sorted and without duplicates. */
export function listAssociationTypesReadByPlaybook(playbook: Playbook): string[] {
  return sortUnique(listRules(playbook).flatMap((rule) => ('associated' in rule ? [rule.associated] : [])));
}
