import { describeError } from '../platform/errors/app-error';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { guidanceResponseSchema } from '../../extensions/app/cards/src/guidance-response.schema';
import { seedSamplePortal, startLocalHubSpot } from '../../sandbox/local-hubspot';
import { createScratchDatabase, resolvePostgresServer } from '../../sandbox/postgres';
import { signRequestV3 } from '../../webhooks/signature-v3';
import { ConfigError, parseConfig } from '../platform/config/env.schema';
import { formatSweepReport } from '../modules/reminders';
import { formatGuidanceText } from './demo-guidance-text';
import { showInsightsDemo } from './demo-insights';
import { DEFAULT_PLAYBOOK } from '../domain';
import { startService } from '../app/compose';

/**
 * `npm run demo`: the whole product with no HubSpot account. A local HubSpot sandbox (sample portal,
 * default pipeline, owners, deals) stands in for api.hubapi.com; the demo plays HubSpot's part too,
 * sending v3-signed webhooks and card requests exactly as HubSpot would.
 */
const DEMO_PORTAL_ID = 62515;
/** A second HubSpot account that installs the app too, to show portals kept apart. */
const SECOND_PORTAL_ID = 71001;
const DEMO_CLIENT_ID = 'sop-guide-demo-client';
const DEFAULT_DEMO_DATABASE = './data/sop-guide-demo.db';

/** Set by `--postgres`: drops the demo's database and stops the server if the demo started it. */
let releasePostgres: () => Promise<void> = async () => undefined;

/**
 * `--postgres`: a fresh database on the server the tests would use (sandbox/postgres): the machine's
 * own on 127.0.0.1:5432, else one started from npm's binaries, so it needs no PostgreSQL install.
 */
async function demoPostgresDatabase(say: (text: string) => void): Promise<string> {
  if (process.env.DATABASE_URL)
    throw new ConfigError(['DATABASE_URL: leave it unset with --postgres, which makes its own database']);
  const server = await resolvePostgresServer();
  releasePostgres = server.stop;
  say(`PostgreSQL:      ${server.description}`);
  const database = await createScratchDatabase(server.adminUrl, 'sop_demo');
  releasePostgres = async () => {
    await database.drop();
    await server.stop();
  };
  return database.url;
}

