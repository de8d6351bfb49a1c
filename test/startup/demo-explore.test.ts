import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs one printed command as a newcomer would paste it into a shell, with the printed exports. */
async function paste(command: string, exports: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-c', `${exports}\n${command}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout;
}

// A real demo process and a real shell for each pasted command: slow on a busy machine.
const DEMO_TEST_TIMEOUT_MS = 240_000;

describe('the serving demo', () => {
  it(
    'prints commands a newcomer can paste to view guidance, tick an action and move a deal',
    async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'sop-demo-'));
      const port = 20000 + Math.floor(Math.random() * 20000);
      const demo = spawn(process.execPath, ['--import', 'tsx', 'src/entrypoints/demo.ts'], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${path.join(folder, 'demo.db')}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`the demo printed no commands:\n${output}`)),
            90_000,
          );
          const onData = (chunk: Buffer) => {
            output += chunk.toString('utf8');
            if (/npx sop-guide request POST \/webhooks\/hubspot .*\n/.test(output)) {
              clearTimeout(timer);
              resolve();
            }
          };
          demo.stdout.on('data', onData);
          demo.stderr.on('data', onData);
        });
        const lines = output.slice(output.indexOf('Explore it')).split('\n');
        const exports = lines.find((line) => line.trim().startsWith('export '))!;
        const [view, tick, move, webhook] = lines.filter((line) => /^\s+(npx|curl) /.test(line));

        expect(await paste(view!, exports)).toMatch(/^200 \{"dealId"/);
        expect(await paste(tick!, exports)).toMatch(/"id":"discovery-call"[^}]*"done":true/);
        expect(await paste(move!, exports)).toContain('"dealstage":"presentationscheduled"');
        expect(await paste(webhook!, exports)).toBe(
          '200 {"received":1,"stored":1,"ignored":0,"refused":0}\n',
        );
        // The service applies the webhook in the background: the card shows the new stage soon after.
        let stage = '';
        for (let attempt = 0; attempt < 10 && stage !== 'presentationscheduled'; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          stage = /"stage":\{"id":"([^"]+)"/.exec(await paste(view!, exports))?.[1] ?? '';
        }
        expect(stage).toBe('presentationscheduled');
      } finally {
        demo.kill('SIGINT');
        await exited;
        rmSync(folder, { recursive: true, force: true });
      }
    },
    DEMO_TEST_TIMEOUT_MS,
  );

  it(
    'on a DATABASE_URL kept from an earlier run, says how to start clean instead of meeting a stale projection',
    async () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'sop-demo-'));
      const run = () =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/entrypoints/demo.ts', '--once'], {
          cwd: ROOT,
          env: { ...process.env, PORT: '0', DATABASE_URL: `sqlite:${path.join(folder, 'kept.db')}` },
          encoding: 'utf8',
          timeout: 120_000,
        });
      try {
        expect((await run()).stdout).toContain('Demo finished.');
        const second = await run().then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => error,
        );
        expect(second.code).toBe(1);
        expect(second.stderr).toContain("DATABASE_URL: the database still holds an earlier demo's deals");
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
    DEMO_TEST_TIMEOUT_MS,
  );
});
