import type { ChildProcess } from 'node:child_process';
import { SAMPLE_TOKEN, TEST_CLIENT_SECRET, TEST_PUBLIC_BASE_URL } from './service-harness';

/** What every test that runs the service in its own process gives it: a free port, the test app's secrets. */
export function serviceProcessEnv(options: {
  databaseUrl: string;
  hubspotUrl: string;
  accessToken?: string;
}): Record<string, string> {
  return {
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: options.accessToken ?? SAMPLE_TOKEN,
    HUBSPOT_API_BASE_URL: options.hubspotUrl,
    PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
    SWEEP_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
  };
}

/**
 * Resolves with the port the service logs once it listens, collecting its stdout and stderr for failure
 * messages; rejects if it exits first or says nothing within `timeoutMs` (a bound on a hang, not speed).
 */
export function waitUntilListening(
  child: ChildProcess,
  timeoutMs: number,
): { port: Promise<number>; output: () => string } {
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /"message":"SOP Guide listening","port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return { port, output: () => output };
}
