/**
 * The playbook editor: stage mapping, steps, impact preview, publish and version history. It keeps a
 * draft and sends it; every rule (what a valid playbook is, what a stage id means) is the server's, and
 * its path-named errors are shown next to the fields they name.
 */
import { useState } from 'react';
import { Alert, Button, Divider, Flex, Heading, Input, Select, Text, Toggle } from '@hubspot/ui-extensions';
import { EnforcementPreviewTable } from './enforcement-preview-table';
import { ImpactPreviewTable } from './impact-preview-table';
import {
  ENFORCEMENT_PREVIEW_DAYS,
  enforcementPreviewResponseSchema,
  playbookPreviewResponseSchema,
  type EnforcementPreview,
  publishResponseSchema,
  type PlaybookIssue,
  type PlaybookPreview,
  type PlaybookResponse,
  type PublishResponse,
} from './playbook-api.schema';
import { PlaybookApiError, type PlaybookClient } from './playbook-client';
import { addStep, mapStage, toDocument, toDraft, type PlaybookDraft } from './playbook-draft';
import { listPipelineOptions, StageMappingEditor } from './stage-mapping-editor';
import { StepEditor } from './step-editor';
import { VersionHistory } from './version-history';

type Busy = 'publish' | 'preview' | 'enforcement-preview' | 'restore' | null;

interface Notice {
  variant: 'success' | 'danger' | 'warning';
  title: string;
  lines: string[];
}

interface VersionInfo {
  version: number;
  createdAt: string;
  author: { userId: string } | null;
}

export interface PlaybookEditorProps {
  answer: PlaybookResponse;
  client: PlaybookClient;
}

const describeIssue = (issue: PlaybookIssue) => `${issue.path || '(document)'}: ${issue.message}`;

