import { renderObject, isKnownProperty, propertyList } from './crm-object.view';
import { matchesFilterGroups, SEARCH_OPERATORS, type SearchFilter } from './crm-search.util';
import {
  BATCH_LIMIT,
  batchTooLarge,
  conflict,
  objectNotFound,
  propertyValuesInvalid,
  validationError,
  type FakeResponse,
  type PropertyValidationProblem,
} from './hubspot-error-bodies';
import {
  ASSOCIATION_TYPE_IDS,
  newObject,
  normalizeObjectType,
  SINGULAR_NAME,
  TASK_PRIORITY_VALUES,
  TASK_STATUS_VALUES,
  TASK_TYPE_VALUES,
  touch,
  writeProperty,
  type CrmObjectType,
  type FakeCrmObject,
  type FakePortal,
  type LocalHubSpotState,
} from './local-hubspot.state';

/**
 * The endpoints of the local HubSpot. Each handler answers what api.hubapi.com answers for the same
 * request: status code, field names, paging, 207 multi-status for partial batches, and HubSpot's
 * error bodies. Handlers mutate state before they return, so a fault injected "after the response"
 * loses an answer for work that really happened.
 */
export interface RouteContext {
  state: LocalHubSpotState;
  portal: FakePortal;
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  baseUrl: string;
}

type Handler = (ctx: RouteContext, params: string[]) => FakeResponse;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const ok = (body: unknown, status = 200): FakeResponse => ({ status, body });
const now = () => new Date();
const SUPPORTED_OBJECT_TYPES: ReadonlySet<CrmObjectType> = new Set(['deals', 'tasks', 'notes']);
const SEARCH_MAX_LIMIT = 200;
const OWNERS_MAX_LIMIT = 500;
const LIST_MAX_LIMIT = 100;
const ASSOCIATIONS_PAGE_SIZE = 500;
const ASSOCIATIONS_BATCH_LIMIT = 1000;
const DATETIME_PROPERTIES = new Set([
  'hs_timestamp',
  'hs_task_completion_date',
  'closedate',
  'notes_last_updated',
  'notes_last_contacted',
  'notes_next_activity_date',
  'hs_last_sales_activity_timestamp',
]);
const READ_ONLY_PROPERTIES = new Set(['hs_object_id', 'createdate', 'hs_createdate', 'hs_lastmodifieddate']);

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function objectTypeOr404(raw: string | undefined): CrmObjectType | FakeResponse {
  const type = raw === undefined ? null : normalizeObjectType(raw);
  if (!type || !SUPPORTED_OBJECT_TYPES.has(type)) {
    return objectNotFound(`Unable to infer object type from: ${raw ?? ''}`);
  }
  return type;
}

/** The preamble of every CRM batch endpoint: a known object type and 1..100 inputs, as HubSpot checks them. */
function batchInputsOr4xx(
  ctx: { body: unknown },
  rawType: string | undefined,
): { type: CrmObjectType; inputs: unknown[] } | FakeResponse {
  const type = objectTypeOr404(rawType);
  if (isResponse(type)) return type;
  const inputs = asRecord(ctx.body)?.inputs;
  if (!Array.isArray(inputs)) return validationError('Invalid input JSON: "inputs" is required');
  if (inputs.length > BATCH_LIMIT) return batchTooLarge(inputs.length);
  return { type, inputs };
}

function isResponse(value: unknown): value is FakeResponse {
  return (
    asRecord(value) !== null &&
    typeof (value as FakeResponse).status === 'number' &&
    'body' in (value as object)
  );
}

function batchEnvelope(
  results: unknown[],
  errors: unknown[],
  startedAt: Date,
): FakeResponse & { body: object } {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt: startedAt.toISOString(),
    completedAt: now().toISOString(),
  };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  return { status: errors.length > 0 ? 207 : 200, body };
}

function notFoundInBatch(type: CrmObjectType, ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${SINGULAR_NAME[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids },
  };
}

