import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedSamplePortal, startLocalHubSpot, type LocalHubSpot } from '../../../sandbox/local-hubspot';
import { serviceProcessEnv, waitUntilListening } from '../../support/listening-child';
import { SAMPLE_PORTAL_ID, SAMPLE_TOKEN } from '../../support/service-harness';

/**
 * The service as `npm start` runs it: `npx tsx src/entrypoints/server.ts` in its own process group, so that a test
 * can `kill -9` it (and tsx's own child) exactly as a crash or an OOM kill would.
 */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
const START_TIMEOUT_MS = 90_000;

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** SIGKILL to the whole process group: no shutdown hook runs. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export async function startServiceProcess(options: {
  databaseUrl: string;
  hubspotUrl: string;
  accessToken?: string;
  env?: Record<string, string>;
}): Promise<ServiceProcess> {
  const child = spawn('npx', ['tsx', 'src/entrypoints/server.ts'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...serviceProcessEnv(options),
      ...options.env,
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = waitUntilListening(child, START_TIMEOUT_MS);
  const port = await listening.port;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: listening.output,
    async crash() {
      signalGroup('SIGKILL');
      await exited;
    },
    async stop() {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it returns true, at most `timeoutMs`; bounded, never a timed assertion. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
  throw new Error(`gave up waiting for ${options.what}`);
}

/** What a crash test runs against: a local HubSpot with the sample portal, and a folder for the SQLite file. */
export interface CrashRig {
  hubspot: LocalHubSpot;
  folder: string;
}

export async function startCrashRig(folderPrefix: string): Promise<CrashRig> {
  // No rate limit: the tests slow HubSpot down on purpose and must not also be refused by it.
  const hubspot = await startLocalHubSpot({ port: 0, rateLimit: false });
  seedSamplePortal(hubspot.state, { portalId: SAMPLE_PORTAL_ID, token: SAMPLE_TOKEN });
  return { hubspot, folder: mkdtempSync(path.join(tmpdir(), folderPrefix)) };
}

/** Kills the service if one is still running, then closes the local HubSpot and removes the folder. */
export async function stopCrashRig(rig: CrashRig, service: ServiceProcess | null): Promise<void> {
  await service?.crash();
  await rig.hubspot.close();
  rmSync(rig.folder, { recursive: true, force: true });
}
