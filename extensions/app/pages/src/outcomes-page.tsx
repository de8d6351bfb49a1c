import { useState, type ReactNode } from 'react';
import {
  DateInput,
  Flex,
  Heading,
  Statistics,
  StatisticsItem,
  Tag,
  Text,
  type BaseDate,
} from '@hubspot/ui-extensions';
import { PageTitle } from '@hubspot/ui-extensions/pages';
import type { OutcomeFigures } from './insights-response.schema';
import { Loaded, Navigation, PipelineSelect, usePagesSetup } from './pages-context';
import { FiguresTable } from './figures-table';
import { useInsight } from './use-insight';

const pad = (value: number) => String(value).padStart(2, '0');

/** HubSpot's DateInput counts months from 0; the API speaks `YYYY-MM-DD`. */
function toIsoDay(date: BaseDate): string {
  return `${date.year}-${pad(date.month + 1)}-${pad(date.date)}`;
}

function fromIsoDay(day: string | undefined): BaseDate | undefined {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return { year, month: month - 1, date };
}

/** A rate is shown only for groups large enough: a small one says so instead of a bare percentage. */
function Rate({ figures }: { figures: OutcomeFigures }) {
  if (figures.tooFew || figures.winRate === null) return <Tag variant="warning">Too few deals</Tag>;
  return <>{`${Math.round(figures.winRate * 100)}%`}</>;
}

const days = (value: number | null) => (value === null ? '—' : `${value} d`);

/** Closed, win rate and median cycle of one group: the cells every outcomes table shows. */
function figureCells(figures: OutcomeFigures): ReactNode[] {
  return [figures.closed, <Rate figures={figures} />, figures.tooFew ? '—' : days(figures.medianCycleDays)];
}

/** Win rate and cycle time of closed deals, by step completion and playbook version; where deals wait. */
export function OutcomesPage() {
  const { client, pipelineId } = usePagesSetup();
  // Unset, the service picks the last 90 days; the page then says which window it was.
  const [closedWindow, setClosedWindow] = useState<{ from?: string; to?: string }>({});
  const state = useInsight(
    () => client.getOutcomes({ pipelineId, ...closedWindow }),
    `${pipelineId}|${closedWindow.from ?? ''}|${closedWindow.to ?? ''}`,
  );
  const chooseDay = (field: 'from' | 'to') => (date: BaseDate | null) =>
    setClosedWindow((current) => ({ ...current, [field]: date ? toIsoDay(date) : undefined }));
  return (
    <>
      <PageTitle>Outcomes</PageTitle>
      <Navigation />
      <Flex direction="row" gap="medium">
        <PipelineSelect />
        <DateInput
          label="Closed from"
          name="from"
          format="YYYY-MM-DD"
          value={fromIsoDay(closedWindow.from)}
          onChange={chooseDay('from')}
        />
        <DateInput
          label="Closed to"
          name="to"
          format="YYYY-MM-DD"
          value={fromIsoDay(closedWindow.to)}
          onChange={chooseDay('to')}
        />
      </Flex>
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
            <FiguresTable
              testId="by-step"
              headers={[
                'Step',
                'Completed: closed',
                'Win rate',
                'Median cycle',
                'Not completed: closed',
                'Win rate',
                'Median cycle',
              ]}
              rows={outcomes.bySteps}
              rowKey={(step) => step.stepId}
              cells={(step) => [
                step.stepId,
                ...figureCells(step.completed),
                ...figureCells(step.notCompleted),
              ]}
            />
            <Heading>By playbook version</Heading>
            <FiguresTable
              testId="by-version"
              headers={['Version', 'Closed', 'Win rate', 'Median cycle']}
              rows={outcomes.byPlaybookVersion}
              rowKey={(version) => String(version.playbookVersion)}
              cells={(version) => [
                version.playbookVersion === null ? 'none' : `v${version.playbookVersion}`,
                ...figureCells(version),
              ]}
            />
            <Heading>Where deals wait</Heading>
            <FiguresTable
              testId="time-in-step"
              headers={['Step', 'Deals', 'Median', '90th percentile']}
              rows={outcomes.timeInStep}
              rowKey={(step) => step.stepId}
              cells={(step) => [
                step.stepId,
                step.n,
                step.tooFew ? <Tag variant="warning">Too few deals</Tag> : days(step.medianDays),
                step.tooFew ? '—' : days(step.p90Days),
              ]}
            />
          </Flex>
        )}
      </Loaded>
    </>
  );
}