function normalizeDatetime(value: string): string | null {
  if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString();
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** Validates property writes like HubSpot: unknown names, read-only names, enumeration options, dates. */
function validateWrites(
  ctx: RouteContext,
  type: CrmObjectType,
  properties: Record<string, unknown>,
): { problems: PropertyValidationProblem[]; values: Record<string, string | null> } {
  const problems: PropertyValidationProblem[] = [];
  const values: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(properties)) {
    const value = raw === null || raw === undefined ? null : String(raw);
    if (!isKnownProperty(ctx.state, ctx.portal.portalId, type, name)) {
      problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (READ_ONLY_PROPERTIES.has(name) || name.startsWith('hs_v2_')) {
      problems.push({
        name,
        error: 'READ_ONLY_VALUE',
        message: `${name} is a read only property; its value cannot be set.`,
      });
      continue;
    }
    const options =
      name === 'hs_task_status'
        ? TASK_STATUS_VALUES
        : name === 'hs_task_priority'
          ? TASK_PRIORITY_VALUES
          : name === 'hs_task_type'
            ? TASK_TYPE_VALUES
            : name === 'dealstage' && type === 'deals'
              ? ctx.portal.dealPipelines.flatMap((p) => p.stages.map((s) => s.id))
              : name === 'pipeline' && type === 'deals'
                ? ctx.portal.dealPipelines.map((p) => p.id)
                : (ctx.portal.dealProperties.get(name)?.options.map((o) => o.value) ?? null);
    if (
      value !== null &&
      value !== '' &&
      options !== null &&
      options.length > 0 &&
      !options.includes(value)
    ) {
      problems.push({
        name,
        error: 'INVALID_OPTION',
        message: `${value} was not one of the allowed options: [${options.map((o) => `label: "${o}"\nvalue: "${o}"`).join(', ')}]`,
      });
      continue;
    }
    if (value !== null && value !== '' && DATETIME_PROPERTIES.has(name)) {
      const iso = normalizeDatetime(value);
      if (iso === null) {
        problems.push({
          name,
          error: 'INVALID_DATE',
          message: `${value} is not a valid datetime for ${name}`,
        });
        continue;
      }
      values[name] = iso;
      continue;
    }
    values[name] = value;
  }
  return { problems, values };
}

function applyWrites(
  ctx: RouteContext,
  type: CrmObjectType,
  object: FakeCrmObject,
  values: Record<string, string | null>,
) {
  const at = now();
  const { dealstage, ...rest } = values;
  for (const [name, value] of Object.entries(rest)) writeProperty(object, name, value, at, 'INTEGRATION');
  if (type === 'deals' && dealstage) {
    if (dealstage !== object.properties.dealstage) {
      ctx.state.apiStageUpdates.push({
        portalId: ctx.portal.portalId,
        dealId: object.id,
        fromStage: object.properties.dealstage ?? null,
        toStage: dealstage,
        at,
      });
    }
    ctx.state.moveDealToStage(ctx.portal.portalId, object.id, dealstage, at);
  }
  if (type === 'tasks' && values.hs_task_status === 'COMPLETED' && !('hs_task_completion_date' in values)) {
    writeProperty(object, 'hs_task_completion_date', at.toISOString(), at, 'CALCULATED');
  }
  touch(object, at);
}

interface CreateInput {
  properties: Record<string, unknown>;
  associations: Array<{ toId: string; toType: CrmObjectType }>;
  objectWriteTraceId?: string;
}

/** Parses and validates one create input; returns an error response for the whole request when invalid. */
function parseCreateInput(ctx: RouteContext, type: CrmObjectType, raw: unknown): CreateInput | FakeResponse {
  const input = asRecord(raw);
  const properties = asRecord(input?.properties);
  if (!input || !properties) return validationError('Invalid input JSON: "properties" is required');
  const associations: CreateInput['associations'] = [];
  for (const rawAssociation of Array.isArray(input.associations) ? input.associations : []) {
    const association = asRecord(rawAssociation);
    const toId = asRecord(association?.to)?.id;
    const types = Array.isArray(association?.types) ? association.types : [];
    if (typeof toId !== 'string' || types.length === 0) {
      return validationError('Invalid association: "to.id" and at least one "types" entry are required');
    }
    for (const rawSpec of types) {
      const spec = asRecord(rawSpec);
      const typeId = spec?.associationTypeId;
      const category = spec?.associationCategory;
      const match = Object.entries(ASSOCIATION_TYPE_IDS).find(
        ([key, id]) => id === typeId && key.startsWith(`${type}->`),
      );
      if (category !== 'HUBSPOT_DEFINED' || !match) {
        return validationError(
          `association type id ${String(typeId)} (${String(category)}) is not valid for ${SINGULAR_NAME[type]} associations`,
        );
      }
      const toType = normalizeObjectType(match[0].split('->')[1] ?? '');
      if (!toType) return validationError(`association type id ${String(typeId)} is not valid`);
      if (!ctx.portal.objects[toType].has(toId)) {
        return validationError(
          `One or more associations are invalid: no ${SINGULAR_NAME[toType]} with id ${toId} exists`,
          {
            ids: [toId],
          },
        );
      }
      associations.push({ toId, toType });
    }
  }
  // HubSpot requires hs_timestamp on engagements: tasks and notes alike.
  if (
    (type === 'tasks' || type === 'notes') &&
    (properties.hs_timestamp === undefined || properties.hs_timestamp === null)
  ) {
    return propertyValuesInvalid(ctx.portal.portalId, [
      { name: 'hs_timestamp', error: 'REQUIRED_PROPERTY', message: 'hs_timestamp is required' },
    ]);
  }
  const traceId = input.objectWriteTraceId;
  return {
    properties,
    associations,
    ...(typeof traceId === 'string' ? { objectWriteTraceId: traceId } : {}),
  };
}

function createObjects(
  ctx: RouteContext,
  type: CrmObjectType,
  rawInputs: unknown[],
): FakeResponse | FakeCrmObject[] {
  const inputs: CreateInput[] = [];
  const problems: PropertyValidationProblem[] = [];
  const validated: Array<Record<string, string | null>> = [];
  for (const raw of rawInputs) {
    const parsed = parseCreateInput(ctx, type, raw);
    if (isResponse(parsed)) return parsed;
    const checked = validateWrites(ctx, type, parsed.properties);
    problems.push(...checked.problems);
    inputs.push(parsed);
    validated.push(checked.values);
  }
  // HubSpot validates the whole batch first: one bad input and nothing is created.
  if (problems.length > 0) return propertyValuesInvalid(ctx.portal.portalId, problems);
  return inputs.map((input, index) => {
    const at = now();
    const object = newObject(ctx.state.nextId(), at);
    writeProperty(object, 'hs_object_id', object.id, at, 'INTEGRATION');
    if (type === 'deals') writeProperty(object, 'createdate', at.toISOString(), at, 'INTEGRATION');
    ctx.portal.objects[type].set(object.id, object);
    applyWrites(ctx, type, object, validated[index] ?? {});
    for (const association of input.associations) {
      ctx.state.associate(ctx.portal.portalId, type, object.id, association.toType, association.toId);
    }
    return object;
  });
}

const routes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/account-info\/v3\/details$/,
    handler: ({ portal }) => {
      const offset = utcOffset(portal.timeZone);
      return ok({
        portalId: portal.portalId,
        accountType: portal.accountType,
        timeZone: portal.timeZone,
        companyCurrency: portal.companyCurrency,
        additionalCurrencies: [],
        utcOffset: offset.text,
        utcOffsetMilliseconds: offset.ms,
        uiDomain: portal.uiDomain,
        dataHostingLocation: portal.dataHostingLocation,
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/pipelines\/([^/]+)$/,
    handler: ({ portal }, [objectType]) => {
      if (normalizeObjectType(objectType ?? '') !== 'deals') return ok({ results: [] });
      return ok({ results: portal.dealPipelines.map(renderPipeline) });
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/pipelines\/([^/]+)\/([^/]+)$/,
    handler: ({ portal }, [objectType, pipelineId]) => {
      const pipeline =
        normalizeObjectType(objectType ?? '') === 'deals'
          ? portal.dealPipelines.find((p) => p.id === pipelineId)
          : undefined;
      return pipeline
        ? ok(renderPipeline(pipeline))
        : objectNotFound(`Unable to find pipeline ${pipelineId ?? ''}`);
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/batch\/read$/,
    handler: (ctx, [rawType]) => {
      const batch = batchInputsOr4xx(ctx, rawType);
      if (isResponse(batch)) return batch;
      const { type, inputs } = batch;
      const body = asRecord(ctx.body) ?? {};
      const startedAt = now();
      const archived = ctx.query.get('archived') === 'true';
      const ids = [...new Set(inputs.map((i) => String(asRecord(i)?.id ?? '')))];
      const found: unknown[] = [];
      const missing: string[] = [];
      for (const id of ids) {
        const object = ctx.portal.objects[type].get(id);
        if (!object || object.archived !== archived) missing.push(id);
        else
          found.push(
            renderObject(
              ctx.state,
              ctx.portal.portalId,
              type,
              object,
              stringList(body.properties),
              stringList(body.propertiesWithHistory),
            ),
          );
      }
      return batchEnvelope(found, missing.length > 0 ? [notFoundInBatch(type, missing)] : [], startedAt);
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/batch\/update$/,
    handler: (ctx, [rawType]) => {
      const batch = batchInputsOr4xx(ctx, rawType);
      if (isResponse(batch)) return batch;
      const { type, inputs } = batch;
      const ids = inputs.map((i) => String(asRecord(i)?.id ?? ''));
      const duplicates = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
      if (duplicates.length > 0) {
        return validationError(
          `Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`,
          {
            ids: duplicates,
          },
        );
      }
      const problems: PropertyValidationProblem[] = [];
      const writes = inputs.map((raw) => {
        const checked = validateWrites(ctx, type, asRecord(asRecord(raw)?.properties) ?? {});
        problems.push(...checked.problems);
        return checked.values;
      });
      if (problems.length > 0) return propertyValuesInvalid(ctx.portal.portalId, problems);
      const startedAt = now();
      const results: unknown[] = [];
      const missing: string[] = [];
      inputs.forEach((raw, index) => {
        const id = ids[index] ?? '';
        const object = ctx.portal.objects[type].get(id);
        if (!object || object.archived) {
          missing.push(id);
          return;
        }
        const values = writes[index] ?? {};
        applyWrites(ctx, type, object, values);
        const view = renderObject(ctx.state, ctx.portal.portalId, type, object, Object.keys(values));
        const traceId = asRecord(raw)?.objectWriteTraceId;
        results.push(typeof traceId === 'string' ? { ...view, objectWriteTraceId: traceId } : view);
      });
      return batchEnvelope(results, missing.length > 0 ? [notFoundInBatch(type, missing)] : [], startedAt);
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/batch\/create$/,
    handler: (ctx, [rawType]) => {
      const batch = batchInputsOr4xx(ctx, rawType);
      if (isResponse(batch)) return batch;
      const { type, inputs } = batch;
      const startedAt = now();
      const created = createObjects(ctx, type, inputs);
      if (isResponse(created)) return created;
      const results = created.map((object, index) => {
        const view = renderObject(
          ctx.state,
          ctx.portal.portalId,
          type,
          object,
          Object.keys(object.properties),
        );
        const traceId = asRecord(inputs[index])?.objectWriteTraceId;
        return typeof traceId === 'string' ? { ...view, objectWriteTraceId: traceId } : view;
      });
      return { ...batchEnvelope(results, [], startedAt), status: 201 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/search$/,
    handler: (ctx, [rawType]) => {
      const type = objectTypeOr404(rawType);
      if (isResponse(type)) return type;
      const body = asRecord(ctx.body) ?? {};
      const limit = body.limit === undefined ? 10 : Number(body.limit);
      if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
        return validationError(`limit must be between 0 and ${SEARCH_MAX_LIMIT}`);
      }
      const groups = Array.isArray(body.filterGroups) ? body.filterGroups : [];
      if (groups.length > 5) return validationError('Too many filter groups: a search can have at most 5');
      const parsedGroups: Array<{ filters: SearchFilter[] }> = [];
      for (const rawGroup of groups) {
        const filters = asRecord(rawGroup)?.filters;
        if (!Array.isArray(filters)) return validationError('Each filter group needs "filters"');
        if (filters.length > 6)
          return validationError('Too many filters in a group: a group can have at most 6');
        const parsed: SearchFilter[] = [];
        for (const rawFilter of filters) {
          const filter = asRecord(rawFilter);
          if (!filter || typeof filter.propertyName !== 'string' || typeof filter.operator !== 'string') {
            return validationError('Each filter needs "propertyName" and "operator"');
          }
          if (!SEARCH_OPERATORS.has(filter.operator)) {
            return validationError(`Invalid operator ${filter.operator}`);
          }
          parsed.push({
            propertyName: filter.propertyName,
            operator: filter.operator,
            value: filter.value,
            values: Array.isArray(filter.values) ? filter.values : undefined,
            highValue: filter.highValue,
          });
        }
        parsedGroups.push({ filters: parsed });
      }
      const offset =
        body.after === undefined || body.after === null || body.after === '' ? 0 : Number(body.after);
      const matching = [...ctx.portal.objects[type].values()]
        .filter((object) => !object.archived)
        .filter((object) => matchesFilterGroups(ctx.state, ctx.portal.portalId, type, object, parsedGroups))
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const page = matching.slice(offset, offset + limit);
      const properties = stringList(body.properties);
      const response: Record<string, unknown> = {
        total: matching.length,
        results: page.map((object) => renderObject(ctx.state, ctx.portal.portalId, type, object, properties)),
      };
      if (offset + limit < matching.length) response.paging = { next: { after: String(offset + limit) } };
      return ok(response);
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/([^/]+)$/,
    handler: (ctx, [rawType]) => {
      const type = objectTypeOr404(rawType);
      if (isResponse(type)) return type;
      const created = createObjects(ctx, type, [ctx.body]);
      if (isResponse(created)) return created;
      const object = created[0];
      if (!object) return validationError('Nothing to create');
      return ok(
        renderObject(ctx.state, ctx.portal.portalId, type, object, Object.keys(object.properties)),
        201,
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/objects\/([^/]+)$/,
    handler: (ctx, [rawType]) => {
      const type = objectTypeOr404(rawType);
      if (isResponse(type)) return type;
      const limit = ctx.query.get('limit') === null ? 10 : Number(ctx.query.get('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_LIMIT) {
        return validationError(`limit must be between 1 and ${LIST_MAX_LIMIT}`);
      }
      const archived = ctx.query.get('archived') === 'true';
      // HubSpot's list pages by id; `after` is the id the next page starts at.
      const after = ctx.query.get('after');
      const all = [...ctx.portal.objects[type].values()]
        .filter((object) => object.archived === archived)
        .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const start = after ? all.findIndex((object) => BigInt(object.id) >= BigInt(after)) : 0;
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const properties = propertyList(ctx.query.getAll('properties'));
      const body: Record<string, unknown> = {
        results: page.map((object) => renderObject(ctx.state, ctx.portal.portalId, type, object, properties)),
      };
      const next = start < 0 ? undefined : all[start + limit];
      if (next) {
        body.paging = {
          next: {
            after: next.id,
            link: `${ctx.baseUrl}/crm/v3/objects/${type}?limit=${limit}&after=${next.id}`,
          },
        };
      }
      return ok(body);
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/,
    handler: (ctx, [rawType, id]) => {
      const type = objectTypeOr404(rawType);
      if (isResponse(type)) return type;
      const object = ctx.portal.objects[type].get(id ?? '');
      const archived = ctx.query.get('archived') === 'true';
      if (!object || object.archived !== archived) return objectNotFound();
      const view: Record<string, unknown> = {
        ...renderObject(
          ctx.state,
          ctx.portal.portalId,
          type,
          object,
          propertyList(ctx.query.getAll('properties')),
          propertyList(ctx.query.getAll('propertiesWithHistory')),
        ),
      };
      const associationTypes = propertyList(ctx.query.getAll('associations'));
      if (associationTypes.length > 0) {
        const associations: Record<string, unknown> = {};
        for (const raw of associationTypes) {
          const toType = normalizeObjectType(raw);
          if (!toType) continue;
          const linked = ctx.state.associatedIds(ctx.portal.portalId, type, object.id, toType);
          if (linked.length === 0) continue;
          associations[toType] = {
            results: linked.map((a) => ({
              id: a.toId,
              type: `${SINGULAR_NAME[type]}_to_${SINGULAR_NAME[toType]}`,
            })),
          };
        }
        view.associations = associations;
      }
      return ok(view);
    },
  },
  {
    method: 'PATCH',
    pattern: /^\/crm\/v3\/objects\/([^/]+)\/([^/]+)$/,
    handler: (ctx, [rawType, id]) => {
      const type = objectTypeOr404(rawType);
      if (isResponse(type)) return type;
      const object = ctx.portal.objects[type].get(id ?? '');
      if (!object || object.archived) return objectNotFound();
      const properties = asRecord(asRecord(ctx.body)?.properties);
      if (!properties) return validationError('Invalid input JSON: "properties" is required');
      const checked = validateWrites(ctx, type, properties);
      if (checked.problems.length > 0) return propertyValuesInvalid(ctx.portal.portalId, checked.problems);
      applyWrites(ctx, type, object, checked.values);
      return ok(renderObject(ctx.state, ctx.portal.portalId, type, object, Object.keys(checked.values)));
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/,
    handler: (ctx, [rawFrom, rawTo]) => {
      const fromType = normalizeObjectType(rawFrom ?? '');
      const toType = normalizeObjectType(rawTo ?? '');
      if (!fromType || !toType)
        return objectNotFound(`Unable to infer object type from: ${!fromType ? rawFrom : rawTo}`);
      const inputs = asRecord(ctx.body)?.inputs;
      if (!Array.isArray(inputs)) return validationError('Invalid input JSON: "inputs" is required');
      if (inputs.length > ASSOCIATIONS_BATCH_LIMIT)
        return batchTooLarge(inputs.length, ASSOCIATIONS_BATCH_LIMIT);
      const startedAt = now();
      const results: unknown[] = [];
      const errors: unknown[] = [];
      for (const raw of inputs) {
        const input = asRecord(raw);
        const id = String(input?.id ?? '');
        const offset = input?.after ? Number(input.after) : 0;
        const linked = ctx.state.associatedIds(ctx.portal.portalId, fromType, id, toType);
        if (linked.length === 0) {
          errors.push({
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
            message: `No ${SINGULAR_NAME[toType]} is associated with ${SINGULAR_NAME[fromType]} ${id}.`,
            context: {
              fromObjectId: [id],
              fromObjectType: [SINGULAR_NAME[fromType]],
              toObjectType: [SINGULAR_NAME[toType]],
            },
          });
          continue;
        }
        const page = linked.slice(offset, offset + ASSOCIATIONS_PAGE_SIZE);
        const result: Record<string, unknown> = {
          from: { id },
          // HubSpot sends toObjectId as a JSON number here, although the SDK types it as a string.
          to: page.map((a) => ({
            toObjectId: Number(a.toId),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: a.typeId, label: null }],
          })),
        };
        if (offset + ASSOCIATIONS_PAGE_SIZE < linked.length) {
          result.paging = { next: { after: String(offset + ASSOCIATIONS_PAGE_SIZE), link: null } };
        }
        results.push(result);
      }
      return batchEnvelope(results, errors, startedAt);
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/owners$/,
    handler: (ctx) => {
      const limit = ctx.query.get('limit') === null ? 100 : Number(ctx.query.get('limit'));
      if (!Number.isInteger(limit) || limit < 1 || limit > OWNERS_MAX_LIMIT) {
        return validationError(`limit must be between 1 and ${OWNERS_MAX_LIMIT}`);
      }
      const archived = ctx.query.get('archived') === 'true';
      const email = ctx.query.get('email');
      const owners = ctx.portal.owners
        .filter((o) => o.archived === archived)
        .filter((o) => email === null || o.email.toLowerCase() === email.toLowerCase());
      const offset = Number(ctx.query.get('after') ?? '0') || 0;
      const page = owners.slice(offset, offset + limit);
      const body: Record<string, unknown> = { results: page.map(renderOwner) };
      if (offset + limit < owners.length) {
        const after = String(offset + limit);
        body.paging = {
          next: { after, link: `${ctx.baseUrl}/crm/v3/owners/?after=${after}&limit=${limit}` },
        };
      }
      return ok(body);
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/owners\/([^/]+)$/,
    handler: (ctx, [ownerId]) => {
      const byUser = ctx.query.get('idProperty') === 'userId';
      const owner = ctx.portal.owners.find((o) => (byUser ? String(o.userId) === ownerId : o.id === ownerId));
      return owner ? ok(renderOwner(owner)) : objectNotFound();
    },
  },
  {
    method: 'GET',
    pattern: /^\/settings\/v3\/users\/([^/]+)$/,
    handler: (ctx, [rawUserId]) => {
      const key = decodeURIComponent(rawUserId ?? '');
      const byEmail = ctx.query.get('idProperty') === 'EMAIL';
      const user = ctx.portal.users.find((u) =>
        byEmail ? u.email.toLowerCase() === key.toLowerCase() : u.id === key,
      );
      if (!user) return objectNotFound(`No user found with ${byEmail ? 'email' : 'id'} ${key}`);
      return ok({
        id: user.id,
        email: user.email,
        ...(user.firstName ? { firstName: user.firstName } : {}),
        ...(user.lastName ? { lastName: user.lastName } : {}),
        roleIds: user.roleIds,
        ...(user.primaryTeamId ? { primaryTeamId: user.primaryTeamId } : {}),
        secondaryTeamIds: user.secondaryTeamIds,
        superAdmin: user.superAdmin,
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/groups$/,
    handler: (ctx, [rawType]) => {
      if (normalizeObjectType(rawType ?? '') !== 'deals') return ok({ results: [] });
      return ok({ results: ctx.state.dealPropertyGroupDefinitions(ctx.portal.portalId) });
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/groups$/,
    handler: (ctx, [rawType]) => {
      if (normalizeObjectType(rawType ?? '') !== 'deals')
        return objectNotFound(`Unable to infer object type from: ${rawType}`);
      const body = asRecord(ctx.body);
      const name = body?.name;
      const label = body?.label;
      if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name) || typeof label !== 'string') {
        return validationError('A property group needs a lowercase "name" and a "label"');
      }
      if (ctx.state.dealPropertyGroupDefinitions(ctx.portal.portalId).some((g) => g.name === name)) {
        return conflict(`A property group named '${name}' already exists.`);
      }
      const group = {
        name,
        label,
        displayOrder: typeof body?.displayOrder === 'number' ? body.displayOrder : -1,
        archived: false,
      };
      ctx.portal.dealPropertyGroups.set(name, group);
      return ok(group, 201);
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)$/,
    handler: (ctx, [rawType]) => {
      if (normalizeObjectType(rawType ?? '') !== 'deals') return ok({ results: [] });
      return ok({ results: ctx.state.dealPropertyDefinitions(ctx.portal.portalId).map(renderProperty) });
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/([^/]+)$/,
    handler: (ctx, [rawType, name]) => {
      if (normalizeObjectType(rawType ?? '') !== 'deals') return objectNotFound();
      const property = ctx.state.dealPropertyDefinitions(ctx.portal.portalId).find((p) => p.name === name);
      return property
        ? ok(renderProperty(property))
        : objectNotFound(`Unable to find property ${name ?? ''}`);
    },
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/properties\/([^/]+)$/,
    handler: (ctx, [rawType]) => {
      if (normalizeObjectType(rawType ?? '') !== 'deals')
        return objectNotFound(`Unable to infer object type from: ${rawType}`);
      const body = asRecord(ctx.body) ?? {};
      const { name, label, type, fieldType, groupName } = body;
      if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name)) {
        return validationError(
          'Property "name" must start with a lowercase letter and contain only a-z, 0-9 and _',
        );
      }
      if (
        typeof label !== 'string' ||
        typeof type !== 'string' ||
        typeof fieldType !== 'string' ||
        typeof groupName !== 'string'
      ) {
        return validationError('A property needs "label", "type", "fieldType" and "groupName"');
      }
      if (!['string', 'number', 'date', 'datetime', 'enumeration', 'bool'].includes(type)) {
        return validationError(`Invalid property type ${type}`);
      }
      if (
        ![
          'textarea',
          'text',
          'date',
          'file',
          'number',
          'select',
          'radio',
          'checkbox',
          'booleancheckbox',
          'calculation_equation',
          'html',
          'phonenumber',
        ].includes(fieldType)
      ) {
        return validationError(`Invalid field type ${fieldType}`);
      }
      if (!ctx.state.dealPropertyGroupDefinitions(ctx.portal.portalId).some((g) => g.name === groupName)) {
        return validationError(`Property group ${groupName} does not exist`);
      }
      if (ctx.state.isKnownDealProperty(ctx.portal.portalId, name)) {
        return conflict(`Property named '${name}' already exists.`);
      }
      const at = now();
      const options = Array.isArray(body.options)
        ? body.options.map((raw, index) => {
            const option = asRecord(raw) ?? {};
            return {
              label: String(option.label ?? ''),
              value: String(option.value ?? ''),
              displayOrder: typeof option.displayOrder === 'number' ? option.displayOrder : index,
              hidden: option.hidden === true,
            };
          })
        : [];
      const property = {
        name,
        label,
        type,
        fieldType,
        groupName,
        description: typeof body.description === 'string' ? body.description : '',
        options,
        displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
        hubspotDefined: false,
        calculated: false,
        hasUniqueValue: body.hasUniqueValue === true,
        hidden: body.hidden === true,
        formField: body.formField === true,
        createdAt: at,
        updatedAt: at,
      };
      ctx.portal.dealProperties.set(name, property);
      return ok(renderProperty(property), 201);
    },
  },
];

export function handleRoute(ctx: RouteContext): FakeResponse {
  for (const route of routes) {
    if (route.method !== ctx.method) continue;
    const match = route.pattern.exec(ctx.path);
    if (match)
      return route.handler(
        ctx,
        match.slice(1).map((part) => decodeURIComponent(part)),
      );
  }
  return objectNotFound();
}

function renderPipeline(pipeline: FakePortal['dealPipelines'][number]) {
  return {
    id: pipeline.id,
    label: pipeline.label,
    displayOrder: pipeline.displayOrder,
    archived: false,
    createdAt: pipeline.createdAt.toISOString(),
    updatedAt: pipeline.updatedAt.toISOString(),
    stages: pipeline.stages.map((stage) => ({
      id: stage.id,
      label: stage.label,
      displayOrder: stage.displayOrder,
      // HubSpot sends stage metadata values as strings.
      metadata: { isClosed: String(stage.isClosed), probability: String(stage.probability) },
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
      createdAt: pipeline.createdAt.toISOString(),
      updatedAt: pipeline.updatedAt.toISOString(),
    })),
  };
}

function renderOwner(owner: FakePortal['owners'][number]) {
  return {
    id: owner.id,
    email: owner.email,
    type: 'PERSON',
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    createdAt: owner.createdAt.toISOString(),
    updatedAt: owner.updatedAt.toISOString(),
    archived: owner.archived,
    teams: owner.teams,
  };
}

function renderProperty(property: ReturnType<LocalHubSpotState['dealPropertyDefinitions']>[number]) {
  return {
    ...property,
    createdAt: property.createdAt.toISOString(),
    updatedAt: property.updatedAt.toISOString(),
    archived: false,
    modificationMetadata: {
      archivable: !property.hubspotDefined,
      readOnlyDefinition: property.hubspotDefined,
      readOnlyValue: property.calculated,
    },
  };
}

/** "+HH:MM" offset of a time zone right now, as HubSpot reports utcOffset. */
function utcOffset(timeZone: string): { text: string; ms: number } {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
    const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
    if (!match) return { text: '+00:00', ms: 0 };
    const sign = match[1] === '-' ? -1 : 1;
    const ms = sign * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
    return { text: `${match[1]}${match[2]}:${match[3]}`, ms };
  } catch {
    return { text: '+00:00', ms: 0 };
  }
}
