import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { runCli } from '../../../src/app/cli/run-cli';
import type { Store } from '../../../src/platform/db';
import { stageChangeEvent } from '../../support/service-harness';
import { countLiveDeals } from '../../support/store/store-reads';
import { DATABASES } from '../../support/test-databases';
import { OAUTH_CLIENT_ID, PORTAL_IDS, startOAuthHarness, waitFor, type OAuthHarness } from './oauth-harness';

const [PORTAL_A, PORTAL_B] = PORTAL_IDS;

/** Rows of the portal in every table that has a portal_id, by table (tables without any left out). */
async function rowsOfPortal(store: Store, portalId: number): Promise<Record<string, number>> {
  const tables =
    store.dialect === 'postgres'
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.columns
            where table_schema = current_schema() and column_name = 'portal_id'`.execute(store.context.db)
        ).rows
      : (
          await sql<{
            name: string;
          }>`select m.name as name from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and p.name = 'portal_id'`.execute(store.context.db)
        ).rows;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(name)} where portal_id = ${portalId}`.execute(store.context.db);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) counts[name] = n;
  }
  return counts;
}

describe.each(DATABASES)('sop-guide portals (%s)', (kind) => {
  let harness: OAuthHarness;
  beforeEach(async () => {
    harness = await startOAuthHarness(kind);
  });
  afterEach(async () => {
    await harness.stop();
  });

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      env: {
        DATABASE_URL: harness.database.url,
        HUBSPOT_API_BASE_URL: harness.hubspot.url,
        HUBSPOT_CLIENT_ID: OAUTH_CLIENT_ID,
        TOKEN_ENCRYPTION_KEY: harness.encryptionKey,
        ...env,
      },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  const installWithActivity = async (portalId: number) => {
    const instance = harness.instances[0]!;
    expect((await harness.install(portalId)).status).toBe(200);
    await waitFor(async () => (await countLiveDeals(instance.running.services.store, portalId)) === 6);
    const deal = harness.samples.get(portalId)!.deals.freshAppointment;
    harness.hubspot.state.moveDealToStage(portalId, deal, 'qualifiedtobuy', harness.clock.now());
    await harness.sendWebhook(instance, [
      stageChangeEvent(deal, 'qualifiedtobuy', harness.clock.now(), portalId),
    ]);
    await instance.running.workers.drainInbox();
  };

  it('lists every portal with its mode, status, install time and last event; uninstalled ones stay listed', async () => {
    await installWithActivity(PORTAL_A);
    harness.clock.advanceMs(60_000);
    expect((await harness.install(PORTAL_B)).status).toBe(200);
    const { services } = harness.instances[0]!.running;
    await waitFor(async () => (await countLiveDeals(services.store, PORTAL_B)) === 6);
    harness.hubspot.state.oauth.uninstall(OAUTH_CLIENT_ID, PORTAL_B);
    // The next call for B learns that HubSpot revoked its tokens.
    const dealB = harness.samples.get(PORTAL_B)!.deals.readyQualified;
    await expect(services.hubspot.deals.batchRead(PORTAL_B, [dealB], ['dealname'])).rejects.toThrow();

    const listed = await cli(['portals', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.out.split('\n');
    expect(lines[0]).toMatch(/^portal\s+mode\s+status\s+installed at\s+last event$/);
    expect(lines[2]).toMatch(
      new RegExp(
        `^${PORTAL_A}\\s+oauth\\s+installed\\s+2026-11-26T15:00:00.000Z\\s+2026-11-26T15:00:00.000Z$`,
      ),
    );
    expect(lines[3]).toMatch(
      new RegExp(`^${PORTAL_B}\\s+oauth\\s+uninstalled\\s+2026-11-26T15:01:00.000Z\\s+-$`),
    );
  });

  it('purges every row of one portal in one transaction, says what it deleted, and leaves the others whole', async () => {
    await installWithActivity(PORTAL_A);
    await installWithActivity(PORTAL_B);
    const { store } = harness.instances[0]!.running.services;
    const before = await rowsOfPortal(store, PORTAL_A);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        'deals',
        'installations',
        'playbook_versions',
        'portals',
        'stage_changes',
        'webhook_inbox',
      ]),
    );
    const otherBefore = await rowsOfPortal(store, PORTAL_B);

    const purged = await cli(['portals', 'purge', '--portal', String(PORTAL_A)]);
    expect(purged.code).toBe(0);
    const total = Object.values(before).reduce((sum, n) => sum + n, 0);
    expect(purged.out).toContain(`Portal ${PORTAL_A}: deleted ${total} row(s) in one transaction`);
    for (const [table, n] of Object.entries(before))
      expect(purged.out).toMatch(new RegExp(`${table}\\s+${n}\\b`));

    expect(await rowsOfPortal(store, PORTAL_A)).toEqual({});
    expect(await rowsOfPortal(store, PORTAL_B)).toEqual(otherBefore);
    await harness.instances[0]!.running.services.portals.reload();
    expect(harness.instances[0]!.running.services.portals.isInstalled(PORTAL_A)).toBe(false);

    const again = await cli(['portals', 'purge', '--portal', String(PORTAL_A)]);
    expect(again.out).toBe(`Portal ${PORTAL_A}: nothing stored, nothing deleted.`);
    const bad = await cli(['portals', 'purge']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--portal: expected the numeric HubSpot portal id');
  });

  it('rotates the encryption key: rotate-key re-seals every token, then the new key alone opens them', async () => {
    await installWithActivity(PORTAL_A);
    const newKey = randomBytes(32).toString('base64');
    const rotated = await cli(['portals', 'rotate-key'], {
      TOKEN_ENCRYPTION_KEY: newKey,
      TOKEN_ENCRYPTION_KEY_PREVIOUS: harness.encryptionKey,
    });
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain('Re-encrypted the tokens of 1 installation(s)');

    // An instance that knows only the new key reads the stored token and, once it is due, refreshes it.
    const fresh = await harness.startInstance({ TOKEN_ENCRYPTION_KEY: newKey });
    const dealId = harness.samples.get(PORTAL_A)!.deals.readyQualified;
    const read = () => fresh.running.services.hubspot.deals.batchRead(PORTAL_A, [dealId], ['dealname']);
    await expect(read()).resolves.toMatchObject({ deals: [{ id: dealId }] });
    harness.clock.advanceMs(1800 * 1000);
    await expect(read()).resolves.toMatchObject({ deals: [{ id: dealId }] });
    expect(harness.hubspot.state.oauth.grants.refresh_token).toBe(1);

    // The old key alone opens nothing any more.
    const oldKeyOnly = await harness.startInstance();
    harness.clock.advanceMs(1);
    await expect(
      oldKeyOnly.running.services.hubspot.deals.batchRead(PORTAL_A, [dealId], ['dealname']),
    ).rejects.toThrow(/cannot be decrypted/);
  });
});
