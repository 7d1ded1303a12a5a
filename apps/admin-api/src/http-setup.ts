/** Express-level wiring that must sit in front of Nest's router: body parsers and the OpenAPI page. */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APPLY_CONTENT_TYPES } from '@oauth2/contracts';
import { json, text } from 'express';
import { bodyParserErrors } from './common/error.filter';

/** SPEC §5: request bodies over 1 MiB get 413. */
const BODY_LIMIT = '1mb';

export function setupHttp(app: INestApplication): void {
  // /v1/apply reads the document as raw text (YAML or JSON) and hands it to the store unparsed;
  // mounted first so the JSON parser below skips that request.
  app.use('/v1/apply', text({ type: APPLY_CONTENT_TYPES, limit: BODY_LIMIT }));
  app.use(json({ limit: BODY_LIMIT, strict: true }));
  app.use(bodyParserErrors);
  const config = new DocumentBuilder()
    .setTitle('oauth2-gateway admin API')
    .setDescription('Control plane of the OAuth2 client-credentials gateway (SPEC §5). Every /v1 call needs the admin token.')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'OAUTH2_ADMIN_TOKEN, or the admin.token file of the data dir' })
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs/openapi.json' });
}
