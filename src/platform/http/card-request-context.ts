import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../errors/app-error';

/**
 * hubspot.fetch appends portalId, userId, userEmail and appId to the query string, and the v3
 * signature covers that query: once the signature is verified, these say who is asking, for which portal.
 */
const cardQuerySchema = z.object({
  portalId: z.coerce.number().int().positive(),
  userId: z.string().regex(/^\d+$/),
  userEmail: z.string().optional(),
  appId: z.string().optional(),
});

export interface CardRequestContext {
  portalId: number;
  userId: string;
  userEmail: string | null;
}

export function readCardRequestContext(req: Request): CardRequestContext {
  const parsed = cardQuerySchema.safeParse(req.query);
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', 'The signed query string must carry portalId and userId', {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return {
    portalId: parsed.data.portalId,
    userId: parsed.data.userId,
    userEmail: parsed.data.userEmail ?? null,
  };
}

/** Route params are validated too: a deal id is HubSpot's numeric object id. */
export function readDealId(req: Request): string {
  const dealId = String(req.params.dealId ?? '');
  if (!/^\d{1,20}$/.test(dealId))
    throw new AppError('BAD_REQUEST', 'dealId: expected a numeric HubSpot deal id');
  return dealId;
}

/** Turn a zod failure into the one error vocabulary, naming each field's path. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  throw new AppError(
    'BAD_REQUEST',
    `Invalid request body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    {
      issues,
    },
  );
}
