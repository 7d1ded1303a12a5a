/**
 * Admin API bootstrap: validate the environment, open the store and the admin token, then serve.
 * Start-up failures are one line on stderr and a non-zero exit, never a stack trace.
 */
import 'reflect-metadata';
import { ensureAdminToken, openStore } from '@oauth2/store';
import { loadTlsMaterial, secureContextOptions, watchTlsFiles, type TlsMaterial } from '@oauth2/config';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createAdminApp } from './app-factory';
import { logger } from './common/logger';
import type { AdminTokenInfo } from './common/tokens';
import { EnvError, loadEnv } from './config/env.config';

function fail(what: string, err: unknown): never {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  process.stderr.write(`admin-api: ${what}: ${msg}\n`);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    // The same shape as the gateway's: `admin-api: invalid environment: NAME="value" must be ...`.
    if (e instanceof EnvError) {
      process.stderr.write(`admin-api: ${e.message}\n`);
      process.exit(1);
    }
    fail('cannot start', e);
  }
  const store = await openStore({ dataDir: env.OAUTH2_DATA_DIR, database: env.OAUTH2_DATABASE, masterKey: env.OAUTH2_MASTER_KEY }).catch((e) => fail('cannot open the store', e));
  let admin: AdminTokenInfo;
  try {
    const file = env.OAUTH2_ADMIN_TOKEN ? null : path.join(env.OAUTH2_DATA_DIR, 'admin.token');
    admin = { token: ensureAdminToken(env.OAUTH2_DATA_DIR, env.OAUTH2_ADMIN_TOKEN), file };
  } catch (e) {
    fail('cannot set up the admin token', e);
  }
  // TLS (docs/tls.md): the pair is checked before anything listens; rotation swaps it in place.
  const tlsFiles = env.ADMIN_TLS_CERT && env.ADMIN_TLS_KEY ? { cert: env.ADMIN_TLS_CERT, key: env.ADMIN_TLS_KEY } : null;
  let tls: TlsMaterial | null = null;
  try {
    tls = tlsFiles && loadTlsMaterial(tlsFiles);
  } catch (e) {
    fail('cannot start', e);
  }
  const app = await createAdminApp({ env, store, admin }, tls ? secureContextOptions(tls) : undefined);
  if (tlsFiles) {
    const server = app.getHttpServer() as HttpsServer;
    watchTlsFiles(
      tlsFiles,
      (m) => {
        server.setSecureContext(secureContextOptions(m));
        logger.info({ cert: tlsFiles.cert }, 'TLS certificate reloaded');
      },
      (message) => logger.error({ cert: tlsFiles.cert }, message),
    );
  }
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(env.ADMIN_PORT, env.ADMIN_HOST).catch((e) => fail(`cannot listen on ${env.ADMIN_HOST}:${env.ADMIN_PORT}`, e));
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = env.ADMIN_HOST.includes(':') ? `[${env.ADMIN_HOST}]` : env.ADMIN_HOST;
  const tokenFrom = admin.file ? { admin_token_file: admin.file } : { admin_token_from: 'OAUTH2_ADMIN_TOKEN' };
  logger.info({ url: `${tls ? 'https' : 'http'}://${host}:${port}`, data_dir: env.OAUTH2_DATA_DIR, ...tokenFrom }, 'listening');
}

bootstrap().catch((e) => fail('cannot start', e));
