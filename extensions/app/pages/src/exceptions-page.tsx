import { useState } from 'react';
import {
  Alert,
  Button,
  ButtonRow,
  EmptyState,
  Flex,
  Input,
  Link,
  List,
  LoadingSpinner,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { PageTitle } from '@hubspot/ui-extensions/pages';
import type { DealExceptionView, ExceptionListResponse } from '@sop-guide/api-contract';
import type { ExceptionListQuery } from './insights-client';
import { dealUrl, Loaded, Navigation, usePagesSetup } from './pages-context';
import { useInsight } from './use-insight';

type StatusFilter = NonNullable<ExceptionListQuery['status']> | '';

const STATUS_OPTIONS: Array<{ label: string; value: StatusFilter }> = [
  { label: 'Open', value: 'open' },
  { label: 'Justified', value: 'justified' },
  { label: 'Approved', value: 'approved' },
  { label: 'Rejected', value: 'rejected' },
  { label: 'Reverted', value: 'reverted' },
  { label: 'Every status', value: '' },
];

const STATUS_TAGS: Record<DealExceptionView['status'], 'warning' | 'success' | 'error' | 'info'> = {
  open: 'warning',
  justified: 'info',
  approved: 'success',
  rejected: 'error',
  reverted: 'error',
};

/** What is left to do about an exception, and by whom (DESIGN.md §7 modes). */
const MODE_TEXT: Record<DealExceptionView['mode'], string> = {
  advisory: 'Recorded only',
  justify: "Owner's reason needed",
  approve: "Manager's decision needed",
  revert: 'Moved back at once',
};

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Calls the service and says why it refused: a 403 or a 409 is the service's own sentence, shown as is. */
function useSubmission(onSaved: (exception: DealExceptionView) => void) {
  const [state, setState] = useState<{ saving: boolean; error: string | null }>({
    saving: false,
    error: null,
  });
  const submit = async (send: () => Promise<DealExceptionView>) => {
    setState({ saving: true, error: null });
    try {
      const saved = await send();
      setState({ saving: false, error: null });
      onSaved(saved);
    } catch (error) {
      setState({ saving: false, error: errorMessage(error) });
    }
  };
  return { ...state, submit };
}

function DecisionForm({
  exception,
  onSaved,
}: {
  exception: DealExceptionView;
  onSaved: (exception: DealExceptionView) => void;
}) {
  const { client } = usePagesSetup();
  const [note, setNote] = useState('');
  const { saving, error, submit } = useSubmission(onSaved);
  const decide = (decision: 'approve' | 'reject') =>
    void submit(() =>
      client.decideException(exception.id, { decision, ...(note.trim() ? { note: note.trim() } : {}) }),
    );
  return (
    <Flex direction="column" gap="xs">
      <Input
        label="Note (optional)"
        name={`note-${exception.id}`}
        value={note}
        readOnly={saving}
        onChange={setNote}
      />
      {error ? (
        <Alert testId="decision-error" variant="danger" title="Decision not saved">
          {error}
        </Alert>
      ) : null}
      <ButtonRow>
        <Button testId="approve-exception" disabled={saving} onClick={() => decide('approve')}>
          Approve
        </Button>
        <Button
          testId="reject-exception"
          variant="destructive"
          disabled={saving}
          onClick={() => decide('reject')}
        >
          Reject and move back
        </Button>
      </ButtonRow>
    </Flex>
  );
}

function JustifyForm({
  exception,
  onSaved,
}: {
  exception: DealExceptionView;
  onSaved: (exception: DealExceptionView) => void;
}) {
  const { client } = usePagesSetup();
  const [reason, setReason] = useState('');
  const { saving, error, submit } = useSubmission(onSaved);
  return (
    <Flex direction="column" gap="xs">
      <TextArea
        label="Why did this deal move on before the SOP was met?"
        name={`reason-${exception.id}`}
        required
        value={reason}
        readOnly={saving}
        onChange={setReason}
      />
      {error ? (
        <Alert testId="justify-error" variant="danger" title="Reason not saved">
          {error}
        </Alert>
      ) : null}
      <Button
        testId="justify-exception"
        variant="primary"
        disabled={saving || reason.trim().length === 0}
        onClick={() => void submit(() => client.justifyException(exception.id, { reason: reason.trim() }))}
      >
        Give the reason
      </Button>
    </Flex>
  );
}

/** What happened to an exception no longer waiting on this viewer. */
function Outcome({ exception }: { exception: DealExceptionView }) {
  if (exception.decision) {
    const { decision, email, note } = exception.decision;
    const who = email ?? `user ${exception.decision.userId}`;
    return (
      <Text>{`${decision === 'approve' ? 'Approved' : 'Rejected'} by ${who}${note ? `: ${note}` : ''}`}</Text>
    );
  }
  if (exception.justification) return <Text>{`Reason: ${exception.justification.reason}`}</Text>;
  return <Text>{MODE_TEXT[exception.mode]}</Text>;
}

function ExceptionAction({
  exception,
  onSaved,
}: {
  exception: DealExceptionView;
  onSaved: (exception: DealExceptionView) => void;
}) {
  const { viewer } = usePagesSetup();
  if (exception.status === 'open' && exception.mode === 'approve' && viewer.canManage)
    return <DecisionForm exception={exception} onSaved={onSaved} />;
  // The reason is the deal owner's to give, a manager's own deals included.
  if (
    exception.status === 'open' &&
    exception.mode === 'justify' &&
    viewer.ownerId !== null &&
    exception.ownerId === viewer.ownerId
  )
    return <JustifyForm exception={exception} onSaved={onSaved} />;
  return <Outcome exception={exception} />;
}

function ExceptionRows({ first, status }: { first: ExceptionListResponse; status: StatusFilter }) {
  const { client, portalId, viewer } = usePagesSetup();
  const [items, setItems] = useState(first.items);
  const [more, setMore] = useState<{ cursor: string | null; loading: boolean; error: string | null }>({
    cursor: first.nextCursor,
    loading: false,
    error: null,
  });
  const stageLabels = new Map(
    viewer.pipelines.flatMap((pipeline) => pipeline.stages.map((stage) => [stage.id, stage.label] as const)),
  );
  const stage = (id: string) => stageLabels.get(id) ?? id;
  const replace = (saved: DealExceptionView) =>
    setItems((current) => current.map((item) => (item.id === saved.id ? saved : item)));
  const loadMore = async (cursor: string) => {
    setMore({ cursor, loading: true, error: null });
    try {
      const page = await client.listExceptions({ ...(status ? { status } : {}), cursor });
      setItems((current) => [...current, ...page.items]);
      setMore({ cursor: page.nextCursor, loading: false, error: null });
    } catch (error) {
      setMore({ cursor, loading: false, error: errorMessage(error) });
    }
  };

  if (items.length === 0) {
    return (
      <EmptyState title="No exceptions" layout="vertical">
        <Text>No deal moved on with its SOP unmet{status ? ` (${status})` : ''}.</Text>
      </EmptyState>
    );
  }
  return (
    <Flex direction="column" gap="small">
      <Table testId="exceptions">
        <TableHead>
          <TableRow>
            <TableHeader>Deal</TableHeader>
            <TableHeader>Moved</TableHeader>
            <TableHeader>On</TableHeader>
            <TableHeader>Open items</TableHeader>
            <TableHeader>Status</TableHeader>
            <TableHeader>Action</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map((exception) => (
            <TableRow key={exception.id}>
              <TableCell>
                <Link href={{ url: dealUrl(portalId, exception.dealId), external: true }}>
                  {`Deal ${exception.dealId}`}
                </Link>
              </TableCell>
              <TableCell>{`${stage(exception.fromStage)} → ${stage(exception.toStage)}`}</TableCell>
              <TableCell>{exception.movedAt.slice(0, 10)}</TableCell>
              <TableCell>
                <List variant="unordered">
                  {exception.openItems.map((item) => (
                    <Text key={`${item.stepId ?? ''}/${item.kind}/${item.id}`}>
                      {item.detail ? `${item.title} (${item.detail})` : item.title}
                    </Text>
                  ))}
                </List>
              </TableCell>
              <TableCell>
                <Tag variant={STATUS_TAGS[exception.status]}>{exception.status}</Tag>
              </TableCell>
              <TableCell>
                <ExceptionAction exception={exception} onSaved={replace} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {more.error ? (
        <Alert testId="more-error" variant="danger" title="More exceptions could not be loaded">
          {more.error}
        </Alert>
      ) : null}
      {more.loading ? <LoadingSpinner label="Loading more exceptions" /> : null}
      {more.cursor && !more.loading ? (
        <Button testId="more-exceptions" onClick={() => void loadMore(more.cursor as string)}>
          Show more
        </Button>
      ) : null}
    </Flex>
  );
}

/**
 * Deals that moved on with their SOP unmet (DESIGN.md §7): a manager sees every deal's and decides the
 * ones waiting on a manager; anyone else sees their own deals'. An owner gives the reasons asked of them.
 */
export function ExceptionsPage() {
  const { client, viewer } = usePagesSetup();
  const [status, setStatus] = useState<StatusFilter>('open');
  const state = useInsight(() => client.listExceptions(status ? { status } : {}), status);
  return (
    <>
      <PageTitle>Exceptions</PageTitle>
      <Navigation />
      {viewer.canManage ? null : <Text>Exceptions on your deals.</Text>}
      <Select
        label="Status"
        name="status"
        value={status}
        onChange={(value) => setStatus(String(value) as StatusFilter)}
        options={STATUS_OPTIONS}
      />
      <Loaded state={state}>{(first) => <ExceptionRows key={status} first={first} status={status} />}</Loaded>
    </>
  );
}
