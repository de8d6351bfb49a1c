import { z } from 'zod';
import type { ExceptionListResponse } from '../../../extensions/app/cards/src/guidance-response.schema';
import type { Store } from '../../platform/db';
import { groupBy } from '../../domain';
import { AppError } from '../../platform/errors/app-error';
import type { ManagerAccess } from '../access';
import type { ExceptionCursor, ExceptionStatus } from './exception.repository';
import { toExceptionView } from './exception-view';
import type { OwnerLookup } from './owner-lookup';

/** Items per page unless the request asks for fewer (or more, up to MAX_EXCEPTION_PAGE_SIZE). */
export const EXCEPTION_PAGE_SIZE = 50;
export const MAX_EXCEPTION_PAGE_SIZE = 200;
export interface ExceptionQuery {
  status?: ExceptionStatus;
  ownerId?: string;
  since?: Date;
  cursor?: string;
  limit?: number;
}

const cursorSchema = z.tuple([z.number().int().nonnegative(), z.string().min(1)]);

export function encodeExceptionCursor(cursor: ExceptionCursor): string {
  return Buffer.from(JSON.stringify([cursor.movedAt.getTime(), cursor.id])).toString('base64url');
}

export function decodeExceptionCursor(text: string): ExceptionCursor {
  try {
    const [movedAtMs, id] = cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return { movedAt: new Date(movedAtMs), id };
  } catch {
    throw new AppError('BAD_REQUEST', 'cursor: expected a nextCursor this API returned');
  }
}

/**
 * Who sees which exceptions (DESIGN.md §7): managers every deal's, anyone else the deals they own
 * (their HubSpot user's owner, through the owners API's userId).
 */
export function createExceptionQueries(deps: {
  store: Store;
  owners: OwnerLookup;
  managerAccess: ManagerAccess;
}) {
  const { store, owners, managerAccess } = deps;
  return {
    /** Each deal's exceptions, newest first; a deal without any is absent. */
    async listExceptionsOfDeals(portalId: number, dealIds: readonly string[]) {
      const views = (await store.exceptions.listDealExceptions(portalId, dealIds)).map(toExceptionView);
      return groupBy(views, (view) => view.dealId);
    },

    async listExceptions(
      portalId: number,
      userId: string,
      query: ExceptionQuery,
      now: Date,
    ): Promise<ExceptionListResponse> {
      const pageSize = query.limit ?? EXCEPTION_PAGE_SIZE;
      let ownerId = query.ownerId;
      if (!(await managerAccess.describeAccess(portalId, userId)).canEdit) {
        const own = await owners.ownerIdOfUser(portalId, userId, now);
        if (ownerId !== undefined && ownerId !== own) {
          throw new AppError('FORBIDDEN', "Only managers can see other owners' exceptions.");
        }
        if (own === null) return { items: [], nextCursor: null };
        ownerId = own;
      }
      const rows = await store.exceptions.listExceptions(portalId, {
        ...(query.status ? { status: query.status } : {}),
        ...(ownerId ? { ownerId } : {}),
        ...(query.since ? { since: query.since } : {}),
        ...(query.cursor ? { after: decodeExceptionCursor(query.cursor) } : {}),
        limit: pageSize + 1,
      });
      const page = rows.slice(0, pageSize);
      const last = page[page.length - 1];
      return {
        items: page.map(toExceptionView),
        nextCursor:
          rows.length > pageSize && last
            ? encodeExceptionCursor({ movedAt: last.movedAt, id: last.id })
            : null,
      };
    },
  };
}

export type ExceptionQueries = ReturnType<typeof createExceptionQueries>;
