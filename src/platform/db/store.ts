import type { DatabaseHandle } from './open-database';

/**
 * The repositories every module contributes, by name. Empty here: each module adds its own with a
 * `declare module` block in its `index.ts` (TypeScript's declaration merging), so the platform names no
 * module and a new capability adds its tables without editing this file.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the modules
export interface StoreRepositories {}

/** The database and every module's repositories: what services read and write through. */
export type Store = DatabaseHandle & StoreRepositories;
