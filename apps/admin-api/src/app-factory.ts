/**
 * The admin API as a Nest application, not yet listening: the module on its dependencies, with
 * Nest's own body parser off (setupHttp mounts the limited ones) and the Express wiring in front.
 * main.ts listens on it; the in-process test tier (libs/testing/src/admin-in-process.ts) too.
 */
import type { HttpsOptions } from '@nestjs/common/interfaces/external/https-options.interface';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppDeps } from './app.module';
import { PinoNestLogger } from './common/logger';
import { setupHttp } from './http-setup';

/** `httpsOptions`: serve TLS (ADMIN_TLS_CERT / ADMIN_TLS_KEY, main.ts). */
export async function createAdminApp(deps: AppDeps, httpsOptions?: HttpsOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(deps), {
    ...(httpsOptions ? { httpsOptions } : {}),
    bodyParser: false,
    logger: new PinoNestLogger(),
  });
  app.disable('x-powered-by');
  setupHttp(app, deps.env.OAUTH2_APPLY_MAX_BYTES);
  return app;
}
