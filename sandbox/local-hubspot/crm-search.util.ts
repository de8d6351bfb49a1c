import {
  normalizeObjectType,
  type CrmObjectType,
  type FakeCrmObject,
  type LocalHubSpotState,
} from './local-hubspot.state';

/**
 * HubSpot's CRM search filter semantics, as far as the app relies on them: filterGroups are ORed,
 * filters inside a group are ANDed; `associations.<type>` filters by associated record id;
 * CONTAINS_TOKEN matches whole words (split on anything that is not a letter or digit, `*` as a
 * wildcard), so a marker only matches if it is one token — a conservative model of HubSpot's tokenizer.
 */
export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  values?: unknown[];
  highValue?: unknown;
}

export const SEARCH_OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

function comparable(raw: string): number | null {
  if (raw.trim() === '') return null;
  const asNumber = Number(raw);
  if (!Number.isNaN(asNumber)) return asNumber;
  const asDate = Date.parse(raw);
  return Number.isNaN(asDate) ? null : asDate;
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0);
}

function tokenMatches(text: string, pattern: string): boolean {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const matcher = new RegExp(`^${escaped}$`, 'u');
  return tokens(text).some((token) => matcher.test(token));
}

function filterMatches(
  state: LocalHubSpotState,
  portalId: number,
  type: CrmObjectType,
  object: FakeCrmObject,
  filter: SearchFilter,
): boolean {
  if (filter.propertyName.startsWith('associations.')) {
    const toType = normalizeObjectType(filter.propertyName.slice('associations.'.length));
    if (!toType) return false;
    const ids = state.associatedIds(portalId, type, object.id, toType).map((a) => a.toId);
    const wanted = filter.values?.map(String) ?? (filter.value === undefined ? [] : [String(filter.value)]);
    if (filter.operator === 'EQ' || filter.operator === 'IN') return wanted.some((id) => ids.includes(id));
    if (filter.operator === 'NEQ' || filter.operator === 'NOT_IN')
      return !wanted.some((id) => ids.includes(id));
    if (filter.operator === 'HAS_PROPERTY') return ids.length > 0;
    if (filter.operator === 'NOT_HAS_PROPERTY') return ids.length === 0;
    return false;
  }
  const actual =
    filter.propertyName === 'hs_object_id'
      ? object.id
      : filter.propertyName === 'hs_createdate'
        ? object.createdAt.toISOString()
        : (object.properties[filter.propertyName] ?? null);
  const value = filter.value === undefined ? '' : String(filter.value);
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return actual !== null && actual !== '';
    case 'NOT_HAS_PROPERTY':
      return actual === null || actual === '';
    case 'EQ':
      return actual !== null && equalValues(actual, value);
    case 'NEQ':
      return actual === null || !equalValues(actual, value);
    case 'IN':
      return actual !== null && (filter.values ?? []).some((v) => equalValues(actual, String(v)));
    case 'NOT_IN':
      return actual === null || !(filter.values ?? []).some((v) => equalValues(actual, String(v)));
    case 'CONTAINS_TOKEN':
      return actual !== null && tokenMatches(actual, value);
    case 'NOT_CONTAINS_TOKEN':
      return actual === null || !tokenMatches(actual, value);
    case 'LT':
    case 'LTE':
    case 'GT':
    case 'GTE':
    case 'BETWEEN': {
      const left = actual === null ? null : comparable(actual);
      const right = comparable(value);
      if (left === null || right === null) return false;
      if (filter.operator === 'LT') return left < right;
      if (filter.operator === 'LTE') return left <= right;
      if (filter.operator === 'GT') return left > right;
      if (filter.operator === 'GTE') return left >= right;
      const high = comparable(String(filter.highValue ?? ''));
      return high !== null && left >= right && left <= high;
    }
    default:
      return false;
  }
}

function equalValues(actual: string, expected: string): boolean {
  if (actual.toLowerCase() === expected.toLowerCase()) return true;
  const left = comparable(actual);
  const right = comparable(expected);
  // Datetimes compare by instant, whether the filter gives epoch millis or ISO.
  return left !== null && right !== null && left === right && !/^\d+$/.test(actual);
}

export function matchesFilterGroups(
  state: LocalHubSpotState,
  portalId: number,
  type: CrmObjectType,
  object: FakeCrmObject,
  groups: ReadonlyArray<{ filters: readonly SearchFilter[] }>,
): boolean {
  if (groups.length === 0) return true;
  return groups.some((group) =>
    group.filters.every((filter) => filterMatches(state, portalId, type, object, filter)),
  );
}
