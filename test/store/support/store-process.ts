/**
 * A second (or third) service instance for concurrency tests: a real OS process with its own store on
 * the same database. Run with tsx: `store-process.ts <databaseUrl> migrate` or
 * `store-process.ts <databaseUrl> claim <workerId> <batchSize> <now ISO> <leaseMs>`, which claims until
 * nothing is left and prints the claimed ids as JSON.
 */
import { createStore } from '../../../src/store';

async function main(): Promise<void> {
  const [databaseUrl, command, ...args] = process.argv.slice(2);
  if (!databaseUrl || !command) throw new Error('usage: store-process.ts <databaseUrl> <command> ...');
  const store = await createStore(databaseUrl);
  try {
    if (command === 'migrate') {
      await store.migrate();
      process.stdout.write(JSON.stringify({ migrated: true }));
      return;
    }
    if (command === 'claim') {
      const [workerId = 'worker', batchSize = '5', now = new Date().toISOString(), leaseMs = '60000'] = args;
      const claimed: string[] = [];
      for (;;) {
        const batch = await store.inbox.claimInboxEvents({
          workerId,
          limit: Number(batchSize),
          now: new Date(now),
          leaseMs: Number(leaseMs),
        });
        if (batch.length === 0) break;
        claimed.push(...batch.map((event) => event.id));
        // Leave the rows in 'processing' (lease in the future): a second claim of them would be the bug.
      }
      process.stdout.write(JSON.stringify({ claimed }));
      return;
    }
    throw new Error(`unknown command ${command}`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exit(1);
});
