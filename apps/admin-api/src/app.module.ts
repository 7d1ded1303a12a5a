import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, BeforeApplicationShutdown, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, HttpAdapterHost } from '@nestjs/core';
import type { ConfigStore } from '@oauth2/store';
import type { Server } from 'node:http';
import { AdminTokensModule } from './admin-tokens/admin-tokens.module';
import { ApplyModule } from './apply/apply.module';
import { AuditModule } from './audit/audit.module';
import { AuditInterceptor } from './common/audit.interceptor';
import { AdminTokenGuard } from './common/admin-token.guard';
import { ErrorFilter } from './common/error.filter';
import { logger } from './common/logger';
import { ADMIN_TOKEN, AdminTokenInfo, ENV, STORE } from './common/tokens';
import type { EnvConfig } from './config/env.config';
import { ConsoleModule } from './console/console.module';
import { ConsumersModule } from './consumers/consumers.module';
import { ExplainModule } from './explain/explain.module';
import { HealthController } from './health/health.controller';
import { KeysModule } from './keys/keys.module';
import { NodesModule } from './nodes/nodes.module';
import { RevisionModule } from './revision/revision.module';
import { RevocationsModule } from './revocations/revocations.module';
import { RoutesModule } from './routes/routes.module';
import { RulesModule } from './rules/rules.module';
import { SettingsModule } from './settings/settings.module';

/** In-flight requests get this long after SIGTERM before their connections are cut. */
const DRAIN_MS = 10_000;

/** Closes the store only after the HTTP server has drained (Nest closes the server between these hooks). */
@Injectable()
class Lifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(STORE) private readonly store: ConfigStore,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    logger.info({ signal }, `shutting down on ${signal}: finishing in-flight requests`);
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    // server.close() only drops connections idle at that instant; a keep-alive connection whose
    // request finishes later would hold the exit for its keep-alive timeout, so sweep until done.
    const sweep = setInterval(() => server.closeIdleConnections(), 50).unref();
    server.once('close', () => clearInterval(sweep));
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    logger.info('stopped');
  }
}

export interface AppDeps {
  env: EnvConfig;
  store: ConfigStore;
  admin: AdminTokenInfo;
}

@Global()
@Module({})
export class AppModule {
  static forRoot(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConsumersModule,
        RoutesModule,
        RulesModule,
        SettingsModule,
        ApplyModule,
        RevisionModule,
        RevocationsModule,
        ExplainModule,
        KeysModule,
        NodesModule,
        ConsoleModule,
        AdminTokensModule,
        AuditModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: ENV, useValue: deps.env },
        { provide: STORE, useValue: deps.store },
        { provide: ADMIN_TOKEN, useValue: deps.admin },
        { provide: APP_GUARD, useClass: AdminTokenGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: true }) },
        Lifecycle,
      ],
      exports: [ENV, STORE, ADMIN_TOKEN],
    };
  }
}
