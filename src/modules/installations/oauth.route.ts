import type { DealsChangedListener } from '../../platform/module';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Clock } from '../../platform/clock';
import { isAppError } from '../../platform/errors/app-error';
import type { HubSpotApis } from '../../platform/hubspot/hubspot-apis';
import type { Logger } from '../../platform/observability/logger';
import { backfillPortal, type DealSyncService } from '../deals';
import type { PlaybookService } from '../playbooks';
import { OAUTH_CALLBACK_PATH, type OAuthInstallService } from '../portals';

/**
 * The browser's side of an OAuth install (DESIGN.md §7): `/oauth/install` redirects to HubSpot's
 * consent page, `/oauth/callback` finishes the install and answers a small page a person reads.
 * Unsigned: HubSpot does not sign browser redirects; the single-use state is what ties the two.
 */
export interface OAuthRouteDeps {
  oauthInstall: OAuthInstallService | null;
  hubspot: Pick<HubSpotApis, 'deals'>;
  dealSync: DealSyncService;
  dealsChanged: DealsChangedListener;
  playbooks: Pick<PlaybookService, 'ensureSeeded'>;
  clock: Clock;
  logger: Logger;
}

const callbackQuery = z.object({
  code: z.string().min(1).max(2000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().max(200).optional(),
});

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: Response, status: number, title: string, message: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
        `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
    );
}

export function createOAuthRouter(deps: OAuthRouteDeps): Router {
  const router = Router();
  const { oauthInstall } = deps;
  // Static auth installs nothing: the routes do not exist there.
  if (!oauthInstall) return router;

  router.get('/oauth/install', async (_req, res) => {
    res.redirect(302, await oauthInstall.startInstall());
  });

  router.get(OAUTH_CALLBACK_PATH, async (req, res) => {
    const query = callbackQuery.safeParse(req.query);
    if (!query.success) {
      page(res, 400, 'Install failed', 'The callback from HubSpot was malformed. Start the install again.');
      return;
    }
    let portalId: number;
    try {
      ({ portalId } = await oauthInstall.completeInstall(query.data));
    } catch (error) {
      if (isAppError(error) && error.code === 'BAD_REQUEST') {
        page(res, 400, 'Install failed', error.message);
        return;
      }
      throw error;
    }
    // Like every installed portal, the new one guides with the default playbook until a manager publishes.
    await deps.playbooks.ensureSeeded(portalId, deps.clock.now());
    // The portal's existing deals are read in the background; the page does not wait for them.
    void backfillPortal(deps, portalId).then(
      ({ done }) => deps.logger.info('install backfill done', { portalId, deals: done }),
      (error: unknown) => deps.logger.error('install backfill failed', { portalId, error }),
    );
    page(
      res,
      200,
      'SOP Guide is installed',
      `SOP Guide is installed in HubSpot account ${portalId}. Its deals are being read now; open any deal to see its SOP step.`,
    );
  });

  return router;
}
