/** Every published version, newest first, with a way back to any of them. */
import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Flex,
  LoadingSpinner,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import type { PlaybookClient } from './playbook-client';
import { playbookVersionsResponseSchema, type VersionMeta } from './playbook-api.schema';

type HistoryState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'ready'; versions: VersionMeta[] };

export interface VersionHistoryProps {
  client: PlaybookClient;
  currentVersion: number;
  canEdit: boolean;
  /** Disables the restore buttons while a publish or restore is on its way. */
  busy: boolean;
  onRestore: (version: number) => void;
}

export function VersionHistory({ client, currentVersion, canEdit, busy, onRestore }: VersionHistoryProps) {
  const [state, setState] = useState<HistoryState>({ status: 'loading' });

  const load = useCallback(async () => {
    setState({ status: 'loading' });
    try {
      const parsed = playbookVersionsResponseSchema.safeParse(await client.listVersions());
      setState(
        parsed.success
          ? { status: 'ready', versions: parsed.data.versions }
          : { status: 'failed', message: 'The SOP Guide service sent a version list this page cannot read.' },
      );
    } catch (error) {
      setState({
        status: 'failed',
        message: error instanceof Error ? error.message : 'Something went wrong.',
      });
    }
  }, [client]);

  // A new current version (publish, restore) means a new entry in the list.
  useEffect(() => {
    void load();
  }, [load, currentVersion]);

  if (state.status === 'loading') return <LoadingSpinner label="Loading the version history" />;
  if (state.status === 'failed') {
    return (
      <Flex direction="column" gap="xs">
        <Text testId="history-error">{state.message}</Text>
        <Button testId="history-retry" size="sm" onClick={() => void load()}>
          Try again
        </Button>
      </Flex>
    );
  }
  return (
    <Table testId="version-history" bordered density="condensed">
      <TableHead>
        <TableRow>
          <TableHeader>Version</TableHeader>
          <TableHeader>Published</TableHeader>
          <TableHeader>By</TableHeader>
          <TableHeader>Note</TableHeader>
          <TableHeader> </TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {state.versions.map((version) => (
          <TableRow key={version.version}>
            <TableCell>{String(version.version)}</TableCell>
            <TableCell>{version.createdAt.slice(0, 16).replace('T', ' ')}</TableCell>
            <TableCell>{version.author ? `User ${version.author.userId}` : 'SOP Guide'}</TableCell>
            <TableCell>{version.note ?? ''}</TableCell>
            <TableCell>
              {version.version === currentVersion ? (
                <Text variant="microcopy">Current</Text>
              ) : canEdit ? (
                <Button
                  testId={`restore-${version.version}`}
                  size="xs"
                  disabled={busy}
                  onClick={() => onRestore(version.version)}
                >
                  Restore
                </Button>
              ) : (
                ''
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
