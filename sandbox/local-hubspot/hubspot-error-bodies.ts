import { randomUUID } from 'node:crypto';

/**
 * HubSpot's error bodies, as api.hubapi.com sends them (shapes checked against HubSpot's SDK models
 * and bodies observed in public integrations). Every error carries a fresh correlationId, as HubSpot's do.
 */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: Array<{ message: string; code?: string; in?: string; context?: Record<string, string[]> }>;
  errorType?: string;
  policyName?: string;
  groupName?: string;
}

export interface FakeResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Raw text for non-JSON answers (HubSpot's edge answers some 502s with HTML). */
  contentType?: string;
}

const error = (status: number, fields: Omit<HubSpotErrorBody, 'status' | 'correlationId'>): FakeResponse => ({
  status,
  body: { status: 'error', ...fields, correlationId: randomUUID() },
});

export const AUTHENTICATION_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function invalidAuthentication(): FakeResponse {
  return error(401, { message: AUTHENTICATION_MESSAGE, category: 'INVALID_AUTHENTICATION' });
}

/** An OAuth access token past its expires_in: HubSpot answers 401 EXPIRED_AUTHENTICATION. */
export function expiredAuthentication(): FakeResponse {
  return error(401, {
    message: 'The OAuth token used to make this call expired 0 second(s) ago.',
    category: 'EXPIRED_AUTHENTICATION',
  });
}

export function objectNotFound(message = 'resource not found'): FakeResponse {
  return error(404, { message, category: 'OBJECT_NOT_FOUND' });
}

export function validationError(message: string, context?: Record<string, string[]>): FakeResponse {
  return error(400, { message, category: 'VALIDATION_ERROR', ...(context ? { context } : {}) });
}

export interface PropertyValidationProblem {
  name: string;
  error:
    | 'PROPERTY_DOESNT_EXIST'
    | 'INVALID_OPTION'
    | 'READ_ONLY_VALUE'
    | 'REQUIRED_PROPERTY'
    | 'INVALID_DATE'
    | 'INVALID_INTEGER';
  message: string;
}

/** HubSpot packs per-property problems as a JSON list inside the message string. */
export function propertyValuesInvalid(portalId: number, problems: PropertyValidationProblem[]): FakeResponse {
  const detail = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
    portalId,
  }));
  return validationError(`Property values were not valid: ${JSON.stringify(detail)}`);
}

export function conflict(message: string): FakeResponse {
  return error(409, { message, category: 'OBJECT_ALREADY_EXISTS' });
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

const RATE_LIMIT_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

export function rateLimited(policy: RateLimitPolicy, portalId: number | null): FakeResponse {
  return error(429, {
    message: RATE_LIMIT_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    policyName: policy,
    ...(portalId === null
      ? {}
      : { groupName: `publicapi:private_app-api-calls-${policy.toLowerCase()}:${portalId}` }),
  });
}

export function serverError(status: 500 | 502 | 503): FakeResponse {
  if (status === 502) {
    return {
      status,
      contentType: 'text/html',
      body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
    };
  }
  return error(status, { message: status === 500 ? 'internal error' : 'Service Unavailable' });
}

export const BATCH_LIMIT = 100;

export function batchTooLarge(size: number, limit = BATCH_LIMIT): FakeResponse {
  return validationError(`Batch input size ${size} exceeds the limit of ${limit} inputs`);
}
