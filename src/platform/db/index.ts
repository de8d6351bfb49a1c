// The database's public face: modules import from here, never from a file of this folder directly.
export { openDatabase, SQLITE_BUSY_TIMEOUT_MS, StoreConfigError, type DatabaseHandle } from './open-database';
export type { Store, StoreRepositories } from './store';
export { runRebuildableWrites } from './rebuildable-writes';
export type { StoreContext, StoreDialect } from './store-context';
export type { InboxStatus, ReminderKind, ReminderStatus } from './database.types';
export type { ExclusiveRun, WithExclusiveLock } from './exclusive-lock';
