import { createContext, useContext, useState } from 'react';
import {
  BarChart,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  LoadingSpinner,
  Select,
  Statistics,
  StatisticsItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
} from '@hubspot/ui-extensions';
import { createPageRouter, PageLink, PageRoutes, PageTitle } from '@hubspot/ui-extensions/pages';
import type { ReactNode } from 'react';
import type { InsightsClient } from './insights-client';
import type { ComplianceResponse, OutcomeFigures } from './insights-response.schema';
import { useInsight, type InsightState } from './use-insight';

const ClientContext = createContext<InsightsClient | null>(null);

function useClient(): InsightsClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('The insights pages need an InsightsClient');
  return client;
}

function Loaded<T>({ state, children }: { state: InsightState<T>; children: (data: T) => ReactNode }) {
  if (state.status === 'loading') return <LoadingSpinner label="Loading the figures" />;
  if (state.status === 'failed') {
    return (
      <ErrorState title="The figures could not be loaded">
        <Text>{state.message}</Text>
      </ErrorState>
    );
  }
  return <>{children(state.data)}</>;
}

function Navigation() {
  return (
    <Flex direction="row" gap="medium">
      <PageLink to="/">Overview</PageLink>
      <PageLink to="/outcomes">Outcomes</PageLink>
      <PageLink to="/demand">Demand</PageLink>
    </Flex>
  );
}

const money = (amount: number) => amount.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** A rate is shown only for groups large enough: a small one says so instead of a bare percentage. */
function Rate({ figures }: { figures: OutcomeFigures }) {
  if (figures.tooFew || figures.winRate === null) return <Tag variant="warning">Too few deals</Tag>;
  return <>{`${Math.round(figures.winRate * 100)}%`}</>;
}

const days = (value: number | null) => (value === null ? '—' : `${value} d`);

type OwnerSortField = 'name' | 'open' | 'blocked' | 'stalled';

