/**
 * A scripted stand-in for the settings page's client, handed to the page as a prop (no module mocks).
 * Each call takes the next scripted answer for its method and records what the page sent: what
 * reaches the server is the observable outcome of an edit, a publish or a rollback.
 */
import type { PlaybookIssue } from '../playbook-api.schema';
import { PlaybookApiError, type PlaybookClient, type PublishOptions } from '../playbook-client';

export type ScriptedAnswer = { json: unknown } | { error: Error };

export const answer = (json: unknown): ScriptedAnswer => ({ json });
export const failure = (message: string, code: string | null = null, issues: PlaybookIssue[] = []) => ({
  error: new PlaybookApiError(message, code, issues),
});

type Method = keyof PlaybookClient;

export class FakePlaybookClient implements PlaybookClient {
  readonly published: Array<{ document: Record<string, unknown>; options: PublishOptions }> = [];
  readonly previewed: Array<Record<string, unknown>> = [];
  readonly enforcementPreviewed: Array<{ document: Record<string, unknown>; days: number }> = [];
  readonly restored: Array<{ version: number; options: PublishOptions }> = [];
  private readonly answers: Record<Method, ScriptedAnswer[]> = {
    getPlaybook: [],
    publishPlaybook: [],
    previewPlaybook: [],
    previewEnforcement: [],
    listVersions: [],
    restoreVersion: [],
  };
  /** Answered to every listVersions call once the scripted answers are used up. */
  private versionsFallback: ScriptedAnswer | null = null;

  script(method: Method, ...answers: ScriptedAnswer[]): this {
    this.answers[method].push(...answers);
    return this;
  }

  alwaysListVersions(json: unknown): this {
    this.versionsFallback = answer(json);
    return this;
  }

  getPlaybook(): Promise<unknown> {
    return this.play('getPlaybook');
  }

  publishPlaybook(document: Record<string, unknown>, options: PublishOptions): Promise<unknown> {
    this.published.push({ document: structuredClone(document), options });
    return this.play('publishPlaybook');
  }

  previewPlaybook(document: Record<string, unknown>): Promise<unknown> {
    this.previewed.push(structuredClone(document));
    return this.play('previewPlaybook');
  }

  previewEnforcement(document: Record<string, unknown>, days: number): Promise<unknown> {
    this.enforcementPreviewed.push({ document: structuredClone(document), days });
    return this.play('previewEnforcement');
  }

  listVersions(): Promise<unknown> {
    if (this.answers.listVersions.length === 0 && this.versionsFallback) {
      return settle(this.versionsFallback);
    }
    return this.play('listVersions');
  }

  restoreVersion(version: number, options: PublishOptions): Promise<unknown> {
    this.restored.push({ version, options });
    return this.play('restoreVersion');
  }

  private play(method: Method): Promise<unknown> {
    const next = this.answers[method].shift();
    return next ? settle(next) : Promise.reject(new Error(`no answer scripted for ${method}`));
  }
}

function settle(scripted: ScriptedAnswer): Promise<unknown> {
  return 'error' in scripted
    ? Promise.reject(scripted.error)
    : Promise.resolve(structuredClone(scripted.json));
}