export function PlaybookEditor({ answer, client }: PlaybookEditorProps) {
  const canEdit = answer.canEdit === true;
  const hubspotPipelines = answer.hubspotPipelines ?? [];
  const [draft, setDraft] = useState<PlaybookDraft>(() => toDraft(answer));
  const [info, setInfo] = useState<VersionInfo>({
    version: answer.version,
    createdAt: answer.createdAt,
    author: answer.author,
  });
  const [pipelineId, setPipelineId] = useState<string>(
    () => Object.keys(answer.pipelines)[0] ?? hubspotPipelines[0]?.id ?? 'default',
  );
  const [issues, setIssues] = useState<PlaybookIssue[]>([]);
  const [busy, setBusy] = useState<Busy>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [preview, setPreview] = useState<PlaybookPreview | null>(null);
  const [enforcementPreview, setEnforcementPreview] = useState<EnforcementPreview | null>(null);
  const [previewDays, setPreviewDays] = useState<number>(ENFORCEMENT_PREVIEW_DAYS[0]);
  const [note, setNote] = useState('');
  const [applyToDealsInProgress, setApplyToDealsInProgress] = useState(false);

  const edit = (change: (current: PlaybookDraft) => PlaybookDraft) => setDraft((current) => change(current));

  const showFailure = (title: string, error: unknown) => {
    if (error instanceof PlaybookApiError && error.issues.length > 0) {
      setIssues(error.issues);
      setNotice({ variant: 'danger', title, lines: error.issues.map(describeIssue) });
      return;
    }
    setNotice({
      variant: 'danger',
      title,
      lines: [error instanceof Error ? error.message : 'Something went wrong.'],
    });
  };

  /** A publish or a restore answered: the editor now shows what the server saved. */
  const adopt = (saved: PublishResponse, title: string) => {
    setDraft(toDraft(saved));
    setInfo({ version: saved.version, createdAt: saved.createdAt, author: saved.author });
    setIssues([]);
    setPreview(null);
    setEnforcementPreview(null);
    setNote('');
    setNotice({
      variant: saved.warnings.length > 0 ? 'warning' : 'success',
      title,
      lines: [
        ...saved.warnings.map(describeIssue),
        ...(applyToDealsInProgress
          ? [`${saved.dealsRepinned} deals in progress now follow this version.`]
          : []),
      ],
    });
  };

  const run = async (what: Exclude<Busy, null>, work: () => Promise<void>) => {
    setBusy(what);
    setNotice(null);
    try {
      await work();
    } finally {
      setBusy(null);
    }
  };

  const publish = () =>
    run('publish', async () => {
      try {
        const saved = publishResponseSchema.parse(
          await client.publishPlaybook(toDocument(draft), {
            ...(note.trim() ? { note: note.trim() } : {}),
            applyToDealsInProgress,
          }),
        );
        adopt(saved, `Published version ${saved.version}`);
      } catch (error) {
        showFailure('The playbook was not published', error);
      }
    });

  const runPreview = () =>
    run('preview', async () => {
      try {
        const answered = playbookPreviewResponseSchema.parse(await client.previewPlaybook(toDocument(draft)));
        setIssues([]);
        setPreview(answered);
        if (answered.warnings.length > 0) {
          setNotice({
            variant: 'warning',
            title: 'Preview warnings',
            lines: answered.warnings.map(describeIssue),
          });
        }
      } catch (error) {
        setPreview(null);
        showFailure('The impact could not be previewed', error);
      }
    });

  const runEnforcementPreview = () =>
    run('enforcement-preview', async () => {
      try {
        const answered = enforcementPreviewResponseSchema.parse(
          await client.previewEnforcement(toDocument(draft), previewDays),
        );
        setIssues([]);
        setEnforcementPreview(answered);
      } catch (error) {
        setEnforcementPreview(null);
        showFailure('The enforcement could not be previewed', error);
      }
    });

  const restore = (version: number) =>
    run('restore', async () => {
      try {
        const saved = publishResponseSchema.parse(
          await client.restoreVersion(version, {
            ...(note.trim() ? { note: note.trim() } : {}),
            applyToDealsInProgress,
          }),
        );
        adopt(saved, `Version ${version} restored as version ${saved.version}`);
      } catch (error) {
        showFailure(`Version ${version} was not restored`, error);
      }
    });

  const pipelineOptions = listPipelineOptions(draft, hubspotPipelines);

  return (
    <Flex direction="column" gap="md">
      <Heading testId="playbook-name">{draft.name}</Heading>
      <Text variant="microcopy" testId="playbook-version">
        {`Version ${info.version}, published ${info.createdAt.slice(0, 10)} by ${info.author ? `user ${info.author.userId}` : 'SOP Guide'}.`}
      </Text>
      {canEdit ? null : (
        <Alert testId="read-only" title="Read-only" variant="info">
          {answer.readOnlyReason ?? 'You cannot change the playbook.'}
        </Alert>
      )}
      {notice ? (
        <Alert testId="notice" title={notice.title} variant={notice.variant}>
          {notice.lines.map((line) => (
            <Text key={line}>{line}</Text>
          ))}
        </Alert>
      ) : null}

      <Heading>Stage mapping</Heading>
      {pipelineOptions.length === 0 ? (
        <Text>No pipelines yet.</Text>
      ) : (
        <StageMappingEditor
          draft={draft}
          hubspotPipelines={hubspotPipelines}
          pipelineId={pipelineId}
          onPipelineChange={setPipelineId}
          onMapStage={(pipeline, stageId, stepId) =>
            edit((current) => mapStage(current, pipeline, stageId, stepId))
          }
          issues={issues}
          readOnly={!canEdit}
        />
      )}

      <Divider />
      <Heading>Steps</Heading>
      {draft.steps.map((step, stepIndex) => (
        <StepEditor
          key={stepIndex}
          step={step}
          stepIndex={stepIndex}
          issues={issues}
          readOnly={!canEdit}
          onEdit={edit}
        />
      ))}
      {canEdit ? (
        <Button testId="add-step" onClick={() => edit(addStep)}>
          Add step
        </Button>
      ) : null}

      {canEdit ? (
        <>
          <Divider />
          <Heading>Preview and publish</Heading>
          <Button testId="preview" disabled={busy !== null} onClick={() => void runPreview()}>
            {busy === 'preview' ? 'Previewing...' : 'Preview impact on open deals'}
          </Button>
          {preview ? <ImpactPreviewTable preview={preview} /> : null}
          <Flex direction="row" gap="sm" align="end">
            <Select
              testId="enforcement-preview-days"
              label="Recent moves over"
              name="enforcementPreviewDays"
              value={previewDays}
              options={ENFORCEMENT_PREVIEW_DAYS.map((days) => ({
                label: `the last ${days} days`,
                value: days,
              }))}
              onChange={(value) => setPreviewDays(Number(value))}
            />
            <Button
              testId="enforcement-preview"
              disabled={busy !== null}
              onClick={() => void runEnforcementPreview()}
            >
              {busy === 'enforcement-preview' ? 'Previewing...' : 'Preview enforcement on recent moves'}
            </Button>
          </Flex>
          {enforcementPreview ? <EnforcementPreviewTable preview={enforcementPreview} /> : null}
          <Input
            testId="publish-note"
            label="Note for this version"
            name="note"
            value={note}
            onChange={setNote}
          />
          <Toggle
            testId="apply-to-deals"
            label="Apply to deals in progress"
            checked={applyToDealsInProgress}
            onChange={setApplyToDealsInProgress}
          />
          <Text variant="microcopy">
            Off: deals keep the version in force when they entered their stage. On: every open deal follows
            the new version now.
          </Text>
          <Button testId="publish" variant="primary" disabled={busy !== null} onClick={() => void publish()}>
            {busy === 'publish' ? 'Publishing...' : 'Publish new version'}
          </Button>
        </>
      ) : null}

      <Divider />
      <Heading>Version history</Heading>
      <VersionHistory
        client={client}
        currentVersion={info.version}
        canEdit={canEdit}
        busy={busy !== null}
        onRestore={(version) => void restore(version)}
      />
    </Flex>
  );
}
