/**
 * A stand-in for `hubspot.fetch`, the one thing page tests replace: the pages run with their real client,
 * so what a test sees sent here is what HubSpot would forward to the service. Each route answers its
 * scripted answers in order, and keeps giving the last one.
 */
import type { FetchResponse, HubSpotFetch } from '@sop-guide/api-contract';

export interface SentRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: Record<string, unknown>;
}

export type ScriptedAnswer = { status: number; body: unknown } | { pending: Promise<never> };

export const ok = (body: unknown): ScriptedAnswer => ({ status: 200, body });

/**
 * The service refused: HubSpot's proxy turns any backend status of 300 or more into a 502 that carries
 * the backend's body as `responseBody` (DESIGN.md §4).
 */
export const refused = (status: number, code: string, message: string): ScriptedAnswer => ({
  status: 502,
  body: {
    status: 'error',
    message: `The backend answered ${status}`,
    responseBody: JSON.stringify({ error: { code, message } }),
  },
});

/** An answer that never comes: the page stays loading. */
export const never = (): ScriptedAnswer => ({ pending: new Promise<never>(() => undefined) });

export class FakeHubSpotFetch {
  readonly sent: SentRequest[] = [];
  private readonly answers = new Map<string, ScriptedAnswer[]>();

  /** `route` is `METHOD /path`, without the query string. */
  on(route: string, ...answers: ScriptedAnswer[]): this {
    this.answers.set(route, answers);
    return this;
  }

  /** What was sent to `METHOD /path`, in order. */
  sentTo(route: string): SentRequest[] {
    return this.sent.filter((request) => `${request.method} ${request.path}` === route);
  }

  readonly fetch: HubSpotFetch = async (url, options) => {
    const parsed = new URL(url);
    const method = options?.method ?? 'GET';
    this.sent.push({
      method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      ...(options?.body ? { body: options.body } : {}),
    });
    const route = `${method} ${parsed.pathname}`;
    const queue = this.answers.get(route) ?? [];
    const answer = queue.length > 1 ? queue.shift() : queue[0];
    if (!answer) return respond(500, { error: { code: 'TEST', message: `No answer scripted for ${route}` } });
    if ('pending' in answer) return answer.pending;
    return respond(answer.status, answer.body);
  };
}

function respond(status: number, body: unknown): FetchResponse {
  return { ok: status < 300, status, text: async () => JSON.stringify(body) };
}
