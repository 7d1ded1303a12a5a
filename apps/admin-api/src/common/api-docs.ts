/**
 * OpenAPI (/docs) helpers: every operation has a summary and its error answers, each with the one
 * error body of the admin API (`ErrorBodyDto`) and a real example. `test/openapi.e2e-spec.ts` fails
 * when an operation lacks either.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOperation, ApiResponse, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorBodyDto } from '@oauth2/contracts';

type ErrorStatus = 400 | 404 | 409 | 413;

/** What each error status means here, with an example body the API really answers. */
const ERRORS: Record<number, { description: string; example: Record<string, unknown> }> = {
  400: {
    description: 'invalid input: `msg` joins every problem, `errors` lists them, `field` names the first one to blame',
    example: {
      code: 400,
      msg: 'client_secret: must be at least 32 characters (an HS256 key shorter than the hash is refused, RFC 7518 §3.2)',
      field: 'client_secret',
      errors: ['client_secret: must be at least 32 characters (an HS256 key shorter than the hash is refused, RFC 7518 §3.2)'],
    },
  },
  401: { description: 'admin token missing or wrong (`WWW-Authenticate: Bearer`)', example: { code: 401, msg: 'admin token required' } },
  403: {
    description: 'the token is valid but its role may not do this (`reason: forbidden_role`)',
    example: { code: 403, msg: 'role viewer may not POST /v1/consumers; it needs operator', reason: 'forbidden_role' },
  },
  404: { description: 'no such resource', example: { code: 404, msg: 'consumer "consumer1" not found', field: 'name' } },
  409: {
    description: 'conflicts with the store (already exists, or still in use)',
    example: { code: 409, msg: 'name: consumer "consumer1" is used by rule(s) 1; delete with force=true to remove it from them', field: 'name' },
  },
  413: { description: 'request body over 1 MiB', example: { code: 413, msg: 'request body too large (limit 1 MiB)' } },
  500: { description: 'an unexpected failure; the detail is only in the admin API log', example: { code: 500, msg: 'internal error' } },
  503: {
    description: 'another process holds the store write lock; nothing was written, retry (`Retry-After: 1`)',
    example: { code: 503, msg: 'the store is busy (another process holds its write lock); retry' },
  },
};

function errorResponse(status: number, description?: string) {
  const e = ERRORS[status];
  return { description: description ?? e.description, content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBodyDto) }, example: e.example } } };
}

/**
 * `@ApiDoc('Create a consumer', [400, 409])`: the summary and the operation's own error answers.
 * 401 (every /v1 call) and 503 (every write) are added to the document by `completeErrorResponses`.
 * `notes` overrides an error's description where the operation says more (`{ 409: 'the active key' }`).
 */
export function ApiDoc(summary: string, errors: ErrorStatus[], notes: Partial<Record<ErrorStatus, string>> = {}, description?: string): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorBodyDto),
    ApiOperation({ summary, ...(description ? { description } : {}) }),
    ...errors.map((status) => {
      const r = errorResponse(status, notes[status]);
      return ApiResponse({ status, description: r.description, content: r.content });
    }),
  );
}

/** 401 and 403 on every operation that needs the admin token, 503 on every write, 413 on every body, 500 everywhere; and the token is not a JWT. */
export function completeErrorResponses(doc: OpenAPIObject): OpenAPIObject {
  for (const ops of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(ops) as [string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }][]) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      if (op.security?.length) op.responses['401'] ??= errorResponse(401);
      if (op.security?.length) op.responses['403'] ??= errorResponse(403);
      if (method !== 'get') op.responses['503'] ??= errorResponse(503);
      if (op.requestBody) op.responses['413'] ??= errorResponse(413);
      op.responses['500'] ??= errorResponse(500);
    }
  }
  const schemes = doc.components?.securitySchemes as Record<string, { bearerFormat?: string }> | undefined;
  for (const s of Object.values(schemes ?? {})) delete s.bearerFormat; // Nest's default says JWT; the admin token is an opaque string
  return doc;
}

/** A request body example that the API accepts as it stands (Swagger UI's "Try it out" sends it). */
export function ApiExampleBody(type: new () => unknown, value: Record<string, unknown>, summary: string): MethodDecorator {
  return ApiBody({ type, examples: { example: { summary, value } } });
}

/** The /v1/apply example: a Higress WasmPlugin document, valid on its own. */
export const APPLY_EXAMPLE = [
  'apiVersion: extensions.higress.io/v1alpha1',
  'kind: WasmPlugin',
  'metadata:',
  '  name: oauth',
  '  namespace: higress-system',
  'spec:',
  '  defaultConfig:',
  '    global_auth: false',
  '    consumers:',
  '    - name: consumer1',
  '      client_id: 12345678-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
  '      client_secret: abcdefgh-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
  '  matchRules:',
  '  - ingress: [route-a]',
  '    config: { allow: [consumer1] }',
  '',
].join('\n');
