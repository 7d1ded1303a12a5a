import { Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { APPLY_CONTENT_TYPES, ApplyQueryDto, ApplyResultDto, ExportQueryDto } from '@oauth2/contracts';
import type { ConfigStore } from '@oauth2/store';
import type { Response } from 'express';
import { STORE } from '../common/tokens';
import { toApplyResult } from './apply.mapper';
import { renderExport, wantsYaml } from './export.renderer';
import { RawText } from './raw-text.decorator';
import { ApiDoc, APPLY_EXAMPLE } from '../common/api-docs';
import { Role } from '../common/roles';

/** Declarative config (Higress WasmPlugin or C++ `_rules_` shape) and its export. */
@ApiTags('apply')
@ApiBearerAuth()
@Controller('v1')
export class ApplyController {
  constructor(@Inject(STORE) private readonly store: ConfigStore) {}

  @Post('apply')
  @Role('operator', 'apply')
  @ApiDoc('Replace settings, consumers and rules with a Higress WasmPlugin or plugin-config document, in one transaction (dry_run=true validates only)', [400], {
    400: 'the document is invalid: `errors` lists every problem with its document path; nothing changed',
  })
  @HttpCode(200)
  @ApiConsumes(...APPLY_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', description: 'a Higress WasmPlugin document or bare plugin config (YAML or JSON)', example: APPLY_EXAMPLE } })
  @ApiOkResponse({ type: ApplyResultDto })
  async apply(@RawText() text: string, @Query() q: ApplyQueryDto): Promise<ApplyResultDto> {
    return toApplyResult(await this.store.apply(text, { dryRun: q.dry_run ?? false }));
  }

  @Get('export')
  @Role((req) => (req.query.redact === 'true' ? 'viewer' : 'admin'))
  @ApiDoc('The whole config as a WasmPlugin document (YAML or JSON), secrets included unless redact=true', [400])
  @ApiProduces('application/json', 'application/yaml')
  @ApiOkResponse({ description: 'a WasmPlugin document that /v1/apply takes back; secrets included unless ?redact=true' })
  async export(@Query() q: ExportQueryDto, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    return renderExport(await this.store.exportConfig({ redact: q.redact ?? false }), wantsYaml(q, accept), res);
  }
}