async function runDemo(argv: string[]): Promise<void> {
  const once = argv.includes('--once');
  const say = (text = '') => process.stdout.write(text + '\n');
  const heading = (text: string) => say(`\n=== ${text} ${'='.repeat(Math.max(0, 90 - text.length))}`);

  const postgresUrl = argv.includes('--postgres') ? await demoPostgresDatabase(say) : undefined;
  // The demo's own database starts fresh each run; a DATABASE_URL you pass is used as it is.
  if (!process.env.DATABASE_URL && !postgresUrl) rmSync(DEFAULT_DEMO_DATABASE, { force: true });
  const sandbox = await startLocalHubSpot({ port: 0 });
  // Each account's private-app token exists in the sandbox, but the demo runs as an OAuth app: it only
  // ever holds the tokens HubSpot's OAuth server issues when an account installs it.
  // The first account's own token stands for a person working in HubSpot (the explore commands below
  // move a deal with it); the app never uses it.
  const accountToken = `private-${randomBytes(8).toString('hex')}`;
  const sample = seedSamplePortal(sandbox.state, { portalId: DEMO_PORTAL_ID, token: accountToken });
  const secondSample = seedSamplePortal(sandbox.state, {
    portalId: SECOND_PORTAL_ID,
    token: `private-${randomBytes(8).toString('hex')}`,
    timeZone: 'Europe/Paris',
  });
  const clientSecret = randomBytes(24).toString('hex');
  sandbox.state.oauth.registerApp({ appId: 1, clientId: DEMO_CLIENT_ID, clientSecret });
  const port = process.env.PORT ?? '3000';
  const publicBaseUrl = `http://localhost:${port}`;
  const config = parseConfig({
    LOG_LEVEL: 'warn',
    ...process.env,
    PORT: port,
    DATABASE_URL: postgresUrl ?? process.env.DATABASE_URL ?? `sqlite:${DEFAULT_DEMO_DATABASE}`,
    HUBSPOT_CLIENT_SECRET: clientSecret,
    HUBSPOT_ACCESS_TOKEN: '',
    HUBSPOT_CLIENT_ID: DEMO_CLIENT_ID,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    TOKEN_ENCRYPTION_KEY_PREVIOUS: '',
    HUBSPOT_OAUTH_AUTHORIZE_URL: `${sandbox.url}/oauth/authorize`,
    HUBSPOT_API_BASE_URL: sandbox.url,
    PUBLIC_BASE_URL: publicBaseUrl,
    SWEEP_INTERVAL_SECONDS: '0',
  });
  const running = await startService(config);
  const { services } = running;
  // The sandbox is new each run, so deals an earlier run projected no longer match it (the sweep would
  // then meet HubSpot 400s). The default database is removed above; one you chose is yours to clear.
  if (await services.store.deals.hasDeals(DEMO_PORTAL_ID)) {
    await running.stop();
    await sandbox.close();
    throw new ConfigError([
      `DATABASE_URL: the database still holds an earlier demo's deals; the demo needs an empty ` +
        'database (delete the SQLite file or drop and recreate the PostgreSQL database), or leave ' +
        `DATABASE_URL unset to use ${DEFAULT_DEMO_DATABASE}, which each run starts afresh`,
    ]);
  }

  const signed = async (method: 'GET' | 'POST' | 'PUT', pathAndQuery: string, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = signRequestV3({
      clientSecret,
      method,
      uri: publicBaseUrl + pathAndQuery,
      body: text,
      timestampMs: Date.now(),
    }).headers;
    const response = await fetch(running.url + pathAndQuery, {
      method,
      headers: { ...headers, ...(text ? { 'content-type': 'application/json' } : {}) },
      ...(text ? { body: text } : {}),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  /**
   * What an account's admin does in a browser: open /oauth/install, consent on HubSpot's page (the
   * sandbox's admin is signed in), land on /oauth/callback. The demo follows each redirect itself.
   */
  const installThroughHubSpot = async (portalId: number, admin: { userId: string; email: string }) => {
    sandbox.state.oauth.signedIn = {
      portalId,
      userId: Number(admin.userId),
      userEmail: admin.email,
      hubDomain: `demo-${portalId}.hubspot.test`,
    };
    const install = await fetch(`${running.url}/oauth/install`, { redirect: 'manual' });
    const consent = await fetch(install.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    say(
      `GET /oauth/install -> ${install.status} to HubSpot's consent page; consent -> ${consent.status} to ${callback.pathname}`,
    );
    const page = await fetch(`${running.url}${callback.pathname}${callback.search}`);
    const text = /<p>(.*)<\/p>/.exec(await page.text())?.[1] ?? '';
    say(`GET ${callback.pathname} -> ${page.status}: ${text}`);
    if (page.status !== 200) throw new Error(`the install of portal ${portalId} failed`);
    // The install reads the account's deals in the background; wait until they are all projected.
    const dealIds = Object.values(portalId === DEMO_PORTAL_ID ? sample.deals : secondSample.deals);
    for (
      let waited = 0;
      (await services.store.deals.getDeals(portalId, dealIds)).length < dealIds.length;
      waited += 50
    ) {
      if (waited > 10_000) throw new Error(`the backfill of portal ${portalId} did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const cardQueryFor = (portalId: number, rep: { userId: string; email: string }) =>
    `portalId=${portalId}&userId=${rep.userId}&userEmail=${encodeURIComponent(rep.email)}&appId=1`;
  const cardQuery = cardQueryFor(DEMO_PORTAL_ID, sample.owners.rep);
  const dealName = (dealId: string, portalId = DEMO_PORTAL_ID) =>
    String(sandbox.state.getDeal(portalId, dealId)?.properties.dealname ?? `deal ${dealId}`);
  const showGuidance = async (dealId: string, portalId = DEMO_PORTAL_ID, query = cardQuery) => {
    const answer = await signed('GET', `/api/v1/deals/${dealId}/guidance?${query}`);
    if (answer.status !== 200)
      throw new Error(`guidance answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    say(formatGuidanceText(guidanceResponseSchema.parse(answer.body), dealName(dealId, portalId)));
    say();
  };

  heading('SOP Guide demo: a local HubSpot sandbox, no account needed');
  say(`Service:         ${running.url}  (database ${services.store.dialect})`);
  say(
    `HubSpot sandbox: ${sandbox.url}  (portals ${DEMO_PORTAL_ID} and ${SECOND_PORTAL_ID}, each a default deal pipeline, 3 owners, 6 deals)`,
  );

  heading('0. The account admin installs SOP Guide from HubSpot (OAuth)');
  await installThroughHubSpot(DEMO_PORTAL_ID, sample.owners.manager);

  heading('1. A rep moves a deal in HubSpot; HubSpot sends a signed deal-stage webhook');
  const moved = sample.deals.freshAppointment;
  const at = new Date();
  sandbox.state.moveDealToStage(DEMO_PORTAL_ID, moved, 'qualifiedtobuy', at);
  const event = {
    eventId: 1,
    subscriptionId: 12345,
    portalId: DEMO_PORTAL_ID,
    appId: 1,
    occurredAt: at.getTime(),
    subscriptionType: 'deal.propertyChange',
    attemptNumber: 0,
    objectId: Number(moved),
    propertyName: 'dealstage',
    propertyValue: 'qualifiedtobuy',
    changeSource: 'CRM',
    sourceId: `userId:${sample.owners.rep.userId}`,
  };
  const first = await signed('POST', '/webhooks/hubspot', [event]);
  const redelivery = await signed('POST', '/webhooks/hubspot', [{ ...event, attemptNumber: 1 }]);
  say(`POST /webhooks/hubspot -> ${first.status} ${JSON.stringify(first.body)}`);
  say(
    `HubSpot retries the same batch -> ${redelivery.status} ${JSON.stringify(redelivery.body)} (journaled again, applied once)`,
  );
  await running.workers.drainInbox();

  heading('2. What the rep sees on the deal sidebar card');
  await showGuidance(moved);
  await showGuidance(sample.deals.readyQualified);
  await showGuidance(sample.deals.stalledQualified);
  await showGuidance(sample.deals.closedWon);

  heading('3. The rep ticks "Hold a discovery call" on the card');
  const tick = await signed('POST', `/api/v1/deals/${moved}/actions/discovery-call?${cardQuery}`, {
    done: true,
    note: 'Call held with the CFO; budget confirmed for Q1',
  });
  if (tick.status !== 200)
    throw new Error(`action toggle answered ${tick.status}: ${JSON.stringify(tick.body)}`);
  say(formatGuidanceText(guidanceResponseSchema.parse(tick.body), dealName(moved)));

  heading('4. The stalled-deal sweep: HubSpot tasks for owners, escalations for managers');
  say(formatSweepReport(await services.reminders.sweep({ now: new Date() })));
  say('\nTasks now in the HubSpot sandbox:');
  for (const task of sandbox.state.listTasks(DEMO_PORTAL_ID)) {
    const props = task.properties;
    say(`  - [${props.hs_task_priority}] ${props.hs_task_subject}  (due ${props.hs_timestamp})`);
  }
  const again = await services.reminders.sweep({ now: new Date() });
  const createdAgain = again.rows.filter((row) => row.action === 'created').length;
  say(`A second sweep right after creates ${createdAgain} task(s): nothing is sent twice.`);

  heading('5. SOP status written back to HubSpot deal properties, for views, reports and workflows');
  await services.writeback.markDealsChanged(DEMO_PORTAL_ID, Object.values(sample.deals), new Date());
  await services.writeback.flush(new Date());
  for (const dealId of [moved, sample.deals.stalledQualified]) {
    const props = sandbox.state.getDeal(DEMO_PORTAL_ID, dealId)?.properties ?? {};
    say(
      `  ${dealName(dealId)}: step=${props.sop_guide_step}, progress=${props.sop_guide_progress_percent}%, ` +
        `open items=${props.sop_guide_open_items}, compliance=${props.sop_guide_compliance}, stalled=${props.sop_guide_stalled}`,
    );
  }

  heading("6. The managers' dashboard: compliance, outcomes and the S&OP demand view");
  await showInsightsDemo({ sandbox, running, sample, say, signed });

  heading('7. Governance: a deal moved on with its SOP unmet becomes an exception');
  await runGovernanceDemo();

  heading('8. A second HubSpot account installs the app through the same flow');
  await installThroughHubSpot(SECOND_PORTAL_ID, secondSample.owners.manager);
  const secondQuery = cardQueryFor(SECOND_PORTAL_ID, secondSample.owners.rep);
  await showGuidance(secondSample.deals.stalledQualified, SECOND_PORTAL_ID, secondQuery);
  // Whole ids only: one deal id can be a substring of another's.
  const crossTokenRequests = sandbox.requests.filter(
    (request) =>
      request.portalId !== null &&
      Object.values(request.portalId === DEMO_PORTAL_ID ? secondSample.deals : sample.deals).some((id) =>
        new RegExp(`\\b${id}\\b`).test(`${request.path} ${JSON.stringify(request.body ?? null)}`),
      ),
  ).length;
  say(`HubSpot requests so far that named one account's deals with the other's token: ${crossTokenRequests}`);
  const crossed = await signed(
    'GET',
    `/api/v1/deals/${secondSample.deals.stalledQualified}/guidance?${cardQuery}`,
  );
  say(
    `The same deal asked for from the first account's card -> ${crossed.status} (HubSpot has no such deal in that account)`,
  );
  for (const portal of await services.store.installations.listPortals()) {
    const deals = await services.store.deals.getDeals(
      portal.portalId,
      Object.values(portal.portalId === DEMO_PORTAL_ID ? sample.deals : secondSample.deals),
    );
    say(
      `  portal ${portal.portalId}: ${portal.mode}, ${portal.status} at ${portal.installedAt.toISOString()}, ${deals.length} deals`,
    );
  }

  const reads = sandbox.requests.filter((request) =>
    request.path.includes('/objects/deals/batch/read'),
  ).length;
  heading('9. HubSpot calls made');
  say(`${sandbox.requests.length} requests to the sandbox in all, ${reads} deals batch read(s).`);

  /**
   * One exception per mode that acts: a revert (the app moves the deal back and tasks the owner), a
   * justification the owner gives on the card, and a manager's rejection that moves a deal back out of
   * closed won. The app's own moves come back as webhooks and create nothing.
   */
  async function runGovernanceDemo() {
    const governed = structuredClone(DEFAULT_PLAYBOOK);
    const enforce = { qualification: 'revert', presentation: 'justify', negotiation: 'approve' } as const;
    for (const step of governed.steps) {
      const mode = enforce[step.id as keyof typeof enforce];
      if (mode) step.enforcement = { mode };
    }
    const managerQuery = `portalId=${DEMO_PORTAL_ID}&userId=${sample.owners.manager.userId}&appId=1`;
    const published = await signed('PUT', `/api/v1/playbook?${managerQuery}`, {
      ...governed,
      note: 'Enforce the SOP: revert, justify, approve',
      applyToDealsInProgress: true,
    });
    if (published.status !== 200) throw new Error(`publishing answered ${published.status}`);
    say(
      'A manager publishes: qualification reverts, presentation asks for a reason, negotiation for approval.',
    );

    const move = async (dealId: string, stageId: string, userId: string, source = 'CRM') => {
      const movedAt = new Date();
      sandbox.state.moveDealToStage(DEMO_PORTAL_ID, dealId, stageId, movedAt);
      const sourceId = source === 'CRM' ? `userId:${userId}` : '1';
      await signed('POST', '/webhooks/hubspot', [
        {
          ...event,
          eventId: Math.floor(Math.random() * 1e9),
          occurredAt: movedAt.getTime(),
          objectId: Number(dealId),
          propertyValue: stageId,
          changeSource: source,
          sourceId,
        },
      ]);
      await running.workers.drainInbox();
    };
    const exceptionsOf = (dealId: string) =>
      services.store.exceptions.listDealExceptions(DEMO_PORTAL_ID, [dealId]);
    const describe = async (dealId: string) => {
      for (const exception of await exceptionsOf(dealId)) {
        say(
          `  ${dealName(dealId)}: ${exception.fromStage} -> ${exception.toStage}, mode ${exception.mode}, ` +
            `${exception.status}; open: ${exception.openItems.map((item) => item.title).join('; ')}`,
        );
      }
    };

    say('\nA rep moves a qualified deal on with its discovery work undone (revert):');
    await move(sample.deals.stalledQualified, 'presentationscheduled', sample.owners.rep.userId);
    await services.exceptionResponses.runDue(new Date());
    await move(sample.deals.stalledQualified, 'qualifiedtobuy', '', 'INTEGRATION');
    await describe(sample.deals.stalledQualified);
    say(
      `  HubSpot now has it in ${sandbox.state.getDeal(DEMO_PORTAL_ID, sample.deals.stalledQualified)?.properties.dealstage}; its owner has a task listing what is missing.`,
    );

    say('\nAnother rep skips the demo (justify); the card shows the banner and they give a reason:');
    const presentation = sample.deals.presentation;
    await move(presentation, 'decisionmakerboughtin', sample.owners.secondRep.userId);
    await describe(presentation);
    const [toJustify] = await exceptionsOf(presentation);
    const ownerQuery = `portalId=${DEMO_PORTAL_ID}&userId=${sample.owners.secondRep.userId}&userEmail=${encodeURIComponent(sample.owners.secondRep.email)}&appId=1`;
    const card = guidanceResponseSchema.parse(
      (await signed('GET', `/api/v1/deals/${presentation}/guidance?${ownerQuery}`)).body,
    );
    const banner = card.exceptions?.find((exception) => exception.status === 'open');
    say(`  The card's banner: "Moved on from ${banner?.fromStage} with the SOP unmet", and a reason box.`);
    const justified = await signed(
      'POST',
      `/api/v1/exceptions/${toJustify?.id}/justification?${ownerQuery}`,
      {
        reason: 'The demo was run on site with their CTO; recap sent by email.',
      },
    );
    say(`  POST /api/v1/exceptions/:id/justification -> ${justified.status}`);
    await describe(presentation);

    say('\nA rep closes a deal won mid-negotiation (approve); the manager rejects it and it moves back:');
    const contract = sample.deals.contractSent;
    await move(contract, 'closedwon', sample.owners.rep.userId);
    const [toDecide] = await exceptionsOf(contract);
    const rejected = await signed('POST', `/api/v1/exceptions/${toDecide?.id}/decision?${managerQuery}`, {
      decision: 'reject',
      note: 'No signed contract yet',
    });
    say(`  POST /api/v1/exceptions/:id/decision {reject} -> ${rejected.status}`);
    await move(contract, 'contractsent', '', 'INTEGRATION');
    await describe(contract);
    const updates = sandbox.state.apiStageUpdates.map((update) => `${update.fromStage} -> ${update.toStage}`);
    say(
      `\nStage changes the app sent to HubSpot: ${updates.join(', ')} (each once; its own moves created no exception).`,
    );
  }

  if (once) {
    await running.stop();
    await sandbox.close();
    await releasePostgres();
    say('\nDemo finished.');
    return;
  }
  heading('The service keeps serving: Ctrl-C to stop');
  say(`Try: curl ${running.url}/healthz   ·   curl ${running.url}/metrics`);
  // Ready-to-run commands for a newcomer: the card API and webhooks need v3 signatures with this run's
  // secret, which `sop-guide request` makes; the sandbox takes the account's own token like HubSpot would.
  const explored = sample.deals.readyQualified;
  const moveEvent = {
    ...event,
    eventId: 2,
    objectId: Number(explored),
    propertyValue: 'presentationscheduled',
  };
  say('\nExplore it from another terminal (this run only: the secret and token are new each run):');
  say(`  export HUBSPOT_CLIENT_SECRET=${clientSecret} PUBLIC_BASE_URL=${publicBaseUrl}`);
  say(`  # a deal's guidance, as the card reads it (deals: ${Object.values(sample.deals).join(', ')})`);
  say(`  npx sop-guide request GET '/api/v1/deals/${explored}/guidance?${cardQuery}'`);
  say('  # tick an action');
  say(
    `  npx sop-guide request POST '/api/v1/deals/${explored}/actions/discovery-call?${cardQuery}' --body '{"done":true}'`,
  );
  say("  # move the deal in the HubSpot sandbox, then send HubSpot's webhook for it");
  say(
    `  curl -s -X PATCH ${sandbox.url}/crm/v3/objects/deals/${explored} -H 'authorization: Bearer ${accountToken}' ` +
      `-H 'content-type: application/json' -d '{"properties":{"dealstage":"presentationscheduled"}}'`,
  );
  say(`  npx sop-guide request POST /webhooks/hubspot --body '${JSON.stringify([moveEvent])}'`);
  const stop = () => {
    void running
      .stop()
      .then(() => sandbox.close())
      .then(() => releasePostgres())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

runDemo(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `Demo failed: ${describeError(error)}\n`,
  );
  void releasePostgres()
    .catch(() => undefined)
    .finally(() => process.exit(1));
});
