import { spawn } from 'node:child_process';
import path from 'node:path';

/** The entry `npx sop-guide` runs. */
const BIN = path.resolve(__dirname, '../../bin/sop-guide.cjs');

/** What runCli writes, line by line, for an in-process command run. */
export function captureIo(env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err };
}

/**
 * `npx sop-guide <args>` in a real process, sent a SIGINT (Ctrl-C) once its stderr shows `marker` (its
 * progress): what it printed and its exit code.
 */
export async function interruptOnceStderrShows(
  args: string[],
  env: Record<string, string>,
  marker: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      if (stderr.includes(marker)) resolve();
    }),
  );
  child.kill('SIGINT');
  const code = await exited;
  return { code, stdout, stderr };
}
