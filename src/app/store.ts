import type { Migration } from 'kysely';
import { openDatabase, type Store, type StoreRepositories } from '../platform/db';
import type { WiredModule } from '../platform/module';
import { MODULES, type ModuleRepositories } from './modules';

/** Every module's migrations, for the database to run after the baseline schema. */
function collectMigrations(): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const module of MODULES) {
    for (const [name, migration] of Object.entries(module.migrations ?? {})) {
      if (name in all) throw new Error(`migration ${name} is declared by two modules`);
      all[name] = migration;
    }
  }
  return all;
}

// Each module declares its repositories' names in StoreRepositories and builds them in `repositories`:
// the two must agree, or a module reads a repository nothing builds.
type AssertTrue<T extends true> = T;
export type _EveryDeclaredRepositoryIsBuilt = AssertTrue<
  ModuleRepositories extends StoreRepositories ? true : false
>;

/** Opens the database named by DATABASE_URL with every module's repositories. Call `migrate()` first. */
export async function createStore(databaseUrl: string): Promise<Store> {
  const database = await openDatabase(databaseUrl, { migrations: collectMigrations() });
  const repositories = MODULES.map((module: WiredModule<never>) =>
    module.repositories?.(database.context, database),
  );
  return Object.assign(database, ...repositories) as Store;
}
