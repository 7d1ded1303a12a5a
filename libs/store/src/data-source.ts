import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { Init1767225600000 } from './migrations/1767225600000-Init';
import { Revocations1767830400000 } from './migrations/1767830400000-Revocations';
import { SigningKeys1767916800000 } from './migrations/1767916800000-SigningKeys';

/** Every migration, in order. Listed explicitly so the same code runs from ts (tests) and dist (apps). */
export const MIGRATIONS = [Init1767225600000, Revocations1767830400000, SigningKeys1767916800000];

/** Lock wait for SQLite statements (busy_timeout, ms). */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * The one DataSource definition, used by the store and by the typeorm CLI. Never `synchronize`:
 * the schema only changes through migrations, which the store runs at open under a write lock.
 */
export function createDataSource(database: string): DataSource {
  return new DataSource({
    type: 'better-sqlite3',
    database,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'none',
    synchronize: false,
    enableWAL: true,
    timeout: BUSY_TIMEOUT_MS,
    logging: false,
  });
}

/** For the typeorm CLI only (`typeorm -d dist/libs/store/src/data-source.js migration:show`). */
export default createDataSource(process.env.OAUTH2_DATABASE ?? 'data/oauth2.db');
