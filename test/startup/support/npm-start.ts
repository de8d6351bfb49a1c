import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { signRequestV3 } from '../../../webhooks/signature-v3';
import { serviceProcessEnv, waitUntilListening } from '../../support/listening-child';
import { TEST_CLIENT_SECRET, TEST_PUBLIC_BASE_URL } from '../../support/service-harness';

const ROOT = path.resolve(__dirname, '../../..');

export interface NpmStarted {
  npm: ChildProcess;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm start` as a supervisor runs it: signals go to npm's own process (not a process group), as a
 * container runtime or systemd sends them to the main PID.
 */
export async function npmStart(databaseUrl: string, hubspotUrl: string, env: Record<string, string> = {}) {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...serviceProcessEnv({ databaseUrl, hubspotUrl }),
      ...env,
    },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const listening = waitUntilListening(npm, 60_000);
  const port = await listening.port;
  return { npm, port, output: listening.output, exited } satisfies NpmStarted;
}

/**
 * After a test: a service it left running is killed (SIGKILL), and waited for. The service itself
 * first: npm cannot pass on a SIGKILL, so killing npm alone left the service running, orphaned, with
 * this process's pipes open (jest then reported a worker that failed to exit).
 */
export async function killIfRunning(started: NpmStarted | null): Promise<void> {
  if (!started || started.npm.exitCode !== null) return;
  const service = findServicePid(started.output());
  if (service !== null) killUnlessGone(service);
  started.npm.kill('SIGKILL');
  await started.exited;
}

function killUnlessGone(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const SERVICE_PID_PATTERN = /"message":"SOP Guide listening"[^\n]*"pid":(\d+)/;

function findServicePid(output: string): number | null {
  const match = SERVICE_PID_PATTERN.exec(output);
  return match ? Number(match[1]) : null;
}

export function pidOfService(output: string): number {
  const pid = findServicePid(output);
  if (pid === null) throw new Error(`no pid in the start line:\n${output}`);
  return pid;
}

/** A webhook batch signed as HubSpot signs it (v3), for a raw HTTP client. */
export function signedBatch(events: unknown[]) {
  const body = JSON.stringify(events);
  const signed = signRequestV3({
    clientSecret: TEST_CLIENT_SECRET,
    method: 'POST',
    uri: `${TEST_PUBLIC_BASE_URL}/webhooks/hubspot`,
    body,
    timestampMs: Date.now(),
  });
  return { body, headers: { ...signed.headers, 'content-type': 'application/json' } };
}
