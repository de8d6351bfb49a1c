/**
 * A second (or third) service instance for concurrency tests: a real OS process with its own store on
 * the same database. Run with tsx:
 * - `store-process.ts <databaseUrl> migrate`;
 * - `store-process.ts <databaseUrl> claim <workerId> <batchSize> <now ISO> <leaseMs>`: claims until
 *   nothing is left and prints the claimed ids as JSON;
 * - `store-process.ts <databaseUrl> move <rowsPerCall>`: moves journal rows into the inbox until none is
 *   left and prints how many it moved;
 * - `store-process.ts <databaseUrl> append-then-crash <bodiesJsonFile>`: journals every body, prints
 *   how many were acknowledged, then kills itself with SIGKILL without closing anything.
 */
import { readFileSync } from 'node:fs';
import { explodeJournalBody } from '../../../src/modules/intake/webhook-journal';
import { createStore } from '../../../src/app/store';

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
      const bodies = JSON.parse(readFileSync(args[0]!, 'utf8')) as string[];
      const acknowledged = await Promise.all(
        bodies.map((body) =>
          store.journal.append({ body, eventCount: 1, receivedAt: new Date() }).then(() => 1),
        ),
      );
      // What a webhook request's 2xx stands for, and then a crash with nothing closed or flushed.
      process.stdout.write(JSON.stringify({ acknowledged: acknowledged.length }), () =>
        process.kill(process.pid, 'SIGKILL'),
      );
      await new Promise(() => undefined);
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
