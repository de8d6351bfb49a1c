import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Opens a store in a child process: the failure being tested used to be a synchronous spin that no
 * jest timeout can interrupt, so only a process with a deadline can tell.
 */
function openStoreIn(databaseUrl: string): { status: number | null; output: string } {
  const script = `
    const { createStore } = require('./src/app/store');
    createStore(process.argv[1]).then(
      async (store) => { await store.close(); console.log('opened'); },
      (error) => { console.log(error.message); process.exitCode = 1; },
    );`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, databaseUrl], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('opening a SQLite database at an unusable path', () => {
  it('fails at once, naming the path, where its folder cannot be created (under /proc it used to spin)', () => {
    const { status, output } = openStoreIn('sqlite:/proc/sop-guide-test/store.db');
    expect(status).toBe(1);
    expect(output).toContain('cannot open the SQLite database /proc/sop-guide-test/store.db');
  });

  it('names the file better-sqlite3 cannot open', () => {
    const { status, output } = openStoreIn('sqlite:/sys/store.db');
    expect(status).toBe(1);
    expect(output).toContain('cannot open the SQLite database /sys/store.db: unable to open database file');
  });
});
