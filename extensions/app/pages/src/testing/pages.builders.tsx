import { createRenderer, type Renderer } from '@hubspot/ui-extensions/testing';
import { LoadingSpinner, Table, TableCell, TableRow, Tag } from '@hubspot/ui-extensions';
import type { DealExceptionView } from '@sop-guide/api-contract';
import { createInsightsClient } from '../insights-client';
import { InsightsPages } from '../insights-pages';
import type { InsightsFiltersResponse } from '../insights-response.schema';
import type { FakeHubSpotFetch } from './fake-hubspot-fetch';

/** The renderer waits 1 s by default; a loaded CI machine can take longer to render. It bounds a hang, not speed. */
export const RENDER_WAIT = { timeoutInMs: 10_000 };

export const PORTAL_ID = 62515;

const pipelines: InsightsFiltersResponse['pipelines'] = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    stages: [
      { id: 'qualifiedtobuy', label: 'Qualified To Buy' },
      { id: 'presentationscheduled', label: 'Presentation Scheduled' },
      { id: 'contractsent', label: 'Contract Sent' },
    ],
  },
  { id: 'renewals', label: 'Renewals', stages: [] },
];

export const managerFilters: InsightsFiltersResponse = {
  canManage: true,
  ownerId: '13',
  pipelines,
  owners: [
    { ownerId: '11', name: 'Riley Rep' },
    { ownerId: '12', name: 'Sam Seller' },
  ],
};

export const repFilters: InsightsFiltersResponse = { canManage: false, ownerId: '11', pipelines, owners: [] };

export function buildException(overrides: Partial<DealExceptionView> = {}): DealExceptionView {
  return {
    id: 'exc1',
    dealId: '501',
    fromStage: 'qualifiedtobuy',
    toStage: 'presentationscheduled',
    movedAt: '2026-11-20T10:00:00.000Z',
    movedBy: { source: 'CRM', userId: '201' },
    ownerId: '11',
    openItems: [
      { kind: 'action', id: 'discovery-call', title: 'Hold a discovery call' },
      { kind: 'check', id: 'amount-set', title: 'Amount is set', detail: 'Amount is empty' },
    ],
    mode: 'approve',
    status: 'open',
    playbookVersion: 3,
    ...overrides,
  };
}

export type PagesRenderer = Renderer<'pages'>;

export async function settled(renderer: PagesRenderer): Promise<void> {
  await renderer.waitFor(() => expect(renderer.maybeFind(LoadingSpinner)).toBeNull(), RENDER_WAIT);
}

/** A table's body as text, row by row. */
export function rowsOf(renderer: PagesRenderer, testId: string): string[][] {
  const table = renderer.findByTestId(Table, testId);
  return table
    .findAll(TableRow)
    .slice(1)
    .map((row) => row.findAll(TableCell).map((cell) => cell.findAll(Tag)[0]?.text ?? cell.text ?? ''));
}

// The renderer types an event's argument as the handler itself; at runtime it passes the value through.
export function triggerWith(node: { trigger: unknown }, eventName: string, value?: unknown): void {
  (node.trigger as (name: string, arg: unknown) => void)(eventName, value);
}

/** The pages at `path`, with their real client over the scripted `hubspot.fetch`. */
export function renderPages(backend: FakeHubSpotFetch, path = '/'): PagesRenderer {
  const renderer = createRenderer('pages');
  renderer.mocks.setPageLocation({ path, params: {} });
  renderer.render(<InsightsPages client={createInsightsClient(backend.fetch)} portalId={PORTAL_ID} />);
  return renderer;
}

/** The same, once the first figures are in (or refused). */
export async function renderSettled(backend: FakeHubSpotFetch, path = '/'): Promise<PagesRenderer> {
  const renderer = renderPages(backend, path);
  await settled(renderer);
  return renderer;
}
