/** Express-level wiring that must sit in front of Nest's router: body parsers and the OpenAPI page. */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APPLY_CONTENT_TYPES } from '@oauth2/contracts';
import { json, text, type NextFunction, type Request, type Response } from 'express';
import { logger } from './common/logger';
import { bodyParserErrors } from './common/error.filter';
import { completeErrorResponses } from './common/api-docs';
import { callerOf } from './common/admin-token.guard';
import { requestId, requestIdOf } from './common/request-id';
import { BODY_LIMIT_BYTES } from './config/env.config';

/** One line per request: method, path WITHOUT the query string, status, duration. No headers (the admin token). */
function accessLog(req: Request, res: Response, next: NextFunction): void {
  const start = process.hrtime.bigint();
  res.once('finish', () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, request_id: requestIdOf(req), actor: callerOf(req)?.name }, 'request');
  });
  next();
}

/**
 * `constructor` / `__proto__` / `prototype` keys slip past class-validator's whitelist (every object
 * "has" them), so they are refused while parsing; the parse error becomes a 400.
 */
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw new SyntaxError(`property "${key}" is not allowed`);
  return value;
}

/**
 * Request bodies over 1 MiB get 413 (docs/admin-api.md), except /v1/apply's, up to `applyMaxBytes`
 * (OAUTH2_APPLY_MAX_BYTES): a whole configuration can be far bigger than any one resource.
 */
export function setupHttp(app: INestApplication, applyMaxBytes: number): void {
  app.use(requestId);
  app.use(accessLog);
  // /v1/apply reads the document as raw text (YAML or JSON) and hands it to the store unparsed;
  // mounted first so the JSON parser below skips that request.
  app.use('/v1/apply', text({ type: APPLY_CONTENT_TYPES, limit: applyMaxBytes }));
  app.use(json({ limit: BODY_LIMIT_BYTES, strict: true, reviver: refuseProtoKeys }));
  app.use(bodyParserErrors);
  const config = new DocumentBuilder()
    .setTitle('oauth2-gateway admin API')
    .setDescription(
      'Control plane of the OAuth2 client-credentials gateway: consumers, routes, allow-list rules, settings, ' +
        'Higress apply/export, signing keys, revocations and the decision explainer. Every /v1 call needs the admin token ' +
        '(`Authorization: Bearer <token>`). Errors are `{"code","msg","field"?,"errors"?}`. This document as JSON: /docs/openapi.json.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'the admin token, an opaque random string (no claims, nothing to decode), from OAUTH2_ADMIN_TOKEN, or the admin.token file of the data dir',
    })
    .build();
  SwaggerModule.setup('docs', app, () => completeErrorResponses(SwaggerModule.createDocument(app, config)), { jsonDocumentUrl: 'docs/openapi.json' });
}
