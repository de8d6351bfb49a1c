import { useState } from 'react';
import { Alert, BarChart, Button, Flex, Heading, NumberInput, Text } from '@hubspot/ui-extensions';
import { PageTitle } from '@hubspot/ui-extensions/pages';
import type { DemandResponse } from './insights-response.schema';
import { Loaded, Navigation, PipelineSelect, usePagesSetup } from './pages-context';
import { FiguresTable } from './figures-table';
import { useInsight } from './use-insight';

/** Months the page plans over: two quarters, the service's default too. */
const DEMAND_MONTHS = 6;

const money = (amount: number) => amount.toLocaleString('en-US', { maximumFractionDigits: 0 });

type SaveState = { status: 'idle' | 'saving' } | { status: 'failed'; message: string };

/**
 * A manager plans each month's capacity (what operations can deliver); the service answers each month's
 * gap to the weighted demand. Only the months given a figure are sent.
 */
function CapacityForm({ months, onSaved }: { months: DemandResponse['months']; onSaved: () => void }) {
  const { client } = usePagesSetup();
  const [amounts, setAmounts] = useState<Record<string, number | undefined>>(() =>
    Object.fromEntries(months.map((month) => [month.month, month.capacity])),
  );
  const [save, setSave] = useState<SaveState>({ status: 'idle' });
  const planned = Object.entries(amounts)
    .filter((entry): entry is [string, number] => entry[1] !== undefined)
    .map(([month, amount]) => ({ month, amount }));
  const submit = async () => {
    setSave({ status: 'saving' });
    try {
      await client.setCapacity({ months: planned });
      onSaved();
    } catch (error) {
      setSave({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };
  return (
    <Flex direction="column" gap="small">
      <Heading>Capacity per month</Heading>
      <Text variant="microcopy">Capacity is planned for the whole account, whichever pipeline is shown.</Text>
      <Flex direction="row" gap="small" wrap="wrap">
        {months.map((month) => (
          <NumberInput
            key={month.month}
            label={month.month}
            name={`capacity-${month.month}`}
            min={0}
            value={amounts[month.month]}
            onChange={(amount) =>
              // A cleared field plans nothing for that month (the service keeps what it had).
              setAmounts((current) => ({
                ...current,
                [month.month]: Number.isFinite(amount) ? amount : undefined,
              }))
            }
          />
        ))}
      </Flex>
      {save.status === 'failed' ? (
        <Alert testId="capacity-error" variant="danger" title="Capacity not saved">
          {save.message}
        </Alert>
      ) : null}
      <Button
        testId="save-capacity"
        variant="primary"
        disabled={save.status === 'saving' || planned.length === 0}
        onClick={() => void submit()}
      >
        Save capacity
      </Button>
    </Flex>
  );
}

/** The S&OP view: open pipeline by expected close month, weighted, at risk, won, against capacity. */
export function DemandPage() {
  const { client, viewer, pipelineId } = usePagesSetup();
  const [savedCount, setSavedCount] = useState(0);
  const state = useInsight(
    () => client.getDemand({ pipelineId, months: DEMAND_MONTHS }),
    `${pipelineId}|${savedCount}`,
  );
  return (
    <>
      <PageTitle>Demand (S&amp;OP)</PageTitle>
      <Navigation />
      <PipelineSelect />
      <Loaded state={state}>
        {(demand) => (
          <Flex direction="column" gap="medium">
            <BarChart
              data={demand.months.flatMap((month) => [
                { month: month.month, figure: 'Weighted', amount: month.weightedAmount },
                { month: month.month, figure: 'At risk', amount: month.atRiskAmount },
                { month: month.month, figure: 'Won', amount: month.wonAmount },
                ...(month.capacity === undefined
                  ? []
                  : [{ month: month.month, figure: 'Capacity', amount: month.capacity }]),
                ...(month.gap === undefined
                  ? []
                  : [{ month: month.month, figure: 'Gap', amount: month.gap }]),
              ])}
              axes={{
                x: { field: 'month', fieldType: 'category', label: 'Expected close month' },
                y: { field: 'amount', fieldType: 'linear', label: 'Amount' },
                options: { groupFieldByColor: 'figure' },
              }}
            />
            <FiguresTable
              testId="demand-months"
              headers={['Month', 'Open deals', 'Amount', 'Weighted', 'At risk', 'Won', 'Capacity', 'Gap']}
              rows={demand.months}
              rowKey={(month) => month.month}
              cells={(month) => [
                month.month,
                month.openDeals,
                money(month.amount),
                money(month.weightedAmount),
                money(month.atRiskAmount),
                money(month.wonAmount),
                month.capacity === undefined ? '—' : money(month.capacity),
                month.gap === undefined ? '—' : money(month.gap),
              ]}
            />
            <Text>
              {`Open deals without a close date: ${demand.withoutCloseDate.openDeals} (${money(demand.withoutCloseDate.amount)}). CSV: npx sop-guide report demand --format csv`}
            </Text>
            {savedCount > 0 ? (
              <Alert testId="capacity-saved" variant="success" title="Capacity saved">
                Each month with a capacity shows its gap to the weighted demand.
              </Alert>
            ) : null}
            {viewer.canManage ? (
              <CapacityForm
                key={`${pipelineId}|${savedCount}`}
                months={demand.months}
                onSaved={() => setSavedCount((count) => count + 1)}
              />
            ) : null}
          </Flex>
        )}
      </Loaded>
    </>
  );
}
