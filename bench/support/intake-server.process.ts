/**
 * The server under test of the intake benchmark, in its own process (see webhook-intake.bench.ts for
 * why): `bare` (node:http that only parses the JSON) or `service` (the whole service on a fresh SQLite
 * database). Started with `fork`; sends `{url}` when listening, and on the message 'stop' answers
 * `{stored, moved}` (events journaled, and how fast they then moved into the inbox; zeros for bare),
 * shuts down and exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { explodeJournalBody } from '../../src/modules/intake/webhook-journal';
import { startBenchService } from './bench-service';

export type IntakeServerKind = 'bare' | 'service';

export interface JournalMove {
  events: number;
  seconds: number;
}

export type IntakeServerMessage = { url: string } | { stored: number; moved: JournalMove };

interface Running {
  url: string;
  stored(): Promise<number>;
  /** Moves every journaled request into the inbox (the processor's first step) and times it. */
  moveJournal(): Promise<JournalMove>;
  close(): Promise<void>;
}

async function startBareServer(): Promise<Running> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: parsed.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stored: async () => 0,
    moveJournal: async () => ({ events: 0, seconds: 0 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function startService(): Promise<Running> {
  const service = await startBenchService({ database: 'sqlite' });
  return {
    url: service.running.url,
    async stored() {
      return (await service.running.services.store.journal.counts()).pendingEvents;
    },
    async moveJournal() {
      const { journal } = service.running.services.store;
      const started = process.hrtime.bigint();
      let events = 0;
      for (;;) {
        const transfer = await journal.moveToInbox({
          limit: 20,
          explode: explodeJournalBody,
        });
        if (transfer.moved === 0) break;
        events += transfer.inserted + transfer.duplicates;
      }
      return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
    },
    close: () => service.stop(),
  };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as IntakeServerKind;
  if (!process.send) throw new Error('intake-server.process.ts must be started with fork()');
  const running = kind === 'bare' ? await startBareServer() : await startService();
  process.on('message', (message) => {
    if (message !== 'stop') return;
    void (async () => {
      const stored = await running.stored();
      const moved = await running.moveJournal();
      await running.close();
      process.send!({ stored, moved } satisfies IntakeServerMessage, () => process.exit(0));
    })();
  });
  process.send({ url: running.url } satisfies IntakeServerMessage);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
