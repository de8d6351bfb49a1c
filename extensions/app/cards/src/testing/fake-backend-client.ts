/**
 * A scripted stand-in for the backend client: the one thing card tests replace, handed to the card as
 * a prop. Each call takes the next scripted answer; it also records what the card sent, because what
 * reaches the server is the observable outcome of a save or a snooze.
 */
import type { BackendClient } from '../backend-client';
import type {
  ExceptionDecisionBody,
  ExceptionJustificationBody,
  SnoozeBody,
} from '../guidance-response.schema';

export type ScriptedAnswer = { json: unknown } | { error: Error } | { pending: Promise<unknown> };

export const answer = (json: unknown): ScriptedAnswer => ({ json });
export const failure = (message: string): ScriptedAnswer => ({ error: new Error(message) });

export interface Deferred {
  promise: Promise<unknown>;
  resolve: (json: unknown) => void;
  reject: (error: Error) => void;
}

export function deferred(): Deferred {
  let resolve!: (json: unknown) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class FakeBackendClient implements BackendClient {
  readonly savedActions: Array<{ dealId: string; actionId: string; done: boolean; note?: string }> = [];
  readonly snoozes: Array<{ dealId: string; snooze: SnoozeBody }> = [];
  readonly justifications: Array<{ exceptionId: string; body: ExceptionJustificationBody }> = [];
  readonly decisions: Array<{ exceptionId: string; body: ExceptionDecisionBody }> = [];
  readonly guidanceRequests: string[] = [];
  private readonly guidanceAnswers: ScriptedAnswer[] = [];
  private readonly saveAnswers: ScriptedAnswer[] = [];
  private readonly snoozeAnswers: ScriptedAnswer[] = [];
  private readonly justificationAnswers: ScriptedAnswer[] = [];
  private readonly decisionAnswers: ScriptedAnswer[] = [];

  answerGuidance(...answers: ScriptedAnswer[]): this {
    this.guidanceAnswers.push(...answers);
    return this;
  }

  answerSaves(...answers: ScriptedAnswer[]): this {
    this.saveAnswers.push(...answers);
    return this;
  }

  answerSnoozes(...answers: ScriptedAnswer[]): this {
    this.snoozeAnswers.push(...answers);
    return this;
  }

  answerJustifications(...answers: ScriptedAnswer[]): this {
    this.justificationAnswers.push(...answers);
    return this;
  }

  answerDecisions(...answers: ScriptedAnswer[]): this {
    this.decisionAnswers.push(...answers);
    return this;
  }

  getGuidance(dealId: string): Promise<unknown> {
    this.guidanceRequests.push(dealId);
    return play(this.guidanceAnswers, 'getGuidance');
  }

  setActionDone(dealId: string, actionId: string, done: boolean, note?: string): Promise<unknown> {
    this.savedActions.push(
      note === undefined ? { dealId, actionId, done } : { dealId, actionId, done, note },
    );
    return play(this.saveAnswers, 'setActionDone');
  }

  snoozeStall(dealId: string, snooze: SnoozeBody): Promise<unknown> {
    this.snoozes.push({ dealId, snooze });
    return play(this.snoozeAnswers, 'snoozeStall');
  }

  justifyException(exceptionId: string, body: ExceptionJustificationBody): Promise<unknown> {
    this.justifications.push({ exceptionId, body });
    return play(this.justificationAnswers, 'justifyException');
  }

  decideException(exceptionId: string, body: ExceptionDecisionBody): Promise<unknown> {
    this.decisions.push({ exceptionId, body });
    return play(this.decisionAnswers, 'decideException');
  }
}

function play(answers: ScriptedAnswer[], method: string): Promise<unknown> {
  const next = answers.shift();
  if (!next) {
    return Promise.reject(new Error(`FakeBackendClient: no answer scripted for ${method}`));
  }
  if ('json' in next) {
    return Promise.resolve(next.json);
  }
  if ('error' in next) {
    return Promise.reject(next.error);
  }
  return next.pending;
}
