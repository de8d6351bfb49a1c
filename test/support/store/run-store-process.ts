import { execFile } from 'node:child_process';
import path from 'node:path';

const TSX_BIN = path.resolve(__dirname, '../../../node_modules/.bin/tsx');
const STORE_PROCESS_SCRIPT = path.resolve(__dirname, 'store-process.ts');

/** Runs store-process.ts as its own OS process and returns what it printed, parsed. */
export function runStoreProcess<T>(databaseUrl: string, command: string, ...args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      TSX_BIN,
      [STORE_PROCESS_SCRIPT, databaseUrl, command, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`store process failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
  });
}
