// @ts-check
'use strict';
/**
 * The thread that appends to the SQLite webhook journal (see sqlite-journal-writer.ts for why it is a
 * thread). Plain CommonJS with no imports from the app: a worker thread gets no TypeScript loader under
 * jest, and `npm run build` copies this file next to the bundle as it is.
 *
 * Each message on `port` is one webhook request's journal rows. Every message waiting when a write
 * starts joins it, so requests that arrive during a commit's fsync share the next commit (group commit);
 * each one is answered only after the commit that holds it.
 */
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { deflateRawSync } = require('node:zlib');
const Database = require('better-sqlite3');

/** @type {{ filePath: string; busyTimeoutMs: number; maxRowsPerWrite: number; insertSql: string; writeTurn?: SharedArrayBuffer; turnValues: { free: number; writer: number }; port: import('node:worker_threads').MessagePort }} */
const { filePath, busyTimeoutMs, maxRowsPerWrite, insertSql, writeTurn, turnValues, port } = workerData;
/** The turn shared with the main thread's connection (src/platform/db/sqlite-write-turn.ts). */
const turn = writeTurn ? new Int32Array(writeTurn) : undefined;

/** Waits (this thread may block) until the main connection is done; past busyTimeoutMs goes ahead anyway. */
function takeTurn() {
  if (!turn) return false;
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    const seen = Atomics.compareExchange(turn, 0, turnValues.free, turnValues.writer);
    if (seen === turnValues.free) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(turn, 0, seen, left);
  }
}

function giveTurn() {
  if (!turn) return;
  Atomics.store(turn, 0, turnValues.free);
  Atomics.notify(turn, 0);
}

const database = new Database(filePath);
// The same durability as the main connection: a batch HubSpot got a 2xx for must survive power loss.
database.pragma('synchronous = FULL');
database.pragma(`busy_timeout = ${busyTimeoutMs}`);

// The statement comes from sqlite-journal-writer.ts, so there is one copy of it.
const insert = database.prepare(insertSql);

/** @typedef {{ id: string; receivedAt: number; body: string; eventCount: number }} JournalRow */
/** @typedef {{ requestId: number; rows: JournalRow[] }} AppendRequest */

// Level 1: nearly all of the size gain (JSON batches repeat their keys) for the least CPU.
const DEFLATE_OPTIONS = { level: 1 };

const appendAll = database.transaction((/** @type {Array<{ row: JournalRow; body: Buffer }>} */ rows) => {
  for (const { row, body } of rows) insert.run(row.id, row.receivedAt, row.eventCount, 'deflate-raw', body);
});

function close() {
  database.close();
  port.close();
}

port.on('message', (/** @type {AppendRequest | 'close'} */ first) => {
  if (first === 'close') {
    close();
    return;
  }
  /** @type {AppendRequest[]} */
  const group = [first];
  let rows = first.rows.length;
  let closing = false;
  while (rows < maxRowsPerWrite) {
    const next = receiveMessageOnPort(port);
    if (!next) break;
    if (next.message === 'close') {
      closing = true;
      break;
    }
    group.push(next.message);
    rows += next.message.rows.length;
  }
  const requestIds = group.map((request) => request.requestId);
  try {
    // Compressed before the transaction begins, so the write lock is held only for the writes.
    const compressed = group.flatMap((request) =>
      request.rows.map((row) => ({ row, body: deflateRawSync(row.body, DEFLATE_OPTIONS) })),
    );
    const held = takeTurn();
    try {
      appendAll.immediate(compressed);
    } finally {
      if (held) giveTurn();
    }
    port.postMessage({ requestIds });
  } catch (error) {
    port.postMessage({ requestIds, error: error instanceof Error ? error.message : String(error) });
  }
  if (closing) close();
});
