import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../src/app/cli/run-cli';
import {
  SAMPLE_PORTAL_ID,
  SAMPLE_TOKEN,
  startTestService,
  type TestService,
} from '../../support/service-harness';
import { countRequests, projectSampleDeals, TASK_BATCH_CREATE_PATH } from './support/reminder-fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
// The entry `npx sop-guide` runs, as package.json declares it.
const BIN = path.join(
  ROOT,
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin[
    'sop-guide'
  ]!,
);
const CLI_TIMEOUT_MS = 60_000;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npx sop-guide ...` as an operator runs it: a real process, the same environment as the service. */
function runSopGuide(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('sop-guide sweep', () => {
  let service: TestService;
  let env: Record<string, string>;

  beforeAll(async () => {
    // PostgreSQL, so that the CLI process and the running service share the database as two instances would.
    service = await startTestService({ database: 'postgres' });
    await projectSampleDeals(service);
    env = {
      DATABASE_URL: service.databaseUrl,
      HUBSPOT_ACCESS_TOKEN: SAMPLE_TOKEN,
      HUBSPOT_API_BASE_URL: service.hubspot.url,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await service.stop();
  });

  it(
    'with --dry-run prints the reminders it would send as a table, creates nothing, and exits 0',
    async () => {
      const run = await runSopGuide(['sweep', '--dry-run', '--now', '2026-11-26T15:00:00.000Z'], env);

      expect(run).toMatchObject({ code: 0, stderr: '' });
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^Dry run as of 2026-11-26T15:00:00.000Z: 1 portal\(s\)/);
      expect(lines).toContainEqual(
        expect.stringMatching(/^deal\s+owner\s+step\s+days stalled\s+kind\s+action$/),
      );
      const { stalledQualified, contractSent, closedWon } = service.sample.deals;
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${stalledQualified} Globex - Annual licence\\s+\\d+\\s+qualification\\s+12\\s+owner\\s+would create$`,
          ),
        ),
      );
      for (const dealId of [contractSent, closedWon]) {
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${dealId} .*would create$`)));
      }
      expect(countRequests(service, TASK_BATCH_CREATE_PATH)).toBe(0);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'with --now evaluates as of that time: a fresh deal is due once it has had time to stall',
    async () => {
      const run = await runSopGuide(['sweep', '--dry-run', '--now', '2026-12-10T15:00:00.000Z'], env);

      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(`${service.sample.deals.freshAppointment} .*prospecting.*would create`),
      );
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'without --dry-run sends the reminders, says so, and a second run has nothing left to do',
    async () => {
      const first = await runSopGuide(['sweep', '--now', '2026-11-26T15:00:00.000Z'], env);
      const second = await runSopGuide(['sweep', '--now', '2026-11-26T15:20:00.000Z'], env);

      expect(first.code).toBe(0);
      expect(first.stdout.match(/owner\s+created \(task \d+\)/g)).toHaveLength(3);
      expect(service.hubspot.state.listTasks(SAMPLE_PORTAL_ID)).toHaveLength(3);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('3 reminder(s) already sent\nNothing to do.');
    },
    CLI_TIMEOUT_MS,
  );

  it('refuses a --now that is not a time, saying which option is wrong, with exit code 1', async () => {
    const errors: string[] = [];
    const code = await runCli(['sweep', '--now', 'next tuesday'], {
      out: () => undefined,
      err: (text) => errors.push(text),
      env,
    });

    expect(code).toBe(1);
    expect(errors.join('\n')).toContain('--now: expected an ISO date or time');
  });
});
