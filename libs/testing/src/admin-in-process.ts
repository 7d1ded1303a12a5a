/**
 * Owner: test tiers. The admin API in the test process (the `inproc` jest tier): the same Nest
 * application main.ts serves (createAdminApp: AppModule, guard, validation pipe, error filter, body
 * parsers), on a real SQLite file in a fresh temp data dir, listening on 127.0.0.1 port 0. No
 * build, no child process: ts-jest compiles the sources.
 *
 * libs/testing imports apps/admin-api here only because this is test support: no app or lib outside
 * test code may import this file. It is NOT re-exported from index.ts, so the e2e tier (which only
 * spawns dist/) never loads Nest or typeorm into its test process; import it by path.
 */
import 'reflect-metadata';
import { openStore, type ConfigStore } from '@oauth2/store';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdminApp } from '../../../apps/admin-api/src/app-factory';
import { logger } from '../../../apps/admin-api/src/common/logger';
import { EnvConfig } from '../../../apps/admin-api/src/config/env.config';
import { adminApi, type AdminProcess } from './processes';
import { makeTempDir } from './temp-dir';

export interface AdminInProcessOptions {
  /** Default: a random one. */
  token?: string;
  /** pino level of the admin API's (process-wide) logger while it runs; default 'silent'. */
  logLevel?: string;
}

export interface InProcessAdmin {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  dataDir: string;
  /** The store the app serves (same connection): for set-up or checks beside the HTTP API. */
  store: ConfigStore;
  /** fetch() with the admin token; an object body is sent as JSON, a string body as is (content-type JSON unless given). */
  api: AdminProcess['api'];
  close(): Promise<void>;
}

/** Starts the admin API in this process; `close()` it in afterAll (it closes the store too). */
export async function startAdminInProcess(opts: AdminInProcessOptions = {}): Promise<InProcessAdmin> {
  const dir = makeTempDir('oauth2-inproc-admin-');
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const levelBefore = logger.level;
  logger.level = opts.logLevel ?? 'silent';
  const env = Object.assign(new EnvConfig(), { OAUTH2_DATA_DIR: dir.path, ADMIN_HOST: '127.0.0.1', ADMIN_PORT: 0, OAUTH2_ADMIN_TOKEN: token });
  let store: ConfigStore | undefined;
  const restore = () => {
    logger.level = levelBefore;
    dir.cleanup();
  };
  try {
    store = await openStore({ dataDir: dir.path });
    const app = await createAdminApp({ env, store, admin: { token, file: null } });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const s = store;
    return {
      url,
      token,
      dataDir: dir.path,
      store: s,
      api: adminApi(url, token),
      // app.close() runs the module's shutdown hooks: the server drains, then the store closes.
      close: async () => {
        await app.close();
        restore();
      },
    };
  } catch (e) {
    await store?.close().catch(() => undefined);
    restore();
    throw e;
  }
}
