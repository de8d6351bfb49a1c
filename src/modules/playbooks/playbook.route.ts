import type { Clock } from '../../platform/clock';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { ManagerAccess } from '../access';
import type { PortalRegistry } from '../portals';
import type { ImpactPreviewService } from './impact-preview.service';
import type { PlaybookService } from './playbook.service';
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  playbookPreviewResponseSchema,
  playbookResponseSchema,
  playbookVersionsResponseSchema,
  publishResponseSchema,
} from '../../../extensions/app/settings/src/playbook-api.schema';
import { AppError, describeError } from '../../platform/errors/app-error';
import { describeVersionMeta, toPlaybookBody } from './playbook-response';
import type { PlaybookPublishingService, PublishResult } from './playbook-publishing.service';
import { parseBody, readCardRequestContext } from '../../platform/http/card-request-context';

/**
 * Fields a GET answer carries besides the document. A PUT body may carry them too (a client that GETs,
 * edits and PUTs back the whole answer must just work): they are read-only and dropped before the strict
 * playbook schema would call them unknown fields.
 */
const READ_ONLY_FIELDS = new Set([
  'version',
  'author',
  'createdAt',
  'canEdit',
  'readOnlyReason',
  'hubspotPipelines',
  'warnings',
  'dealsRepinned',
]);

/**
 * Publish options are top-level fields of the PUT body, next to the document's own fields (and the
 * whole body of a restore): `note` is the new version's note, `applyToDealsInProgress` re-pins every
 * live deal to the new version.
 */
const publishOptionsSchema = z.object({
  note: z.string().trim().max(500, { error: 'must be 500 characters or fewer' }).optional(),
  applyToDealsInProgress: z.boolean({ error: 'expected true or false' }).optional(),
});

const documentBodySchema = z.record(z.string(), z.unknown(), {
  error: 'expected the playbook document as a JSON object',
});

/** A PUT or preview body: the document (read-only answer fields dropped) and the publish options. */
export function readPlaybookBody(body: unknown) {
  const { note, applyToDealsInProgress, ...rest } = parseBody(documentBodySchema, body ?? null);
  const options = parseBody(publishOptionsSchema, { note, applyToDealsInProgress });
  const document = Object.fromEntries(Object.entries(rest).filter(([key]) => !READ_ONLY_FIELDS.has(key)));
  return { document, options: normalizeOptions(options) };
}

function normalizeOptions(options: z.infer<typeof publishOptionsSchema>) {
  return { note: options.note || null, applyToDealsInProgress: options.applyToDealsInProgress ?? false };
}

function readVersionParam(req: Request): number {
  const value = String(req.params.version ?? '');
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new AppError('BAD_REQUEST', 'version: expected a positive integer');
  return Number(value);
}

interface PlaybookRouteServices {
  clock: Clock;
  portals: PortalRegistry;
  hubspot: Pick<HubSpotApis, 'pipelines'>;
  playbooks: PlaybookService;
  playbookPublishing: PlaybookPublishingService;
  managerAccess: ManagerAccess;
  impactPreview: ImpactPreviewService;
}

/**
 * The playbook API (DESIGN.md §3): anyone in an installed portal reads; managers (super admins and
 * MANAGER_USER_IDS) publish, preview and roll back. Every publish is a new version.
 */
export function createPlaybookRouter(services: PlaybookRouteServices): Router {
  const { clock, portals, hubspot, playbooks, playbookPublishing, managerAccess, impactPreview } = services;
  const router = Router();

  /** Who is asking, for an installed portal; the same 404 as for an unknown deal otherwise. */
  const readInstalledContext = (req: Request) => {
    const context = readCardRequestContext(req);
    if (!portals.isInstalled(context.portalId)) {
      throw new AppError('NOT_FOUND', 'SOP Guide is not installed in this portal');
    }
    return context;
  };

  const readManagerContext = async (req: Request) => {
    const context = readInstalledContext(req);
    await managerAccess.requireManager(context.portalId, context.userId);
    return context;
  };

  const toPublishBody = ({ published, warnings, dealsRepinned }: PublishResult) =>
    publishResponseSchema.parse({ ...toPlaybookBody(published), warnings, dealsRepinned });

  router.get('/playbook', async (req, res) => {
    const { portalId, userId } = readInstalledContext(req);
    const current = await playbooks.describeCurrent(portalId, clock.now());
    // Neither answer may keep a rep from reading the playbook: a HubSpot hiccup only costs the editor.
    const [access, hubspotPipelines] = await Promise.all([
      managerAccess.describeAccess(portalId, userId).catch((error: unknown) => ({
        canEdit: false,
        reason: `Your HubSpot permissions could not be checked: ${describeError(error)}`,
      })),
      hubspot.pipelines.getAll(portalId).catch(() => []),
    ]);
    res.json(
      playbookResponseSchema.parse({
        ...toPlaybookBody(current),
        canEdit: access.canEdit,
        readOnlyReason: access.reason,
        hubspotPipelines: hubspotPipelines
          .filter((pipeline) => !pipeline.archived)
          .map((pipeline) => ({
            id: pipeline.id,
            label: pipeline.label,
            stages: pipeline.stages
              .filter((stage) => !stage.archived)
              .map((stage) => ({ id: stage.id, label: stage.label, isClosed: stage.isClosed })),
          })),
      }),
    );
  });

  router.put('/playbook', async (req, res) => {
    const { portalId, userId } = await readManagerContext(req);
    const { document, options } = readPlaybookBody(req.body);
    const result = await playbookPublishing.publish(portalId, document, {
      authorUserId: userId,
      ...options,
      now: clock.now(),
    });
    res.json(toPublishBody(result));
  });

  router.post('/playbook/preview', async (req, res) => {
    const { portalId } = await readManagerContext(req);
    const candidate = playbookPublishing.validate(readPlaybookBody(req.body).document);
    const [preview, warnings] = await Promise.all([
      impactPreview.preview(portalId, candidate, clock.now()),
      playbookPublishing.listWarnings(portalId, candidate),
    ]);
    res.json(
      playbookPreviewResponseSchema.parse({ ...preview, warnings: [...warnings, ...preview.warnings] }),
    );
  });

  router.get('/playbook/versions', async (req, res) => {
    const { portalId } = readInstalledContext(req);
    const versions = await playbooks.listVersions(portalId);
    res.json(playbookVersionsResponseSchema.parse({ versions: versions.map(describeVersionMeta) }));
  });

  router.get('/playbook/versions/:version', async (req, res) => {
    const { portalId } = readInstalledContext(req);
    const version = readVersionParam(req);
    const found = await playbooks.describeVersion(portalId, version);
    if (!found) throw new AppError('NOT_FOUND', `This portal has no playbook version ${version}`);
    res.json(playbookResponseSchema.parse(toPlaybookBody(found)));
  });

  router.post('/playbook/versions/:version/restore', async (req, res) => {
    const { portalId, userId } = await readManagerContext(req);
    const version = readVersionParam(req);
    const options = normalizeOptions(parseBody(publishOptionsSchema, req.body ?? {}));
    const result = await playbookPublishing.restore(portalId, version, {
      authorUserId: userId,
      ...options,
      now: clock.now(),
    });
    res.json(toPublishBody(result));
  });

  return router;
}
