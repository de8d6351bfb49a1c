import {
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
} from '@hubspot/api-client/lib/codegen/crm/properties';
import { HubSpotError } from './hubspot-error';
import { namedCollectionSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export interface DealPropertyGroupSpec {
  name: string;
  label: string;
  displayOrder?: number;
}

export interface DealPropertySpec {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
  fieldType: 'text' | 'textarea' | 'number' | 'date' | 'select' | 'radio' | 'checkbox' | 'booleancheckbox';
  description?: string;
  options?: Array<{ label: string; value: string; displayOrder?: number; hidden?: boolean }>;
}

export interface EnsureDealPropertiesResult {
  groupCreated: boolean;
  createdProperties: string[];
}

/** The app's own custom deal properties (what write-back fills). */
export interface PropertiesApi {
  /** Creates the group and the properties the portal lacks; existing ones are left as they are. */
  ensureDealProperties(
    portalId: number,
    group: DealPropertyGroupSpec,
    properties: readonly DealPropertySpec[],
  ): Promise<EnsureDealPropertiesResult>;
}

const PROPERTY_TYPES: Record<DealPropertySpec['type'], PropertyCreateTypeEnum> = {
  string: PropertyCreateTypeEnum.String,
  number: PropertyCreateTypeEnum.Number,
  date: PropertyCreateTypeEnum.Date,
  datetime: PropertyCreateTypeEnum.Datetime,
  enumeration: PropertyCreateTypeEnum.Enumeration,
  bool: PropertyCreateTypeEnum.Bool,
};

const FIELD_TYPES: Record<DealPropertySpec['fieldType'], PropertyCreateFieldTypeEnum> = {
  text: PropertyCreateFieldTypeEnum.Text,
  textarea: PropertyCreateFieldTypeEnum.Textarea,
  number: PropertyCreateFieldTypeEnum.Number,
  date: PropertyCreateFieldTypeEnum.Date,
  select: PropertyCreateFieldTypeEnum.Select,
  radio: PropertyCreateFieldTypeEnum.Radio,
  checkbox: PropertyCreateFieldTypeEnum.Checkbox,
  booleancheckbox: PropertyCreateFieldTypeEnum.Booleancheckbox,
};

export function createPropertiesApi(transport: HubSpotTransport): PropertiesApi {
  return {
    async ensureDealProperties(portalId, group, properties) {
      const tolerateConflict = async (work: () => Promise<unknown>): Promise<boolean> => {
        try {
          await work();
          return true;
        } catch (error) {
          // Someone (another instance, an earlier half-finished run) created it first: that is the goal.
          if (error instanceof HubSpotError && error.status === 409) return false;
          throw error;
        }
      };
      const groupsData = await transport.call(
        portalId,
        'listDealPropertyGroups',
        { idempotent: true },
        (apis) => apis.propertyGroups.getAllWithHttpInfo('deals'),
      );
      const groups = parseResponse(
        namedCollectionSchema,
        groupsData.data,
        'listDealPropertyGroups',
        portalId,
      );
      let groupCreated = false;
      if (!groups.results.some((g) => g.name === group.name)) {
        groupCreated = await tolerateConflict(() =>
          transport.call(portalId, 'createDealPropertyGroup', { idempotent: true }, (apis) =>
            apis.propertyGroups.createWithHttpInfo('deals', {
              name: group.name,
              label: group.label,
              ...(group.displayOrder === undefined ? {} : { displayOrder: group.displayOrder }),
            }),
          ),
        );
      }
      const existingData = await transport.call(
        portalId,
        'listDealProperties',
        { idempotent: true },
        (apis) => apis.properties.getAllWithHttpInfo('deals', false),
      );
      const existing = new Set(
        parseResponse(namedCollectionSchema, existingData.data, 'listDealProperties', portalId).results.map(
          (p) => p.name,
        ),
      );
      const createdProperties: string[] = [];
      for (const spec of properties) {
        if (existing.has(spec.name)) continue;
        const created = await tolerateConflict(() =>
          transport.call(portalId, 'createDealProperty', { idempotent: true }, (apis) =>
            apis.properties.createWithHttpInfo('deals', {
              name: spec.name,
              label: spec.label,
              type: PROPERTY_TYPES[spec.type],
              fieldType: FIELD_TYPES[spec.fieldType],
              groupName: group.name,
              ...(spec.description === undefined ? {} : { description: spec.description }),
              ...(spec.options === undefined
                ? {}
                : {
                    options: spec.options.map((o, index) => ({
                      label: o.label,
                      value: o.value,
                      displayOrder: o.displayOrder ?? index,
                      hidden: o.hidden ?? false,
                    })),
                  }),
            }),
          ),
        );
        if (created) createdProperties.push(spec.name);
      }
      return { groupCreated, createdProperties };
    },
  };
}
