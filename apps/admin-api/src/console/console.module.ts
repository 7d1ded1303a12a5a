import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { consoleStatic } from './console-static';

/** The web console's static files at /console/ (docs/console.md); no controller, so the admin-token guard never sees them. */
@Module({})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(consoleStatic()).forRoutes({ path: 'console', method: RequestMethod.ALL }, { path: 'console/{*path}', method: RequestMethod.ALL });
  }
}
