import { createParamDecorator, ExecutionContext, HttpException, HttpStatus } from '@nestjs/common';
import { APPLY_CONTENT_TYPES } from '@oauth2/contracts';

/**
 * The raw request body of /v1/apply as text (main.ts mounts a text parser for APPLY_CONTENT_TYPES on
 * that path). Any other content type is 415; an empty document is 400.
 */
export const RawText = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<{ body: unknown }>();
  if (typeof req.body !== 'string') {
    throw new HttpException(`unsupported content type: send the document as ${APPLY_CONTENT_TYPES.join(', ')}`, HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
  if (req.body.trim() === '') throw new HttpException('empty document: send a WasmPlugin or plugin config in YAML or JSON', HttpStatus.BAD_REQUEST);
  return req.body;
});