function OwnerTable({ byOwner }: { byOwner: ComplianceResponse['byOwner'] }) {
  const [sort, setSort] = useState<{ field: OwnerSortField; direction: 'ascending' | 'descending' }>({
    field: 'open',
    direction: 'descending',
  });
  const sorted = [...byOwner].sort((a, b) => {
    const order = sort.field === 'name' ? a.name.localeCompare(b.name) : a[sort.field] - b[sort.field];
    return sort.direction === 'ascending' ? order : -order;
  });
  const header = (field: OwnerSortField, label: string) => (
    <TableHeader
      sortDirection={sort.field === field ? sort.direction : 'none'}
      onSortChange={(direction) =>
        setSort({ field, direction: direction === 'ascending' ? 'ascending' : 'descending' })
      }
    >
      {label}
    </TableHeader>
  );
  return (
    <Table testId="by-owner">
      <TableHead>
        <TableRow>
          {header('name', 'Owner')}
          {header('open', 'Open')}
          <TableHeader>Ready</TableHeader>
          {header('blocked', 'Blocked')}
          {header('stalled', 'Stalled')}
          <TableHeader>Open exceptions</TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {sorted.map((owner) => (
          <TableRow key={owner.ownerId ?? 'unassigned'}>
            <TableCell>{owner.name}</TableCell>
            <TableCell>{owner.open}</TableCell>
            <TableCell>{owner.ready}</TableCell>
            <TableCell>{owner.blocked}</TableCell>
            <TableCell>{owner.stalled}</TableCell>
            <TableCell>{owner.openExceptions}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Open deals by stage and by owner: ready, blocked, stalled, with open exceptions. */
export function OverviewPage() {
  const client = useClient();
  const [ownerId, setOwnerId] = useState('');
  const state = useInsight(() => client.getCompliance({ ownerId: ownerId || undefined }), ownerId);
  return (
    <>
      <PageTitle>SOP compliance</PageTitle>
      <Navigation />
      <Loaded state={state}>
        {(compliance) => (
          <Flex direction="column" gap="medium">
            <Select
              label="Owner"
              name="owner"
              value={ownerId}
              onChange={(value) => setOwnerId(String(value))}
              options={[
                { label: 'All owners', value: '' },
                ...compliance.byOwner
                  .filter((owner) => owner.ownerId !== null)
                  .map((owner) => ({ label: owner.name, value: owner.ownerId as string })),
              ]}
            />
            <BarChart
              data={compliance.byStage.flatMap((stage) => [
                { stage: stage.label, status: 'Ready', deals: stage.ready },
                { stage: stage.label, status: 'Blocked', deals: stage.blocked },
                { stage: stage.label, status: 'Stalled', deals: stage.stalled },
              ])}
              axes={{
                x: { field: 'stage', fieldType: 'category', label: 'Stage' },
                y: { field: 'deals', fieldType: 'linear', label: 'Open deals' },
                options: { groupFieldByColor: 'status' },
              }}
            />
            <Table testId="by-stage">
              <TableHead>
                <TableRow>
                  <TableHeader>Stage</TableHeader>
                  <TableHeader>Open</TableHeader>
                  <TableHeader>Ready</TableHeader>
                  <TableHeader>Blocked</TableHeader>
                  <TableHeader>Stalled</TableHeader>
                  <TableHeader>Open exceptions</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {compliance.byStage.map((stage) => (
                  <TableRow key={stage.stageId}>
                    <TableCell>{stage.label}</TableCell>
                    <TableCell>{stage.open}</TableCell>
                    <TableCell>{stage.ready}</TableCell>
                    <TableCell>{stage.blocked}</TableCell>
                    <TableCell>{stage.stalled}</TableCell>
                    <TableCell>{stage.openExceptions}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Heading>By owner</Heading>
            {compliance.byOwner.length === 0 ? (
              <EmptyState title="No open deals" layout="vertical">
                <Text>No open deal in this pipeline yet.</Text>
              </EmptyState>
            ) : (
              <OwnerTable byOwner={compliance.byOwner} />
            )}
          </Flex>
        )}
      </Loaded>
    </>
  );
}

function FiguresCells({ figures }: { figures: OutcomeFigures }) {
  return (
    <>
      <TableCell>{figures.closed}</TableCell>
      <TableCell>
        <Rate figures={figures} />
      </TableCell>
      <TableCell>{figures.tooFew ? '—' : days(figures.medianCycleDays)}</TableCell>
    </>
  );
}

/** Win rate and cycle time of closed deals, by step completion and playbook version; where deals wait. */
export function OutcomesPage() {
  const client = useClient();
  const state = useInsight(() => client.getOutcomes({}), 'outcomes');
  return (
    <>
      <PageTitle>Outcomes</PageTitle>
      <Navigation />
      <Loaded state={state}>
        {(outcomes) => (
          <Flex direction="column" gap="medium">
            <Text>{`Deals closed from ${outcomes.from} to ${outcomes.to}`}</Text>
            <Statistics>
              <StatisticsItem label="Closed deals" number={outcomes.overall.closed} />
              <StatisticsItem
                label="Win rate"
                number={
                  outcomes.overall.winRate === null
                    ? 'Too few'
                    : `${Math.round(outcomes.overall.winRate * 100)}%`
                }
              />
              <StatisticsItem label="Median cycle (days)" number={outcomes.overall.medianCycleDays ?? '—'} />
            </Statistics>
            <Heading>Did completing the step pay off?</Heading>
            <Table testId="by-step">
              <TableHead>
                <TableRow>
                  <TableHeader>Step</TableHeader>
                  <TableHeader>Completed: closed</TableHeader>
                  <TableHeader>Win rate</TableHeader>
                  <TableHeader>Median cycle</TableHeader>
                  <TableHeader>Not completed: closed</TableHeader>
                  <TableHeader>Win rate</TableHeader>
                  <TableHeader>Median cycle</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {outcomes.bySteps.map((step) => (
                  <TableRow key={step.stepId}>
                    <TableCell>{step.stepId}</TableCell>
                    <FiguresCells figures={step.completed} />
                    <FiguresCells figures={step.notCompleted} />
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Heading>By playbook version</Heading>
            <Table testId="by-version">
              <TableHead>
                <TableRow>
                  <TableHeader>Version</TableHeader>
                  <TableHeader>Closed</TableHeader>
                  <TableHeader>Win rate</TableHeader>
                  <TableHeader>Median cycle</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {outcomes.byPlaybookVersion.map((version) => (
                  <TableRow key={String(version.playbookVersion)}>
                    <TableCell>
                      {version.playbookVersion === null ? 'none' : `v${version.playbookVersion}`}
                    </TableCell>
                    <FiguresCells figures={version} />
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Heading>Where deals wait</Heading>
            <Table testId="time-in-step">
              <TableHead>
                <TableRow>
                  <TableHeader>Step</TableHeader>
                  <TableHeader>Deals</TableHeader>
                  <TableHeader>Median</TableHeader>
                  <TableHeader>90th percentile</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {outcomes.timeInStep.map((step) => (
                  <TableRow key={step.stepId}>
                    <TableCell>{step.stepId}</TableCell>
                    <TableCell>{step.n}</TableCell>
                    <TableCell>
                      {step.tooFew ? <Tag variant="warning">Too few deals</Tag> : days(step.medianDays)}
                    </TableCell>
                    <TableCell>{step.tooFew ? '—' : days(step.p90Days)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Flex>
        )}
      </Loaded>
    </>
  );
}

/** The S&OP view: open pipeline by expected close month, weighted, at risk, won, against capacity. */
export function DemandPage() {
  const client = useClient();
  const state = useInsight(() => client.getDemand({ months: 6 }), 'demand');
  return (
    <>
      <PageTitle>Demand (S&amp;OP)</PageTitle>
      <Navigation />
      <Loaded state={state}>
        {(demand) => (
          <Flex direction="column" gap="medium">
            <BarChart
              data={demand.months.flatMap((month) => [
                { month: month.month, figure: 'Weighted', amount: month.weightedAmount },
                { month: month.month, figure: 'At risk', amount: month.atRiskAmount },
                { month: month.month, figure: 'Won', amount: month.wonAmount },
              ])}
              axes={{
                x: { field: 'month', fieldType: 'category', label: 'Expected close month' },
                y: { field: 'amount', fieldType: 'linear', label: 'Amount' },
                options: { groupFieldByColor: 'figure' },
              }}
            />
            <Table testId="demand-months">
              <TableHead>
                <TableRow>
                  <TableHeader>Month</TableHeader>
                  <TableHeader>Open deals</TableHeader>
                  <TableHeader>Amount</TableHeader>
                  <TableHeader>Weighted</TableHeader>
                  <TableHeader>At risk</TableHeader>
                  <TableHeader>Won</TableHeader>
                  <TableHeader>Capacity</TableHeader>
                  <TableHeader>Gap</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {demand.months.map((month) => (
                  <TableRow key={month.month}>
                    <TableCell>{month.month}</TableCell>
                    <TableCell>{month.openDeals}</TableCell>
                    <TableCell>{money(month.amount)}</TableCell>
                    <TableCell>{money(month.weightedAmount)}</TableCell>
                    <TableCell>{money(month.atRiskAmount)}</TableCell>
                    <TableCell>{money(month.wonAmount)}</TableCell>
                    <TableCell>{month.capacity === undefined ? '—' : money(month.capacity)}</TableCell>
                    <TableCell>{month.gap === undefined ? '—' : money(month.gap)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <Text>
              {`Open deals without a close date: ${demand.withoutCloseDate.openDeals} (${money(demand.withoutCloseDate.amount)}). CSV: npx sop-guide report demand --format csv`}
            </Text>
          </Flex>
        )}
      </Loaded>
    </>
  );
}

const PageRouter = createPageRouter(
  <PageRoutes>
    <PageRoutes.IndexRoute component={OverviewPage} />
    <PageRoutes.Route path="/outcomes" component={OutcomesPage} />
    <PageRoutes.Route path="/demand" component={DemandPage} />
  </PageRoutes>,
);

/** The managers' dashboard; a rep sees the same pages for their own deals (the service scopes them). */
export function InsightsPages({ client }: { client: InsightsClient }) {
  return (
    <ClientContext.Provider value={client}>
      <PageRouter />
    </ClientContext.Provider>
  );
}
