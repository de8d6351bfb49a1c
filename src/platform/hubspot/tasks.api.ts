import {
  AssociationSpecAssociationCategoryEnum,
  FilterOperatorEnum,
  type FilterGroup,
} from '@hubspot/api-client/lib/codegen/crm/objects/tasks';
import type { z } from 'zod';
import { chunk, HUBSPOT_BATCH_LIMIT, idsInErrors } from './hubspot-batch.util';
import { HubSpotError } from './hubspot-error';
import { batchObjectsSchema, searchPageSchema, type crmObjectSchema } from './hubspot-responses.schema';
import { parseResponse, type HubSpotTransport } from './hubspot-transport';

export type TaskPriority = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface NewTask {
  dealId: string;
  subject: string;
  /** Put the reminder's marker here (one token of letters and digits) so a lost create can be found. */
  body: string;
  dueAt: Date;
  ownerId?: string | null;
  priority?: TaskPriority;
  /** Caller's correlation key, echoed on the created task (HubSpot's objectWriteTraceId). */
  key?: string;
}

export interface HubSpotTask {
  id: string;
  subject: string | null;
  body: string | null;
  status: string | null;
  dueAt: Date | null;
  ownerId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatedTask extends HubSpotTask {
  key: string | null;
  dealId: string;
}

export interface CompleteTasksResult {
  completedIds: string[];
  missingIds: string[];
}

/** The tasks reminders put on deals. */
export interface TasksApi {
  /**
   * Creates tasks associated with their deals (batches of 100). Not retried after an ambiguous failure
   * (5xx, timeout): the error says `outcomeUnknown`, and the caller reconciles with findByMarker.
   */
  create(portalId: number, tasks: readonly NewTask[]): Promise<CreatedTask[]>;
  /** Tasks whose body contains the marker token. HubSpot's search index lags writes by a few seconds. */
  findByMarker(portalId: number, marker: string): Promise<HubSpotTask[]>;
  complete(portalId: number, taskIds: readonly string[]): Promise<CompleteTasksResult>;
}

const TASK_TO_DEAL_ASSOCIATION_TYPE_ID = 216;
const SEARCH_PAGE_SIZE = 100;
const TASK_PROPERTIES = [
  'hs_task_subject',
  'hs_task_body',
  'hs_task_status',
  'hs_timestamp',
  'hubspot_owner_id',
  'hs_task_priority',
];
const MARKER_TOKEN = /^[A-Za-z0-9]+$/;

export function createTasksApi(transport: HubSpotTransport): TasksApi {
  async function search(portalId: number, operation: string, filterGroups: FilterGroup[]) {
    const tasks: HubSpotTask[] = [];
    let after: string | undefined;
    do {
      const { data } = await transport.call(portalId, operation, { idempotent: true, search: true }, (apis) =>
        apis.tasksSearch.doSearchWithHttpInfo({
          filterGroups,
          properties: TASK_PROPERTIES,
          limit: SEARCH_PAGE_SIZE,
          sorts: ['hs_createdate'],
          ...(after === undefined ? {} : { after }),
        }),
      );
      const page = parseResponse(searchPageSchema, data, operation, portalId);
      tasks.push(...page.results.map(toTask));
      after = page.paging?.next?.after;
    } while (after);
    return tasks;
  }

  return {
    async create(portalId, tasks) {
      const operation = 'createTasks';
      const created: CreatedTask[] = [];
      let offset = 0;
      for (const batch of chunk(tasks, HUBSPOT_BATCH_LIMIT)) {
        const traceIds = batch.map((task, index) => task.key ?? `task-${offset + index}`);
        offset += batch.length;
        let data: unknown;
        try {
          ({ data } = await transport.call(portalId, operation, { idempotent: false }, (apis) =>
            apis.tasksBatch.createWithHttpInfo({
              inputs: batch.map((task, index) => ({
                objectWriteTraceId: traceIds[index],
                properties: {
                  hs_timestamp: task.dueAt.toISOString(),
                  hs_task_subject: task.subject,
                  hs_task_body: task.body,
                  hs_task_status: 'NOT_STARTED',
                  hs_task_priority: task.priority ?? 'MEDIUM',
                  hs_task_type: 'TODO',
                  ...(task.ownerId ? { hubspot_owner_id: task.ownerId } : {}),
                },
                associations: [
                  {
                    to: { id: task.dealId },
                    types: [
                      {
                        associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
                        associationTypeId: TASK_TO_DEAL_ASSOCIATION_TYPE_ID,
                      },
                    ],
                  },
                ],
              })),
            }),
          ));
        } catch (error) {
          if (error instanceof HubSpotError) error.partialResult = created.slice();
          throw error;
        }
        const parsed = parseResponse(batchObjectsSchema, data, operation, portalId);
        parsed.results.forEach((result, index) => {
          // HubSpot does not promise result order; objectWriteTraceId ties each result to its input.
          const inputIndex =
            result.objectWriteTraceId === undefined ? index : traceIds.indexOf(result.objectWriteTraceId);
          const input = batch[inputIndex];
          created.push({ ...toTask(result), key: input?.key ?? null, dealId: input?.dealId ?? '' });
        });
      }
      return created;
    },

    async findByMarker(portalId, marker) {
      if (!MARKER_TOKEN.test(marker)) {
        throw new Error(
          'A task marker must be a single token of letters and digits, or HubSpot search cannot find it',
        );
      }
      return search(portalId, 'findTasksByMarker', [
        {
          filters: [
            { propertyName: 'hs_task_body', operator: FilterOperatorEnum.ContainsToken, value: marker },
          ],
        },
      ]);
    },

    async complete(portalId, taskIds) {
      const operation = 'completeTasks';
      const completedIds: string[] = [];
      const missing = new Set<string>();
      for (const batch of chunk([...new Set(taskIds)], HUBSPOT_BATCH_LIMIT)) {
        const { data } = await transport.call(portalId, operation, { idempotent: true }, (apis) =>
          apis.tasksBatch.updateWithHttpInfo({
            inputs: batch.map((id) => ({ id, properties: { hs_task_status: 'COMPLETED' } })),
          }),
        );
        const parsed = parseResponse(batchObjectsSchema, data, operation, portalId);
        completedIds.push(...parsed.results.map((r) => r.id));
        for (const id of idsInErrors(parsed.errors)) missing.add(id);
      }
      return { completedIds, missingIds: [...missing] };
    },
  };
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const parsed = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed);
}

function toTask(object: z.infer<typeof crmObjectSchema>): HubSpotTask {
  const p = object.properties;
  return {
    id: object.id,
    subject: p.hs_task_subject ?? null,
    body: p.hs_task_body ?? null,
    status: p.hs_task_status ?? null,
    dueAt: toDate(p.hs_timestamp),
    ownerId: p.hubspot_owner_id || null,
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}
