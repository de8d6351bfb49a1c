/**
 * A second (or third) service instance for concurrency tests: a real OS process with its own store on
 * the same database. Run with tsx:
 * - `store-process.ts <databaseUrl> migrate`;
 * - `store-process.ts <databaseUrl> claim <workerId> <batchSize> <now ISO> <leaseMs>`: claims until
 *   nothing is left and prints the claimed ids as JSON;
 * - `store-process.ts <databaseUrl> move <rowsPerCall>`: moves journal rows into the inbox until none is
 *   left and prints how many it moved;
 * - `store-process.ts <databaseUrl> append-then-crash <bodiesJsonFile>`: journals every body, prints
 *   how many were acknowledged, then kills itself with SIGKILL without closing anything;
 * - `store-process.ts <databaseUrl> append-then-return <bodiesJsonFile>`: journals every body, prints how
 *   many were acknowledged and returns without closing the store, as a command that forgot to: the
 *   process must still exit on its own.
 */
import { readFileSync } from 'node:fs';
import { explodeJournalBody } from '../../../src/modules/intake/webhook-journal';
import { createStore } from '../../../src/app/store';
import type { Store } from '../../../src/platform/db';

async function main(): Promise<void> {
  const [databaseUrl, command, ...args] = process.argv.slice(2);
  if (!databaseUrl || !command) throw new Error('usage: store-process.ts <databaseUrl> <command> ...');
  const store = await createStore(databaseUrl);
  if (command === 'append-then-return') {
    process.stdout.write(JSON.stringify({ acknowledged: await appendAll(store, args[0]!) }));
    return;
  }
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
    if (command === 'move') {
      const [rowsPerCall = '3'] = args;
      let moved = 0;
      for (;;) {
        const transfer = await store.journal.moveToInbox({
          limit: Number(rowsPerCall),
          explode: explodeJournalBody,
        });
        if (transfer.moved === 0) break;
        moved += transfer.moved;
      }
      process.stdout.write(JSON.stringify({ moved }));
      return;
    }
    if (command === 'append-then-crash') {
      const acknowledged = await appendAll(store, args[0]!);
      // What a webhook request's 2xx stands for, and then a crash with nothing closed or flushed.
      process.stdout.write(JSON.stringify({ acknowledged }), () => process.kill(process.pid, 'SIGKILL'));
      await new Promise(() => undefined);
    }
    throw new Error(`unknown command ${command}`);
  } finally {
    await store.close();
  }
}

/** Journals every body of the JSON file at once; resolves with how many were acknowledged. */
async function appendAll(store: Store, bodiesFile: string): Promise<number> {
  const bodies = JSON.parse(readFileSync(bodiesFile, 'utf8')) as string[];
  const acknowledged = await Promise.all(
    bodies.map((body) => store.journal.append({ body, eventCount: 1, receivedAt: new Date() }).then(() => 1)),
  );
  return acknowledged.length;
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exit(1);
});
