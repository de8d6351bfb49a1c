import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { TURN_FREE, TURN_WRITER } from '../../platform/db/sqlite-write-turn';

/** One webhook request's row in the journal. */
export interface JournalRow {
  id: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  body: string;
  eventCount: number;
}

export interface SqliteJournalWriter {
  /** Resolves once `rows` are committed (fsynced); rejects if they were not stored. */
  append(rows: JournalRow[]): Promise<void>;
  /** Waits for the writes in flight, then stops the thread. */
  close(): Promise<void>;
}

/** One journal row; bound as (id, received_at, event_count, body_encoding, body), on the writer thread and off it. */
export const JOURNAL_INSERT_SQL = `insert into webhook_journal
  (id, received_at, event_count, body_encoding, body, status, last_error)
  values (?, ?, ?, ?, ?, 'pending', null)`;

/** Above this many rows (webhook requests) a commit takes no more: a commit's latency stays bounded. */
export const MAX_JOURNAL_ROWS_PER_WRITE = 256;

const WORKER_SCRIPT = path.join(__dirname, 'sqlite-journal-writer.worker.cjs');

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Appends to the SQLite webhook journal from a worker thread with its own connection.
 *
 * better-sqlite3 is synchronous: on the main thread every commit held the event loop for its fsync
 * (with synchronous=FULL, most of a commit), and no request could be read meanwhile. On its own thread
 * the fsync overlaps with HTTP, and requests that arrive during one share the next commit. The thread
 * also deflates each body (~40 µs for 100 events, about 20 times smaller): what a commit costs here
 * grows with the bytes it writes and fsyncs, twice over once the WAL is checkpointed. The thread is
 * started on the first append (after migrations have run) and again after a failure; a request whose
 * write failed is rejected, so the webhook edge answers 503 and HubSpot retries it.
 */
export function createSqliteJournalWriter(
  filePath: string,
  options: { busyTimeoutMs: number; writeTurn?: SharedArrayBuffer },
): SqliteJournalWriter {
  let current: { worker: Worker; port: MessagePort } | undefined;
  const pending = new Map<number, Pending>();
  let nextRequestId = 1;
  let closed = false;

  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };

  const start = () => {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SCRIPT, {
      workerData: {
        filePath,
        busyTimeoutMs: options.busyTimeoutMs,
        maxRowsPerWrite: MAX_JOURNAL_ROWS_PER_WRITE,
        insertSql: JOURNAL_INSERT_SQL,
        writeTurn: options.writeTurn,
        turnValues: { free: TURN_FREE, writer: TURN_WRITER },
        port: port2,
      },
      transferList: [port2],
    });
    port1.on('message', (reply: { requestIds: number[]; error?: string }) => {
      const error =
        reply.error === undefined ? undefined : new Error(`webhook journal write failed: ${reply.error}`);
      for (const requestId of reply.requestIds) {
        const waiting = pending.get(requestId);
        pending.delete(requestId);
        if (error) waiting?.reject(error);
        else waiting?.resolve();
      }
      if (pending.size === 0) holdProcess(false);
    });
    const started = { worker, port: port1 };
    const stop = (error: Error) => {
      if (current === started) current = undefined;
      port1.close();
      failAll(error);
    };
    worker.on('error', (error) => stop(error));
    worker.on('exit', (code) => stop(new Error(`webhook journal writer exited with code ${code}`)));
    current = started;
    holdProcess(pending.size > 0);
    return started;
  };

  // The thread and its port keep the process alive only while an append waits for its commit (held on
  // the first append in flight, let go when the last one is answered): an idle writer must not stop a
  // CLI or a test from exiting, and a waiting append must not be cut short.
  const holdProcess = (hold: boolean) => {
    if (!current) return;
    if (hold) {
      current.worker.ref();
      current.port.ref();
    } else {
      current.worker.unref();
      current.port.unref();
    }
  };

  return {
    append(rows) {
      if (closed) return Promise.reject(new Error('the webhook journal is closed'));
      const { port } = current ?? start();
      const requestId = nextRequestId++;
      return new Promise<void>((resolve, reject) => {
        if (pending.size === 0) holdProcess(true);
        pending.set(requestId, { resolve, reject });
        port.postMessage({ requestId, rows });
      });
    },

    async close() {
      closed = true;
      const running = current;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.worker.once('exit', () => resolve()));
      // An idle writer no longer holds the process: a close waited for must, until the thread is gone.
      running.worker.ref();
      // Queued behind every append already sent: those are committed and answered before it closes.
      running.port.postMessage('close');
      await exited;
    },
  };
}
